"""Spam defence: the learning filter, Akismet, readers' reports and the commenters' ladder."""
