"""Dates, times and relative times in the site's language and the blog's time zone (core.dates):
CLDR's patterns for every language but English, which keeps WordPress's formats byte for byte.

The blog is in Berlin: a post published at 23:30 UTC on March 4 is dated March 5 there, and a comment
written at 22:15 UTC on March 31 (the night clocks went forward) is dated April 1."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from babel.dates import parse_pattern
from flask import render_template_string

from admin.comment_rows import time_ago
from blog.models import ModerationLog, Post
from blog.permalinks import post_url
from blog.settings import save_settings
from blog.spam.standings import suspension_end
from blog.templating import local_date
from core.dates import cldr_pattern, compiled, format_local
from extensions import db
from tests.support.admin import admin_post, csrf_token_from, make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as, page_soup

PUBLISHED = datetime(2024, 3, 4, 23, 30, tzinfo=UTC)  # 00:30 on March 5 in Berlin
COMMENTED = datetime(2024, 3, 31, 22, 15, tzinfo=UTC)  # 00:15 on April 1 in Berlin (summer time)

# (language, the post's date, the comment's date and time, the Archives widget's months)
SEEN = [
    ("de", "5. März 2024", "1. April 2024, 00:15", ["April 2024", "März 2024"]),
    ("ja", "2024年3月5日", "2024年4月1日 0:15", ["2024年4月", "2024年3月"]),
    ("ar", "5 مارس 2024", "1 أبريل 2024، 12:15 ص", ["أبريل 2024", "مارس 2024"]),
    ("en", "March 5, 2024", "April 1, 2024 at 12:15 AM", ["April 2024", "March 2024"]),
]


@pytest.fixture
def berlin_blog(app_factory):
    """A blog in Berlin with a post, a comment on it and the Archives widget; its language set per test."""
    app = app_factory(BLOG_TIMEZONE="Europe/Berlin")
    with app.app_context():
        save_settings({"sidebar_widgets": ["archives"], "comment_flood_seconds": 0})
        db.session.commit()
        post = make_post(title="Zeitzonen", slug="zeitzonen", published_at=PUBLISHED)
        make_post(title="April", slug="april", published_at=COMMENTED + timedelta(minutes=5))
        make_comment(post, created_at=COMMENTED)
    return app


def reader_client(app):
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")  # the page as rendered now, not a cached copy
    return client


@pytest.mark.parametrize(("language", "post_date", "comment_date", "months"), SEEN)
def test_post_page_comment_and_archives_are_dated_in_the_language_and_the_blogs_time_zone(
        berlin_blog, language, post_date, comment_date, months):
    berlin_blog.config["BLOG_LANGUAGE"] = language
    page = page_soup(reader_client(berlin_blog).get("/2024/03/05/zeitzonen/"))
    assert page.select_one("article time.entry-date").get_text() == post_date
    assert page.select_one(".comment-metadata time").get_text() == comment_date
    assert page.select_one(".comment-metadata time")["datetime"] == "2024-04-01T00:15+02:00"
    assert [a.get_text() for a in page.select(".widget_archive a")] == months


@pytest.mark.parametrize(("language", "heading"), [("de", "April 2024"), ("ja", "2024年4月"), ("en", "April 2024")])
def test_a_month_archive_names_its_month_in_the_language(berlin_blog, language, heading):
    berlin_blog.config["BLOG_LANGUAGE"] = language
    page = page_soup(reader_client(berlin_blog).get("/2024/04/"))
    assert heading in page.select_one("h1.page-title").get_text()


def test_permalinks_keep_their_local_dates_whatever_the_language(berlin_blog):
    for language in ("de", "ar", "en"):
        berlin_blog.config["BLOG_LANGUAGE"] = language
        with berlin_blog.test_request_context():
            post = db.session.scalars(sa.select(Post).filter_by(slug="zeitzonen")).one()
            assert post_url(post) == "/2024/03/05/zeitzonen/"


def test_the_same_comments_are_shown_in_each_language_the_site_switches_to(berlin_blog):
    """The comment list is memoized per process: switching languages must not serve the other's copy."""
    client = reader_client(berlin_blog)
    said = {}
    for language in ("en", "de", "en"):
        berlin_blog.config["BLOG_LANGUAGE"] = language
        said.setdefault(language, []).append(
            page_soup(client.get("/2024/03/05/zeitzonen/")).select_one(".comment-metadata time").get_text())
    assert said == {"en": ["April 1, 2024 at 12:15 AM"] * 2, "de": ["1. April 2024, 00:15"]}


@pytest.mark.parametrize(("language", "ago", "exact"), [
    ("de", "vor 2 Minuten", r"\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}"),
    ("ja", "2 分前", r"\d{4}/\d{2}/\d{2} \d{1,2}:\d{2}"),
    ("ar", "قبل دقيقتين", r"\d{2}\u200f/\d{2}\u200f/\d{4}، \d{1,2}:\d{2} [صم]"),
    ("en", "2 minutes ago", r"\d{4}/\d{2}/\d{2} at \d{1,2}:\d{2} [AP]M"),
])
def test_the_moderators_move_says_how_long_ago_in_the_language(berlin_blog, language, ago, exact):
    berlin_blog.config["BLOG_LANGUAGE"] = language
    client = berlin_blog.test_client()
    with berlin_blog.app_context():
        comment_id = make_comment(make_post(), status="approved").id
        login_as(client, make_user(True, "Blog Owner", "owner@example.com"))
        admin_post(client, f"/admin/comments/{comment_id}/spam", csrf_token_from(client.get("/admin/")))
        db.session.execute(sa.update(ModerationLog).where(ModerationLog.comment_id == comment_id)
                           .values(created_at=datetime.now(UTC) - timedelta(minutes=2, seconds=5)))
        db.session.commit()
        page = page_soup(client.get("/admin/comments", query_string={"comment_status": "spam"}))
    when = page.select_one(f"tr#comment-{comment_id} .status-reason time")
    assert when.get_text() == ago
    assert re.fullmatch(exact, when["title"]), when["title"]


