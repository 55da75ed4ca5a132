"""The languages the blog speaks, which one a request gets, and how text of either direction is
shown inside the other.

Readers' pages are in the site's language (BLOG_LANGUAGE), as WordPress does it; the catalogues live
in translations/<language>/LC_MESSAGES and are compiled by `make`.
"""

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.support import Translations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import force_locale, get_locale, get_translations
from markupsafe import Markup, escape

# The languages shipped with the blog; English is the source text, so it has no catalogue.
LANGUAGES = ("en", "de", "fr", "es", "ja", "ar")

SHIPPED_CATALOGUES = Path(__file__).resolve().parents[1] / "translations"
# Unicode's isolates for plain text (feeds' titles, text mails), where <bdi> cannot be written.
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
_RIGHT_TO_LEFT = {"R", "AL"}


def site_language() -> str:
    return current_app.config["BLOG_LANGUAGE"]


def select_locale() -> str:
    """Flask-Babel's locale selector: the admin in its user's language (their profile's), every
    other page in the site's (readers', as WordPress does)."""
    # The user the admin's capability check loaded: never a query of its own, which an error page
    # (the database down) would repeat.
    user = g.get("_login_user") if has_request_context() and request.blueprint == "admin" else None
    if user is not None and user.is_authenticated:
        return user.language or site_language()
    return site_language()


def language_choices() -> list[tuple[str, str]]:
    """The shipped languages as a select lists them, each named in itself ("Deutsch", "日本語")."""
    return [(code, Locale.parse(code).get_display_name(code).capitalize()) for code in LANGUAGES]


@contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Translate in `language` (None: the site's) meanwhile: a mail in its recipient's language,
    whoever's request writes it."""
    with force_locale(language or site_language()):
        yield


def N_(message: str) -> str:
    """Mark a message for extraction (pybabel knows N_) where it must stay English: a constant that
    code or a test compares. gettext(CONSTANT) translates it where a person reads it."""
    return message


@lru_cache(maxsize=32)
def in_every_language(message: str, context: str | None = None) -> frozenset[str]:
    """`message` in English and as each shipped catalogue translates it: the words a reply by mail
    may use in whichever language its mail was written (no request, no app needed)."""
    found = {message}
    for language in LANGUAGES[1:]:
        catalogue = Translations.load(str(SHIPPED_CATALOGUES), [language])
        found.add(catalogue.pgettext(context, message) if context else catalogue.gettext(message))
    return frozenset(found)


def html_language() -> str:
    """The current language as <html lang> wants it (BCP 47: "pt-BR", not "pt_BR")."""
    locale = get_locale()
    return "-".join(part for part in (locale.language, locale.script, locale.territory) if part)


def language_tag(language: str) -> str:
    """A language with its likeliest country, as WordPress names its locales in feeds and WXR
    ("de" → "de-DE", "en" → "en-US")."""
    likely = Locale.parse(get_global("likely_subtags").get(language, language))
    return "-".join(part for part in (likely.language, likely.territory) if part)


def primary_language(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def language_name(tag: str) -> str:
    """A language's name in the current language ("German", "Deutsch"); the tag itself when unknown."""
    try:
        return Locale.parse(primary_language(tag)).get_display_name(get_locale()) or tag
    except (UnknownLocaleError, ValueError):
        return tag


def text_direction() -> str:
    """"rtl" for Arabic, Hebrew, Persian…, else "ltr": the page's <html dir>."""
    return get_locale().text_direction


def bdi(value) -> Markup:
    """A name or other text of unknown direction, isolated from the sentence around it (escaped)."""
    return Markup("<bdi>%s</bdi>") % escape(value)


def has_right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for char in text)


def isolate(text: str) -> str:
    """Plain text of unknown direction isolated with Unicode's marks, where markup cannot be used;
    left as it is when neither it nor the page is right-to-left, so English output is unchanged."""
    if text and (has_right_to_left(text) or text_direction() == "rtl"):
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text


def _translations():
    """Flask-Babel's catalogue for the current locale, looked up once per locale and request, where
    its own lookup reads the context three times for every string. The locale object is the key, so
    force_locale, and refresh() after a profile change, look up again."""
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    remembered = getattr(state, "blog_translations", None)
    if remembered is not None and locale is not None and remembered[0] is locale:
        return remembered[1]
    translations = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.blog_translations = (getattr(state, "babel_locale", None), translations)
    return translations


def init_app(app: Flask) -> None:
    # The templates' gettext as Flask-Babel installs it (Jinja's newstyle formats and escapes), with
    # the catalogue looked up once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    for helper in (html_language, text_direction):
        app.add_template_global(helper)
    app.add_template_filter(bdi)
    app.add_template_filter(isolate)
