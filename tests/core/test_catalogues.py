"""Every shipped catalogue is complete and safe to use: each message of translations/messages.pot is
translated (no empty, no fuzzy, no stale entry), with every plural form its language has, and each
translation keeps the placeholders and the markup of its source, so that formatting never fails
and no link or emphasis is lost."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from core.i18n import LANGUAGES, SHIPPED_CATALOGUES

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
# The count placeholder of a plural message, which a form for one may leave out ("One comment").
COUNTS = {"num", "count"}


def read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def _key(message) -> tuple[str, str | None]:
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


def _sources(message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


def _forms(message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _message_problems(source, translated, num_plurals: int) -> list[str]:
    where = f"{_key(source)[0][:60]!r}"
    forms = _forms(translated)
    if "fuzzy" in translated.flags:
        return [f"{where}: fuzzy"]
    if not all(form.strip() for form in forms):
        return [f"{where}: not translated"]
    plural = not isinstance(source.id, str)
    if plural and len(forms) != num_plurals:
        return [f"{where}: {len(forms)} plural forms, the language has {num_plurals}"]
    problems = []
    wanted = set().union(*(PLACEHOLDER.findall(text) for text in _sources(source)))
    tags = sorted(TAG.findall(_sources(source)[0]))
    for form in forms:
        found = set(PLACEHOLDER.findall(form))
        missing = wanted - found - (COUNTS if plural else set())
        if found - wanted or missing:
            problems.append(f"{where}: placeholders {sorted(found)} for {sorted(wanted)}")
        if "%" in PLACEHOLDER.sub("", form).replace("%%", ""):
            problems.append(f"{where}: a lone % (write %% for a percent sign)")
        if sorted(TAG.findall(form)) != tags:
            problems.append(f"{where}: markup {sorted(TAG.findall(form))} for {tags}")
    return problems


def catalogue_problems(catalogue: Catalog, template: Catalog) -> list[str]:
    """What is wrong with a catalogue measured against the template it translates."""
    translated = {_key(m): m for m in catalogue if m.id}
    wanted = {_key(m): m for m in template if m.id}
    problems = [f"{key[0][:60]!r}: missing" for key in wanted.keys() - translated.keys()]
    problems += [f"{key[0][:60]!r}: no longer in the template" for key in translated.keys() - wanted.keys()]
    problems += [f"{m.id!r}: stale (#~)" for m in catalogue.obsolete.values()]
    for key in wanted.keys() & translated.keys():
        problems += _message_problems(wanted[key], translated[key], catalogue.num_plurals)
    return problems


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_the_catalogue_translates_every_message_with_its_placeholders_and_markup(language):
    template = read_catalogue(SHIPPED_CATALOGUES / "messages.pot")
    catalogue = read_catalogue(SHIPPED_CATALOGUES / language / "LC_MESSAGES" / "messages.po", language)
    problems = catalogue_problems(catalogue, template)
    assert not problems, f"{len(problems)} problems in {language}:\n" + "\n".join(problems[:40])


def test_a_catalogue_with_a_lost_placeholder_or_link_is_refused():
    template = Catalog(locale="de")
    template.add("Hello %(name)s, <a href=\"%(url)s\">read</a>")
    template.add(("%(num)d comment", "%(num)d comments"))
    template.add("Missing one")
    catalogue = Catalog(locale="de")
    catalogue.add("Hello %(name)s, <a href=\"%(url)s\">read</a>", "Hallo %(nom)s, lies %(url)s")
    catalogue.add(("%(num)d comment", "%(num)d comments"), ("Ein Kommentar", ""))
    catalogue.add("Obsolete", "Veraltet")
    problems = catalogue_problems(catalogue, template)
    assert any("placeholders ['nom', 'url']" in p for p in problems)
    assert any("markup [] for ['a', 'a']" in p for p in problems)
    assert any("not translated" in p for p in problems)
    assert any("'Missing one': missing" in p for p in problems)
    assert any("'Obsolete': no longer in the template" in p for p in problems)
