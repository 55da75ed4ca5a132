"""Rendering a stored body takes time in proportion to its length, whatever it holds.

Imported posts and guests' comments are written by strangers. Each body below took from
several seconds to minutes to render when a pattern rescanned the rest of the body at each of
its many starts, or when nh3's parser walked an ever deeper stack of unclosed elements; the
budget is generous, so a slow machine does not fail a linear renderer.
"""

import time

import pytest

from blog.permalinks import post_url
from blog.rendering import render_comment, render_post_body
from tests.support.factories import make_comment, make_post

BUDGET_SECONDS = 2.0

ADVERSARIAL_POST_BODIES = {
    "unclosed_html_comments": "<!--" * 25_000,
    "unclosed_divs_with_text": "<div>x" * 30_000,
    "unclosed_list_items": "<ul><li>x" * 20_000,
    "nested_blockquotes_with_paragraphs": "<blockquote>\n\nx\n\n" * 20_000,
    "caption_openings_without_end": "[caption]" * 20_000,
    "escaped_caption_openings": "[[caption" * 20_000,
    "caption_attributes_without_bracket": "[caption id='a' width='1' caption='x' " * 10_000,
    "unclosed_pre_elements": "<pre>" * 20_000,
    "tag_starts_without_end": "<a" * 50_000,
    "script_starts_without_end": "<script " * 20_000,
    "caption_of_tag_starts": "[caption]" + "<a <img " * 20_000 + "[/caption]",
    "mis_nested_formatting": "<em>x</p>" * 20_000,
}


def _seconds(render, *args) -> float:
    started = time.perf_counter()
    render(*args)
    return time.perf_counter() - started


@pytest.mark.parametrize("name", ADVERSARIAL_POST_BODIES)
def test_an_adversarial_imported_body_renders_within_the_budget(app, name):
    body = ADVERSARIAL_POST_BODIES[name]
    assert _seconds(render_post_body, body, "html") < BUDGET_SECONDS


def test_an_adversarial_markdown_body_renders_within_the_budget(app):
    assert _seconds(render_post_body, "<div>x" * 20_000, "markdown") < BUDGET_SECONDS


@pytest.mark.parametrize("body", ["<" * 65_000, "<ul><li>x" * 7_000], ids=["lt_run", "lists"])
def test_an_adversarial_comment_renders_within_the_budget(app, body):
    assert _seconds(render_comment, body) < BUDGET_SECONDS


def test_deep_nesting_is_capped_but_its_text_is_kept(app):
    html = render_post_body("<div>x" * 1_000 + "end", "html")
    assert html.count("<div>") < 100
    assert html.count("x") == 1_000 and "end" in html


def test_a_body_of_unclosed_comments_serves_the_home_and_post_pages_in_time(app, client):
    post = make_post(title="Imported", body="Before<!--" + "<!--" * 25_000, body_format="html")
    for url in ("/", post_url(post)):
        started = time.perf_counter()
        response = client.get(url)
        assert time.perf_counter() - started < BUDGET_SECONDS
        assert response.status_code == 200
        assert "Before" in response.get_data(as_text=True)


def test_deeply_nested_lists_and_a_comment_of_tag_starts_serve_the_post_page_in_time(app, client):
    post = make_post(title="Lists", body="<ul><li>item" * 20_000, body_format="html")
    make_comment(post, body="<" * 65_000 + " the end")
    started = time.perf_counter()
    response = client.get(post_url(post))
    assert time.perf_counter() - started < BUDGET_SECONDS
    assert response.status_code == 200
    assert "the end" in response.get_data(as_text=True)
