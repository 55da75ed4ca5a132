"""The text our scripts (static/js) show, translated on the server and handed to each script.

A template gives a script its strings on its own tag, so they come with the page and no request
fetches them: `<script src="…/comment-reply.js"{{ script_strings("comment-reply") }} defer>` adds
`data-strings='{"locale":"de","messages":{…}}'`. The script reads it from
`document.currentScript.dataset.strings` and keeps its own English for every message the page does
not send: in English nothing is sent, and a theme's template without the attribute shows English.
Placeholders (`%(name)s`, `%(num)d`) are left for the script to fill.

Plural messages are sent as one form per plural category of the locale (CLDR's one, few, many…,
each rendered through the catalogue for a number of that category); the script picks the form
with `Intl.PluralRules` for the same locale, so languages with several plurals get theirs.
"""

import functools
import itertools
from collections.abc import Callable

from babel import Locale
from babel.support import NullTranslations
from flask import Flask
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from core.i18n import current_language


def N_(message: str) -> str:
    """Marks a message for the extractor (gettext's name for it); it is translated for each page."""
    return message


# Each script's plain messages, by script (its file name in static/js, without ".js") and key.
MESSAGES = {
    "comment-reply": {
        "reply_title": N_("Leave a Reply"),
        "reply_title_to": N_("Leave a Reply to %(name)s"),
    },
    "comment-edit": {
        "edit_not_saved": N_("Your edit was not saved."),
        "edited_now": N_("Edited just now"),
        "awaiting_moderation": N_("Your comment is awaiting moderation."),
        "delete_confirm": N_("Delete your comment? This cannot be undone."),
        "delete_failed": N_("Your comment was not deleted."),
    },
    "admin": {
        "no_comments": N_("No comments found."),
        "done": N_("Done."),
        "failed": N_("That did not work."),
        "file_too_big": N_(
            "This file is larger than the upload limit (%(limit)s). Import it on the server with flask wxr import "
            "instead."
        ),
    },
    "post-editor": {
        "schedule": N_("Schedule"),
        "publish": N_("Publish"),
        "uploading": N_("Uploading %(name)s…"),
        "too_many_uploads": N_("Too many uploads: wait a minute and try again."),
        "upload_failed_status": N_("The upload failed (%(status)s)."),
        "upload_failed": N_("The upload failed."),
        "uploaded": N_("%(name)s uploaded."),
        "file_error": N_("%(name)s: %(error)s"),
        "image": N_("Image"),
        "image_number": N_("Image %(id)s"),
        "making_sizes": N_("%(name)s: making its sizes…"),
        "not_processed": N_("it could not be processed."),
        "still_processing": N_("it is still being processed; insert it later from the Media Library."),
    },
    "media-library": {
        "copied": N_("Copied."),
        "copy_by_hand": N_("Select the address and copy it."),
        "file_uploading": N_("%(name)s: uploading…"),
        "upload_of": N_("Upload of %(name)s"),
        "file_uploaded": N_("%(name)s: uploaded."),
        "file_uploaded_sizing": N_("%(name)s: uploaded; its sizes are being made."),
        "file_error": N_("%(name)s: %(error)s"),
        "too_many_uploads": N_("too many uploads, wait a minute and try again."),
        "upload_failed_status": N_("the upload failed (%(status)s)."),
        "show_new_images": N_("Show the new images"),
    },
}

# Plural messages, by script and key: the catalogue's form for a count, its %(num)d unfilled.
# Each is one `ungettext` call with its literal texts, where the message extractor finds them.
PluralMessage = Callable[[NullTranslations, int], str]
PLURALS: dict[str, dict[str, PluralMessage]] = {
    "post-editor": {
        "images_without_alt": lambda translations, n: translations.ungettext(
            "%(num)d image has no alt text (![](…)): describe each image between the brackets for readers who "
            "cannot see it.",
            "%(num)d images have no alt text (![](…)): describe each image between the brackets for readers who "
            "cannot see it.",
            n,
        ),
    },
}

# Whole numbers tried for a sample of each plural category: French and Spanish have "many" for
# millions only.
_CANDIDATES = tuple(itertools.chain(range(1000), (10**power for power in range(3, 10))))


@functools.cache
def plural_samples(locale: str) -> dict[str, int]:
    """A whole number of each plural category the locale has (CLDR's, as browsers' Intl uses)."""
    rule = Locale.parse(locale).plural_form
    samples: dict[str, int] = {}
    for number in _CANDIDATES:
        samples.setdefault(rule(number), number)
    return samples


def _messages(script: str, translations: NullTranslations, samples: dict[str, int]) -> dict:
    """A script's messages through these translations; its plurals as one form per category."""
    messages: dict[str, str | dict[str, str]] = {
        key: translations.ugettext(message) for key, message in MESSAGES.get(script, {}).items()
    }
    for key, plural in PLURALS.get(script, {}).items():
        messages[key] = {category: plural(translations, number) for category, number in samples.items()}
    return messages


def js_catalogue(script: str) -> dict:
    """Every message of one script in the current locale, and the locale (a BCP 47 tag) for its plurals."""
    language = current_language()
    if language is None:
        return _catalogue(script, "en", NullTranslations())
    return _catalogue(script, language.name, language.translations)


def _catalogue(script: str, locale: str, translations: NullTranslations) -> dict:
    if script not in MESSAGES and script not in PLURALS:
        raise KeyError(f"no strings for the script {script!r}")
    messages = _messages(script, translations, plural_samples(locale))
    return {"locale": locale.replace("_", "-"), "messages": messages}


def script_strings(script: str) -> Markup:
    """A script tag's ` data-strings='…'`: the messages whose text is not the script's own English.

    Empty when there are none (an English page); the JSON escapes <, >, & and ' for the attribute.
    """
    language = current_language()
    return _script_strings(script, language.name, language.translations)


@functools.lru_cache(maxsize=64)
def _script_strings(script: str, locale: str, translations: NullTranslations) -> Markup:
    """The same for every page in one language (catalogues are loaded once per app and language)."""
    catalogue = _catalogue(script, locale, translations)
    english = _messages(script, NullTranslations(), plural_samples(locale))
    changed = {key: text for key, text in catalogue["messages"].items() if text != english[key]}
    if not changed:
        return Markup("")
    payload = htmlsafe_json_dumps({**catalogue, "messages": changed}, separators=(",", ":"), ensure_ascii=False)
    return Markup(" data-strings='") + payload + Markup("'")


def init_app(app: Flask) -> None:
    """Let templates give a script its strings: `<script src="…"{{ script_strings("admin") }} defer>`."""
    app.add_template_global(script_strings)
