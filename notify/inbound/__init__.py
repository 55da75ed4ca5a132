"""Mail that comes back to the blog: readers' replies, owners' moderation, bounces.

The listener (SMTP or LMTP, behind the site's mail server) and the IMAP poller hand each message
to receive.receive_message; nothing else here knows how mail arrived.
"""
