"""Feeds, sitemap and robots.txt: valid, dated, escaped, and listing only what readers may see."""

from datetime import UTC, datetime, timedelta

import feedparser
from bs4 import BeautifulSoup

from config import TestConfig
from tests.support.factories import make_comment, make_post

SITE = TestConfig.SITE_URL  # every absolute URL is built on it
FEED_URLS = ("/feed/", "/feed/atom/", "/comments/feed/", "/comments/feed/atom/")


def _parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


def _permalink(post) -> str:
    return post.published_at.strftime(f"/%Y/%m/%d/{post.slug}/")


def _blog(client):
    old = make_post(title="Older post", published_at=datetime(2024, 1, 2, 8, tzinfo=UTC))
    new = make_post(
        title="Tips & <tricks> for “networking”",
        body="Hello **world** & co.",
        published_at=datetime(2024, 3, 5, 10, 30, tzinfo=UTC),
    )
    make_post(title="Draft post", status="draft")
    make_post(title="Scheduled post", published_at=datetime.now(UTC) + timedelta(days=3))
    return old, new


def test_post_feeds_list_published_posts_newest_first_with_dates_and_guids(client):
    old, new = _blog(client)
    for url, media_type, version in (
        ("/feed/", "application/rss+xml", "rss20"),
        ("/feed/atom/", "application/atom+xml", "atom10"),
    ):
        response, feed = _parse(client, url)
        assert response.mimetype == media_type
        assert feed.version == version
        assert [e.title for e in feed.entries] == [new.title, "Older post"]
        entry = feed.entries[0]
        assert entry.link.endswith(_permalink(new))
        assert entry.id.endswith(f"/?p={new.id}")
        assert datetime(*entry.published_parsed[:6], tzinfo=UTC) == new.published_at
        assert "<strong>world</strong> &amp; co." in entry.content[0].value
        assert feed.feed.title == "Career Notes"


def test_feed_guid_is_stable_and_prefers_an_imported_guid(client):
    post = make_post(guid="https://old.example.com/?p=42")
    _, feed = _parse(client, "/feed/")
    assert feed.entries[0].id == "https://old.example.com/?p=42"
    rss = client.get("/feed/").get_data(as_text=True)
    assert '<guid isPermaLink="false">https://old.example.com/?p=42</guid>' in rss
    assert post.title in rss


def test_comment_feeds_list_only_approved_comments_on_visible_posts(client):
    old, new = _blog(client)
    make_comment(new, author_name="Ann <b>", body="Approved & visible <script>")
    make_comment(new, status="pending", body="Held comment")
    make_comment(new, status="spam", body="Spam comment")
    make_comment(old, author_name="Bob", body="On the old post")
    draft = make_post(status="draft")
    make_comment(draft, body="On a draft")
    for url in ("/comments/feed/", "/comments/feed/atom/"):
        _, feed = _parse(client, url)
        assert [e.title for e in feed.entries] == [
            "Comment on Older post by Bob",
            f"Comment on {new.title} by Ann <b>",
        ]
        text = " ".join(e.summary for e in feed.entries)
        assert "<p>Approved &amp; visible </p>" in text  # the sanitized HTML the page shows
        assert "Held" not in text and "Spam" not in text and "draft" not in text
    _, feed = _parse(client, _permalink(new) + "feed/")
    assert [e.title for e in feed.entries] == ["By: Ann <b>"]
    entry = feed.entries[0]
    assert entry.link.endswith(f"{_permalink(new)}#comment-{entry.id.split('-')[-1]}")
    assert entry.id.endswith(f"/?p={new.id}#comment-{entry.id.split('-')[-1]}")
    _, atom = _parse(client, _permalink(new) + "feed/atom/")
    assert atom.version == "atom10" and len(atom.entries) == 1


def test_escaped_text_never_becomes_markup_in_feeds(client):
    _, new = _blog(client)
    make_comment(new, author_name="Eve", body="</description><script>alert(1)</script>")
    raw = client.get("/comments/feed/").get_data(as_text=True)
    assert "<script>" not in raw
    assert "&lt;script&gt;" not in raw, "a reader that renders the description as HTML finds no script"
    assert "alert(1)" not in raw


def test_a_comment_holding_control_characters_leaves_every_feed_readable(client):
    _, new = _blog(client)
    make_comment(new, author_name="Bell\x07", body="Ring\x07 the \x1b[31mbell\x0b")
    for url in (*FEED_URLS, _permalink(new) + "feed/"):
        _, feed = _parse(client, url)  # XML 1.0 cannot hold them, even escaped: they are dropped
    assert feed.entries[0].title == "By: Bell" and "Ring the [31mbell" in feed.entries[0].summary


def test_feeds_of_hidden_or_unknown_posts_are_404(client):
    draft = make_post(status="draft")
    assert client.get(_permalink(draft) + "feed/").status_code == 404
    assert client.get("/2024/02/31/nothing/feed/").status_code == 404


def test_empty_blog_feeds_still_parse(client):
    for url in FEED_URLS:
        _, feed = _parse(client, url)
        assert feed.entries == []


def test_feed_answers_304_when_unchanged(client):
    _blog(client)
    first = client.get("/feed/")
    assert first.headers["Last-Modified"] and first.headers["ETag"]
    again = client.get("/feed/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_pages_advertise_their_feeds(client):
    _, new = _blog(client)
    head = BeautifulSoup(client.get("/").get_data(as_text=True), "html.parser").head
    links = {
        (ln["type"], ln["href"].replace(SITE, ""))
        for ln in head.select("link[rel=alternate]")
    }
    assert links == {
        ("application/rss+xml", "/feed/"),
        ("application/atom+xml", "/feed/atom/"),
        ("application/rss+xml", "/comments/feed/"),
    }
    head = BeautifulSoup(client.get(_permalink(new)).get_data(as_text=True), "html.parser").head
    hrefs = [ln["href"] for ln in head.select('link[rel=alternate][type="application/rss+xml"]')]
    assert hrefs[-1].endswith(_permalink(new) + "feed/")  # after the blog's own: the post's comments
    assert client.get(hrefs[-1].replace(SITE, "")).status_code == 200


def test_sitemap_lists_published_posts_only(client):
    old, new = _blog(client)
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    page = BeautifulSoup(response.get_data(as_text=True), "xml")
    locs = [loc.get_text().replace(SITE, "") for loc in page.select("url > loc")]
    assert locs == ["/", _permalink(new), _permalink(old)]
    modified = max(old.updated_at, old.published_at).astimezone(UTC)
    assert page.select("url > lastmod")[2].get_text() == modified.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_parts(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert f"Sitemap: {SITE}/sitemap.xml" in body  # on SITE_URL, whatever Host the request had
    for path in ("/admin/", "/auth/", "/notify/"):
        assert f"Disallow: {path}" in body
