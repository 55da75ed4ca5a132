"""The languages the blog speaks, which one a request gets, and how text of either direction is
shown inside the other.

Readers' pages are in the site's language (BLOG_LANGUAGE), as WordPress does it; the catalogues live
in translations/<language>/LC_MESSAGES and are compiled by `make`.
"""

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
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


@dataclass(frozen=True)
class PageLanguage:
    """A locale and what every page asks of it, worked out once per app and language: Flask-Babel's
    own lookups read the request context several times for each string and date."""
    name: str  # as Babel names it: "de", "pt_BR"
    html_tag: str  # as <html lang> wants it (BCP 47): "pt-BR"
    direction: str  # "ltr" or "rtl", the page's <html dir>
    translations: NullTranslations


def current_language() -> PageLanguage | None:
    """The current locale's PageLanguage; None outside an app context. Kept on Flask-Babel's request
    state with the locale object it is for, so force_locale, and refresh() after a profile change,
    look it up again."""
    if not has_app_context():
        return None
    # g's object itself: a get through the proxy costs several times more, for every string.
    state = g._get_current_object().get("_flask_babel")
    known = getattr(state, "blog_language", None)
    if known is not None and known[0] is getattr(state, "babel_locale", None):
        return known[1]
    locale = get_locale()
    name = str(locale)
    languages = current_app.extensions.setdefault("blog.languages", {})
    language = languages.get(name)
    if language is None:
        tag = "-".join(part for part in (locale.language, locale.script, locale.territory) if part)
        language = languages[name] = PageLanguage(name, tag, locale.text_direction, get_translations())
    g._flask_babel.blog_language = (locale, language)  # get_locale made the state if it was missing
    return language


def html_language() -> str:
    """The current language as <html lang> wants it (BCP 47: "pt-BR", not "pt_BR")."""
    return current_language().html_tag


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
    language = current_language()
    return language.direction if language else "ltr"


def bdi(value) -> Markup:
    """A name or other text of unknown direction, isolated from the sentence around it (escaped)."""
    return Markup(f"<bdi>{escape(value)}</bdi>")


def has_right_to_left(text: str) -> bool:
    return not text.isascii() and any(unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for char in text)


def isolate(text: str) -> str:
    """Plain text of unknown direction isolated with Unicode's marks, where markup cannot be used;
    left as it is when neither it nor the page is right-to-left, so English output is unchanged."""
    if text and (has_right_to_left(text) or text_direction() == "rtl"):
        return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
    return text


def _translations() -> NullTranslations:
    language = current_language()
    return language.translations if language else get_translations()


# The code's gettext: Flask-Babel's functions of the same names and contracts, on the page's
# catalogue as current_language() found it, where Flask-Babel's look the request's language and
# domain up again for every string. Modules import them from here.

def gettext(message: str, /, **variables) -> str:
    text = _translations().ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def pgettext(context: str, message: str, /, **variables) -> str:
    text = _translations().upgettext(context, message)
    return text % variables if variables else text


def npgettext(context: str, singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    return _translations().unpgettext(context, singular, plural, num) % variables


def lazy_gettext(message: str, /, **variables) -> LazyString:
    """Translated when it is shown (form labels, messages defined at import)."""
    return LazyString(gettext, message, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, /, **variables) -> LazyString:
    return LazyString(ngettext, singular, plural, num, **variables)


def lazy_pgettext(context: str, message: str, /, **variables) -> LazyString:
    return LazyString(pgettext, context, message, **variables)


# The templates' gettext. Jinja's own ("newstyle") wraps each of these in a second call through the
# template's context and %-formats every string, with or without placeholders; these keep its
# contract (escaped where the template is, %(name)s filled from keyword arguments, %(num)d given) in
# one call, and format only a string that has something to format.

def _finish(eval_ctx: EvalContext, text: str, variables: dict):
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, message: str, /, **variables):
    return _finish(eval_ctx, _translations().ugettext(message), variables)


@pass_eval_context
def template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables):
    variables.setdefault("num", num)
    return _finish(eval_ctx, _translations().ungettext(singular, plural, num), variables)


@pass_eval_context
def template_pgettext(eval_ctx: EvalContext, context: str, message: str, /, **variables):
    return _finish(eval_ctx, _translations().upgettext(context, message), variables)


@pass_eval_context
def template_npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, /,
                       **variables):
    variables.setdefault("num", num)
    return _finish(eval_ctx, _translations().unpgettext(context, singular, plural, num), variables)


def init_app(app: Flask) -> None:
    # In place of the callables Flask-Babel installed; `{% trans %}` calls them by these names.
    app.jinja_env.globals.update(gettext=template_gettext, _=template_gettext, ngettext=template_ngettext,
                                 pgettext=template_pgettext, npgettext=template_npgettext)
    app.jinja_env.newstyle_gettext = True
    for helper in (html_language, text_direction):
        app.add_template_global(helper)
    app.add_template_filter(bdi)
    app.add_template_filter(isolate)
