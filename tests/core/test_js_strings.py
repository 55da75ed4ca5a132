"""The scripts' text (core/js_strings.py): every message in the page's language, sent on the script's tag."""

import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import NullTranslations
from bs4 import BeautifulSoup
from flask import render_template_string

from core.js_strings import MESSAGES, PLURALS, js_catalogue, plural_samples, script_strings
from tests.support.xss_check import script_hazards

SCRIPTS = Path(__file__).resolve().parents[2] / "static" / "js"
JS_STRING = r'"((?:[^"\\]|\\.)*)"'
TEXT_CALL = re.compile(rf'\btext\("(\w+)",\s*{JS_STRING}')
PLURAL_CALL = re.compile(rf'\bplural\("(\w+)",\s*[\w.]+,\s*{JS_STRING},\s*{JS_STRING}\)')
ALT_ONE = ("%(num)d image has no alt text (![](…)): describe each image between the brackets for readers who "
           "cannot see it.")
ALT_OTHER = ("%(num)d images have no alt text (![](…)): describe each image between the brackets for readers who "
             "cannot see it.")
HOSTILE = "Gotowe.</script><script>alert(1)</script>' onload='alert(2)' & \"więcej\""
POLISH = {
    "Leave a Reply": "Dodaj komentarz",
    "Done.": HOSTILE,
    (ALT_ONE, ALT_OTHER): (
        "%(num)d obraz nie ma tekstu alternatywnego (![](…)): opisz każdy obraz w nawiasach kwadratowych.",
        "%(num)d obrazy nie mają tekstu alternatywnego (![](…)): opisz każdy obraz w nawiasach kwadratowych.",
        "%(num)d obrazów nie ma tekstu alternatywnego (![](…)): opisz każdy obraz w nawiasach kwadratowych.",
    ),
}


def english_in_scripts() -> dict[str, dict[str, str | tuple[str, str]]]:
    """Each script's own English, by file name and key, as its text() and plural() calls give it."""
    found = {}
    for path in sorted(SCRIPTS.glob("*.js")):
        source = path.read_text(encoding="utf-8")
        texts = {key: json.loads(f'"{english}"') for key, english in TEXT_CALL.findall(source)}
        plurals = {key: (json.loads(f'"{one}"'), json.loads(f'"{other}"'))
                   for key, one, other in PLURAL_CALL.findall(source)}
        found[path.stem] = {**texts, **plurals}
    return found


@pytest.fixture
def polish_app(app_factory, tmp_path):
    """A blog in Polish (three plural forms for whole numbers), from a catalogue of a few messages."""
    catalogue = Catalog(locale="pl")
    for message, translation in POLISH.items():
        catalogue.add(message, translation)
    target = tmp_path / "pl" / "LC_MESSAGES" / "messages.mo"
    target.parent.mkdir(parents=True)
    with target.open("wb") as out:
        write_mo(out, catalogue)
    app = app_factory(BLOG_LANGUAGE="pl", BABEL_TRANSLATION_DIRECTORIES=str(tmp_path))
    with app.test_request_context():
        yield app


def test_english_catalogue_holds_every_message_of_a_script_with_its_placeholders(app):
    for script in MESSAGES.keys() | PLURALS.keys():
        catalogue = js_catalogue(script)
        assert catalogue["locale"] == "en"
        assert catalogue["messages"].keys() == MESSAGES.get(script, {}).keys() | PLURALS.get(script, {}).keys()
    assert js_catalogue("comment-reply")["messages"] == {
        "reply_title": "Leave a Reply", "reply_title_to": "Leave a Reply to %(name)s"}
    assert js_catalogue("post-editor")["messages"]["images_without_alt"] == {"one": ALT_ONE, "other": ALT_OTHER}
    assert js_catalogue("media-library")["messages"]["file_error"] == "%(name)s: %(error)s"


def test_a_script_without_messages_is_a_mistake_in_the_template(app):
    with pytest.raises(KeyError):
        js_catalogue("likes")


def test_each_script_shows_the_catalogues_english_for_every_message_and_no_other():
    english = NullTranslations()
    in_scripts = english_in_scripts()
    for script, found in in_scripts.items():
        plurals = {key: (plural(english, 1), plural(english, 2)) for key, plural in PLURALS.get(script, {}).items()}
        assert found == {**MESSAGES.get(script, {}), **plurals}, script
    assert MESSAGES.keys() | PLURALS.keys() <= in_scripts.keys()


def test_an_english_page_sends_no_strings_its_scripts_english_is_the_same(app):
    for script in MESSAGES.keys() | PLURALS.keys():
        assert script_strings(script) == ""


def test_a_translated_page_sends_only_the_messages_that_differ_from_the_scripts_english(polish_app):
    tag = render_template_string('<script src="/static/js/comment-reply.js"{{ script_strings("comment-reply") }} '
                                 "defer></script>", script_strings=script_strings)
    sent = json.loads(BeautifulSoup(tag, "html.parser").script["data-strings"])
    assert sent == {"locale": "pl", "messages": {"reply_title": "Dodaj komentarz"}}


def test_a_plural_message_has_the_catalogues_form_for_each_plural_category_of_the_locale(polish_app):
    forms = js_catalogue("post-editor")["messages"]["images_without_alt"]
    assert forms == {"one": POLISH[ALT_ONE, ALT_OTHER][0], "few": POLISH[ALT_ONE, ALT_OTHER][1],
                     "many": POLISH[ALT_ONE, ALT_OTHER][2]}
    assert all("%(num)d" in form for form in forms.values())


def test_markup_and_quotes_in_a_translation_stay_text_inside_the_script_tag(polish_app):
    html = render_template_string(
        '<!doctype html><body><script src="/static/js/admin.js"{{ script_strings("admin") }} defer></script></body>',
        script_strings=script_strings,
    )
    soup = BeautifulSoup(html, "html5lib")
    (script,) = soup.find_all("script")
    assert json.loads(script["data-strings"])["messages"] == {"done": HOSTILE}
    assert list(script.attrs) == ["src", "data-strings", "defer"] and script.string is None
    assert "</script><script>" not in html and "'alert" not in html
    assert script_hazards(html) == []


def test_plural_categories_are_sampled_with_whole_numbers_browsers_agree_on():
    assert plural_samples("en") == {"other": 0, "one": 1}
    assert plural_samples("ja") == {"other": 0}
    assert plural_samples("fr")["many"] == 1_000_000  # "1 000 000 de commentaires"
    assert plural_samples("ar") == {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 11, "other": 100}
