"""The languages the blog speaks, and which one a request gets.

Readers' pages and mails are in the site's language (BLOG_LANGUAGE), as WordPress does it; the
catalogues live in translations/<language>/LC_MESSAGES and are compiled by `make`.
"""

from flask import current_app

# The languages shipped with the blog; English is the source text, so it has no catalogue.
LANGUAGES = ("en",)


def select_locale() -> str:
    """Flask-Babel's locale selector: the site's language."""
    return current_app.config["BLOG_LANGUAGE"]


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel knows N_) where it must stay English: a constant that
    code or a test compares. gettext(CONSTANT) translates it where a person reads it."""
    return message
