"""The public pages: home, post permalinks, the discussion markup and 404s."""

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup

from blog.demo import load_demo_content
from tests.support.factories import make_comment, make_post

SEED_TITLE = "What Do You Do When You Hate to Network?"
SEED_URL = "/2024/03/04/what-do-you-do-when-you-hate-to-network/"


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_demo_content_loads_once_and_home_lists_it(client):
    assert load_demo_content() == 4  # three posts and the About page
    assert load_demo_content() == 0
    page = soup(client.get("/"))
    entry = next(e for e in page.select("article.entry") if e.select_one("h2.entry-title a").get_text() == SEED_TITLE)
    assert entry.select_one("h2.entry-title a")["href"] == SEED_URL
    assert "March 4, 2024" in entry.select_one(".entry-meta").get_text()
    assert "Leave a Comment" in entry.select_one(".entry-meta").get_text()
    assert entry.select_one(".cat-links a")["href"] == "/category/careers/networking/"
    assert client.get("/about/").status_code == 200
    assert "Coffee Chats Beat Mixers" in client.get("/tag/introverts/").get_data(as_text=True)


def test_seed_post_page_has_wordpress_discussion_markup(client):
    load_demo_content()
    response = client.get(SEED_URL)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("h1.entry-title").get_text() == SEED_TITLE
    assert page.select_one("#comments h2").get_text() == f"0 Responses to “{SEED_TITLE}”"
    assert page.select_one(".comments-link a[href='#respond']").get_text() == "Leave a Comment"
    assert page.select_one("div#respond h3#reply-title").get_text(strip=True).startswith("Leave a Reply")
    form = page.select_one("div#respond form#commentform")
    for name in ("author", "email", "url", "comment", "comment_parent"):
        assert form.select_one(f"[name={name}]") is not None, name
    assert form.select_one("[type=submit]") is not None
    headings = [h.get_text() for h in page.select(".entry-content h2")]
    assert headings == ["Get clear on how networking really works", "How will you be perceived?"]
    assert "WordPress.com Logo" not in response.get_data(as_text=True)


def test_permalink_without_trailing_slash_redirects(client):
    load_demo_content()
    response = client.get(SEED_URL.rstrip("/"))
    assert response.status_code in (301, 308)
    assert response.headers["Location"].endswith(SEED_URL)


def test_unknown_slug_wrong_date_and_draft_are_styled_404s(client):
    draft = make_post(status="draft")
    make_post(slug="real-post")
    for url in (
        "/2024/03/04/no-such-post/",
        "/2023/01/01/real-post/",
        "/2024/02/31/real-post/",
        f"/2024/03/04/{draft.slug}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "can’t be found" in response.get_data(as_text=True)
        assert soup(response).select_one("link[rel=stylesheet]") is not None


def test_scheduled_post_is_hidden_until_its_date(client):
    future = datetime.now(UTC) + timedelta(days=2)
    post = make_post(published_at=future)
    assert post.title not in client.get("/").get_data(as_text=True)
    url = future.strftime(f"/%Y/%m/%d/{post.slug}/")
    assert client.get(url).status_code == 404


def test_home_is_newest_first_and_paginated(app, client):
    posts = [make_post() for _ in range(app.config["POSTS_PER_PAGE"] + 2)]
    first = [a.get_text() for a in soup(client.get("/")).select("h2.entry-title a")]
    assert first[0] == posts[-1].title
    assert len(first) == app.config["POSTS_PER_PAGE"]
    second = [a.get_text() for a in soup(client.get("/page/2/")).select("h2.entry-title a")]
    assert second == [posts[1].title, posts[0].title]
    assert client.get("/page/99/").status_code == 404


def test_markdown_body_is_sanitized(client):
    post = make_post(body="Hello **world** <script>alert(1)</script> [x](javascript:alert(1))")
    html = client.get(post.published_at.strftime(f"/%Y/%m/%d/{post.slug}/")).get_data(as_text=True)
    content = soup_html(html).select_one(".entry-content")
    assert content.select_one("strong").get_text() == "world"
    assert content.select_one("script") is None
    assert "javascript:" not in str(content)


def soup_html(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_approved_comments_show_in_thread_order_and_count(client):
    post = make_post()
    first = make_comment(post, body="First")
    make_comment(post, body="Held back", status="pending")
    reply = make_comment(post, parent=first, body="Reply to first")
    make_comment(post, parent=reply, body="Reply to reply")
    make_comment(post, body="Second")
    page = soup(client.get(post.published_at.strftime(f"/%Y/%m/%d/{post.slug}/")))
    assert page.select_one("#comments h2").get_text().startswith("4 Responses to")
    top = page.select("ol.comment-list > li")
    assert [li["id"] for li in top] == [f"comment-{first.id}", top[1]["id"]]
    nested = top[0].select_one(f"ol.children > li#comment-{reply.id}")
    assert nested.select_one(":scope > ol.children .comment-content").get_text(strip=True) == "Reply to reply"
    assert "Held back" not in page.get_text()
