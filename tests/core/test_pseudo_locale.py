"""The pseudo-locale: strings come out accented, longer and bracketed with their placeholders and
markup intact, and the blog's pages shown in it have no English text left that is not the content."""


import pytest

from core.pseudo_locale import CLOSE, OPEN, PSEUDO_LOCALE, pseudo


def test_pseudo_text_is_accented_longer_and_bracketed():
    text = pseudo("Leave a Reply")
    assert text.startswith(OPEN) and text.endswith(CLOSE)
    assert "Leave" not in text and "Ļéåṽé" in text
    assert len(text) - 2 >= 1.4 * len("Leave a Reply")


@pytest.mark.parametrize("kept", ["%(name)s", "%(num)d", "%%", '<a href="%(url)s">', "</a>", "&amp;", "&#8217;"])
def test_placeholders_markup_and_entities_survive(kept):
    assert kept in pseudo(f"Logged in as {kept} today")


def test_the_pseudo_locale_translates_the_blogs_own_strings(app_factory, pseudo_translations):
    from flask import render_template_string

    app = app_factory(BLOG_LANGUAGE=PSEUDO_LOCALE, BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations))
    with app.test_request_context():
        # A string of the app's, marked in Python and in a template alike.
        assert render_template_string("{{ _('Leave a Reply') }}") == pseudo("Leave a Reply")