@pytest.mark.parametrize(("language", "seconds", "said"), [
    ("ar", 60, "قبل دقيقة واحدة"), ("ar", 120, "قبل دقيقتين"), ("ar", 300, "قبل 5 دقائق"),
    ("ar", 86400 * 11, "قبل 11 يومًا"), ("de", 3600 * 5 + 3599, "vor 5 Stunden"), ("de", 86400 * 65, "vor 2 Monaten"),
    ("ja", 86400 * 800, "2 年前"), ("en_GB", 86400 * 3, "3 days ago"),
])
def test_relative_times_use_the_languages_plural_forms_rounded_down(app_factory, language, seconds, said):
    app = app_factory(BLOG_LANGUAGE=language)
    now = datetime(2024, 3, 5, 8, 0, tzinfo=UTC)
    with app.test_request_context():
        assert time_ago(now - timedelta(seconds=seconds), now) == said


ENGLISH_FORMATS = ["%B %-d, %Y", "%B %-d, %Y at %-I:%M %p", "%Y/%m/%d at %-I:%M %p", "%Y/%m/%d %H:%M",
                   "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%-I:%M %p", "%B %Y", "%b %-d, %Y at %H:%M"]


@pytest.mark.parametrize("fmt", ENGLISH_FORMATS)
def test_english_keeps_wordpress_formats_byte_for_byte(app_factory, fmt):
    app = app_factory(BLOG_TIMEZONE="Europe/Berlin")
    with app.test_request_context():
        assert local_date(COMMENTED, fmt) == datetime(2024, 4, 1, 0, 15).strftime(fmt)


@pytest.mark.parametrize(("fmt", "shown"), [("%Y/%m/%d %H:%M", "2024/04/01 00:15"),
                                            ("%Y/%m/%d %H:%M:%S", "2024/04/01 00:15:00")])
def test_the_admins_numeric_log_times_are_the_same_in_every_language(app_factory, fmt, shown):
    app = app_factory(BLOG_LANGUAGE="ar", BLOG_TIMEZONE="Europe/Berlin")
    with app.test_request_context():
        assert local_date(COMMENTED, fmt) == shown


@pytest.mark.parametrize(("fmt", "shown"), [
    ("%Y/%m/%d at %-I:%M %p", "01.04.2024, 00:15"), ("%Y/%m/%d", "01.04.2024"), ("%-I:%M %p", "00:15"),
    ("%b %-d, %Y at %H:%M", "01.04.2024, 00:15"),
])
def test_the_admins_dates_in_german(app_factory, fmt, shown):
    app = app_factory(BLOG_LANGUAGE="de", BLOG_TIMEZONE="Europe/Berlin")
    with app.test_request_context():
        assert local_date(COMMENTED, fmt) == shown


@pytest.mark.parametrize(("language", "shown"),
                         [("en", "March 4, 2027"), ("de", "4. März 2027"), ("ja", "2027年3月4日")])
def test_a_suspensions_last_day_is_written_in_the_language(app_factory, language, shown):
    app = app_factory(BLOG_LANGUAGE=language)
    with app.test_request_context():
        assert suspension_end(datetime(2027, 3, 5, tzinfo=UTC)) == shown  # ends at midnight: the 4th is the last


MOMENTS = [datetime(2024, 3, 4, 0, 4), datetime(2024, 12, 31, 12, 0), datetime(1999, 1, 9, 23, 59),
           datetime(2025, 7, 15, 9, 30)]


@pytest.mark.parametrize("language", ["de", "fr", "es", "ja", "ar", "ru", "pl", "fa", "hi", "he", "zh_Hant", "ko",
                                      "th", "fi", "pt_BR", "uk", "cs", "en_GB", "en_US_POSIX", "sr_Latn"])
@pytest.mark.parametrize("fmt", ENGLISH_FORMATS[:3] + ["%Y/%m/%d", "%-I:%M %p", "%B %Y", "%b %-d, %Y at %H:%M"])
def test_each_compiled_style_writes_what_babel_writes_for_its_pattern(language, fmt):
    pattern = parse_pattern(cldr_pattern(fmt, language))
    for moment in MOMENTS:
        assert compiled(fmt, language)(moment) == pattern.apply(moment, language)


def test_a_format_with_no_style_is_strftimes_in_every_language():
    assert format_local(datetime(2024, 4, 1, 0, 15), "%d.%m.", "ja") == "01.04."


@pytest.mark.parametrize(("language", "shown"), [("de", "1.234.567"), ("ja", "1,234,567"), ("hi", "12,34,567"),
                                                 ("en", "1234567")])
def test_counts_are_grouped_as_the_language_groups_digits_and_english_stays_as_it_was(app_factory, language, shown):
    app = app_factory(BLOG_LANGUAGE=language)
    with app.test_request_context():
        assert render_template_string("{{ 1234567|number }} {{ none|number }}", none=None) == f"{shown} None"
