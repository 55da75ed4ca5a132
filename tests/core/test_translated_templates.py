"""Templates compiled per language (core.translated_templates): constant messages become translated
literals at compile time, and a page reads exactly as when every message is translated while it renders."""

import pytest
from flask import render_template_string

from core.i18n import in_language
from core.translated_templates import TranslatedEnvironment
from tests.support.i18n import translated

# Every way a template asks for a message, with an HTML placeholder value that must stay escaped.
MESSAGES = """\
<p>{{ _("Leave a Reply") }}</p>
<p>{{ gettext("Cancel reply") }}</p>
<p>{{ _("Leave a Reply to %(name)s", name=reader) }}</p>
<p>{{ _("Leave a Reply to %(name)s", name=_("Anonymous")) }}</p>
<p>{{ pgettext("noun", "Comment") }}</p>
<p>{% trans %}Required fields are marked <span class="required" aria-hidden="true">*</span>{% endtrans %}</p>
<p>{% trans count=comments %}{{ count }} Comment{% pluralize %}{{ count }} Comments{% endtrans %}</p>
<p>{{ _(message_in_a_variable) }}</p>
<p>{% set author %}<a href="/author/">{{ reader }}</a>{% endset %}{{ _("by %(author)s", author=author) }}</p>
<p title="{{ _('%(blog)s » Feed', blog=reader) }}">{{ _("Posted in %(categories)s", categories=reader|upper) }}</p>
<p>{% trans %}100% sure{% endtrans %} {% trans name=reader %}{{ name }}: 100%{% endtrans %}</p>
"""
VALUES = {"reader": "<b>Grace</b>", "comments": 3, "message_in_a_variable": "Post Comment"}


@pytest.fixture
def german(app_factory):
    app = app_factory(BLOG_LANGUAGE="de")
    with app.test_request_context():
        yield app


def test_a_german_template_holds_its_messages_translated_and_calls_no_gettext_for_them(german):
    code = german.jinja_env.compile('<p>{{ _("Leave a Reply") }}</p><p>{{ pgettext("noun", "Comment") }}</p>', raw=True)
    assert translated("de", "Leave a Reply") in code
    assert translated("de", "Comment", context="noun") in code
    assert "gettext" not in code


def test_folded_pages_read_exactly_as_pages_translated_while_they_render(german):
    folded = german.jinja_env
    assert folded.translations is not None
    unfolded = german.__dict__["_jinja_environment"]  # the app's own: translates as it renders
    assert unfolded.translations is None
    for autoescape in (True, False):  # the HTML pages and the plain-text mails
        source = MESSAGES if autoescape else "{% autoescape false %}" + MESSAGES + "{% endautoescape %}"
        page = folded.from_string(source).render(VALUES)
        assert page == unfolded.from_string(source).render(VALUES)
        assert translated("de", "Leave a Reply") in page and translated("de", "Post Comment") in page
    assert "&lt;b&gt;Grace&lt;/b&gt;" in folded.from_string(MESSAGES).render(VALUES)


def test_each_language_compiles_its_own_templates(german):
    source = '{{ _("Leave a Reply") }}'
    assert render_template_string(source) == translated("de", "Leave a Reply")
    with in_language("fr"):
        assert render_template_string(source) == translated("fr", "Leave a Reply")
    assert render_template_string(source) == translated("de", "Leave a Reply")  # the German one, cached


def test_a_template_that_assigns_one_of_the_gettext_names_is_translated_as_it_renders(german):
    source = '{% set _ = "mine" %}{{ _ }} {{ gettext("Leave a Reply") }}'
    code = german.jinja_env.compile(source, raw=True)
    assert "gettext" in code
    assert german.jinja_env.from_string(source).render() == f"mine {translated('de', 'Leave a Reply')}"


def test_outside_a_request_templates_come_from_the_apps_own_environment(app_factory):
    app = app_factory(BLOG_LANGUAGE="de")
    with app.app_context():
        environment = app.jinja_env
        assert isinstance(environment, TranslatedEnvironment) and environment.translations is None
        assert environment.from_string('{{ _("Leave a Reply") }}').render() == translated("de", "Leave a Reply")
