"""Comment pages: whole threads a page at a time, newest or oldest page first; rate limits."""

import uuid

import pytest
import redis

from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, submit_comment


def build_threads(post, count: int):
    """`count` top-level comments, each with a reply and a reply to that reply."""
    roots = []
    for n in range(count):
        root = make_comment(post, body=f"Thread {n}")
        make_comment(post, parent=make_comment(post, parent=root, body=f"Reply {n}"), body=f"Deep {n}")
        roots.append(root)
    return roots


def thread_ids(response) -> list[int]:
    return [int(li["id"].split("-")[1]) for li in page_soup(response).select("ol.comment-list > li")]


@pytest.mark.parametrize("first", ["newest", "oldest"])
def test_threads_are_paged_whole_with_links_between_pages(client, first):
    save_settings({"comments_per_page": 4, "default_comments_page": first})
    db.session.commit()
    post = make_post()
    roots = build_threads(post, 10)
    default = client.get(post_url(post))
    # Pages are numbered from the oldest, as WordPress numbers them; "newest" shows the last page,
    # which holds what is left over (WordPress's comments_template: offset (pages - 1) * per page).
    expected_first = roots[8:] if first == "newest" else roots[:4]
    assert thread_ids(default) == [r.id for r in expected_first]
    page = page_soup(default)
    for root in expected_first:
        thread = page.select_one(f"li#comment-{root.id}")
        assert len(thread.select("li[id^=comment-]")) == 2, "a thread is never cut across pages"
    assert page.select_one("#comments h2").get_text().startswith("30 Responses")
    pages = {1: None, 2: None, 3: None}
    for number in pages:
        pages[number] = thread_ids(client.get(post_url(post, cpage=number)))
    assert pages == {1: [r.id for r in roots[:4]], 2: [r.id for r in roots[4:8]], 3: [r.id for r in roots[8:]]}
    nav = page_soup(client.get(post_url(post, cpage=2))).select_one("nav.comment-navigation")
    # The default page is linked by the bare permalink, as WordPress links it.
    links = {"previous": nav.select_one(".nav-previous")["href"], "next": nav.select_one(".nav-next")["href"]}
    expected = {"previous": post_url(post, cpage=1), "next": post_url(post, cpage=3)}
    expected["next" if first == "newest" else "previous"] = post_url(post)
    assert links == {name: url + "#comments" for name, url in expected.items()}
    assert client.get(post_url(post, cpage=4)).status_code == 404


def test_reply_on_an_older_page_redirects_to_that_page(client):
    save_settings({"comments_per_page": 2, "comment_flood_seconds": 0})
    db.session.commit()
    post = make_post()
    roots = build_threads(post, 5)
    make_comment(post, author_name="Ada Reader", author_email="ada@example.com", parent=roots[-1])
    response = submit_comment(client, post, comment="Late reply.", comment_parent=str(roots[0].id))
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "/comment-page-1/#comment-" in location
    assert "Late reply." in client.get(location).get_data(as_text=True)


def test_unpaged_blog_shows_every_comment(client):
    save_settings({"page_comments": False})
    db.session.commit()
    post = make_post()
    roots = build_threads(post, 60)
    assert len(thread_ids(client.get(post_url(post)))) == len(roots)


def test_comment_endpoint_is_rate_limited_per_ip(app_factory):
    app = app_factory(COMMENT_RATE_LIMIT="3 per minute")
    with app.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        post = make_post()
        client = app.test_client()
        codes = [submit_comment(client, post, comment=f"Number {n}").status_code for n in range(4)]
        assert codes == [303, 303, 303, 429]
        assert submit_comment(client, post, comment="Other IP", ip="198.51.100.77").status_code == 303


def test_a_comment_past_the_rate_limit_comes_back_in_its_form(app_factory):
    app = app_factory(COMMENT_RATE_LIMIT="1 per minute")
    with app.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        post = make_post()
        client = app.test_client()
        assert submit_comment(client, post, comment="The first.").status_code == 303
        refused = submit_comment(client, post, comment="A long thought I would hate to type again.")
        assert refused.status_code == 429
        page = page_soup(refused)
        assert page.select_one("form#commentform textarea[name=comment]").get_text().strip() == (
            "A long thought I would hate to type again.")
        assert "sent several comments in a short time" in page.select_one("#commentform [role=alert]").get_text()
        assert page.select_one("form#commentform input[name=author]")["value"] == "Ada Reader"


def test_rate_limit_is_shared_through_redis_by_two_app_servers(app_factory, tmp_path):
    prefix = f"test-{uuid.uuid4().hex}"
    shared_db = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'shared.sqlite'}"
    settings = {"SQLALCHEMY_DATABASE_URI": shared_db, "COMMENT_RATE_LIMIT": "2 per minute", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
                "RATELIMIT_KEY_PREFIX": prefix}
    first, second = app_factory(**settings), app_factory(**settings)
    with first.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        post = make_post()
        assert submit_comment(first.test_client(), post, comment="One").status_code == 303
        assert submit_comment(second.test_client(), post, comment="Two").status_code == 303
        assert submit_comment(first.test_client(), post, comment="Three").status_code == 429
    keys = redis.Redis(host="127.0.0.1", port=6379).keys(f"*{prefix}*")
    assert keys, "the limiter's counters live in Redis"


def test_comment_link_redirects_to_the_page_showing_the_comment(client):
    save_settings({"comments_per_page": 2})
    db.session.commit()
    post = make_post()
    roots = build_threads(post, 5)
    assert client.get(f"/comments/{roots[0].id}/").headers["Location"] == post_url(
        post, cpage=1, _anchor=f"comment-{roots[0].id}")
    # Named by its page even on the page the bare permalink shows now: that changes as threads come.
    assert client.get(f"/comments/{roots[-1].id}/").headers["Location"] == post_url(
        post, cpage=3, _anchor=f"comment-{roots[-1].id}")
    assert client.get("/comments/999999/").status_code == 404
