"""Whole-page cache for anonymous readers: hits, invalidation, and nothing personal shared."""

import json
import logging
import time

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.content_version import bump_content_version
from blog.models import Comment, Post, SiteState, Term
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import cache, db
from page_cache.front import VersionReader
from page_cache.hooks import CachedPage
from tests.support.factories import make_comment, make_post
from tests.support.helpers import form_fields, page_soup, submit_comment


def test_second_anonymous_visit_is_a_hit_with_its_own_csrf_token(app, post):
    first, second = app.test_client(), app.test_client()
    miss = first.get(post_url(post))
    hit = second.get(post_url(post))
    assert miss.headers["X-Page-Cache"] == "miss" and hit.headers["X-Page-Cache"] == "hit"
    token_first = form_fields(miss)[1]["csrf_token"]
    token_second = form_fields(hit)[1]["csrf_token"]
    assert token_first and token_second and token_first != token_second
    response = submit_comment(second, post, comment="Posted from a cached page.")
    assert response.status_code == 303


def test_the_in_process_store_hands_out_the_stored_page_without_copying_it(app, post):
    app.test_client().get(post_url(post))
    store = cache.cache
    [key] = [k for k in store._cache if "page:" in k]  # the one page just stored (the sidebar's data aside)
    page = store.get(key)
    assert isinstance(page, CachedPage)
    assert store.get(key) is page  # no pickle round trip on a hit


def test_approving_a_comment_shows_at_once_to_cached_readers(app, post):
    reader = app.test_client()
    reader.get(post_url(post))
    held = make_comment(post, status="pending", body="Soon visible")
    assert reader.get(post_url(post)).headers["X-Page-Cache"] == "hit", "a held comment changes nothing"
    set_comment_status(held, "approved", None)
    db.session.commit()
    page = reader.get(post_url(post))
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Soon visible" in page.get_data(as_text=True)


def test_a_change_waits_out_the_version_lease_so_that_the_next_request_sees_it(app_factory):
    app = app_factory(PAGE_CACHE_VERSION_LEASE_MS=1000)
    with app.test_request_context():
        post = make_post()
        held = make_comment(post, status="pending", body="Shown after the lease")
        url = post_url(post)
        reader = app.test_client()
        reader.get(url)
        assert reader.get(url).headers["X-Page-Cache"] == "hit"  # the front now holds a lease
        started = time.monotonic()
        set_comment_status(held, "approved", None)
        db.session.commit()
        assert time.monotonic() - started >= 1.0
        assert "Shown after the lease" in reader.get(url).get_data(as_text=True)


def test_a_commit_that_changes_no_public_page_does_not_wait(app_factory):
    """A commit waits out the leases only after it bumped the version (outwait_version_leases): a
    held comment bumps nothing. Checked by the version, not the clock, which a loaded machine slows."""
    app = app_factory(PAGE_CACHE_VERSION_LEASE_MS=1000)
    with app.test_request_context():
        post = make_post()
        version = db.session.scalar(sa.select(SiteState.content_version))
        make_comment(post, status="pending", body="Held")
        db.session.commit()
        assert db.session.scalar(sa.select(SiteState.content_version)) == version
        make_comment(post, status="approved", body="Shown")
        db.session.commit()
        assert db.session.scalar(sa.select(SiteState.content_version)) > version  # this one waits


def test_the_version_reader_answers_from_its_lease_until_it_ends(app, post):
    now = [100.0]
    reader = VersionReader(db.engine, 0.5, clock=lambda: now[0])
    first = reader.read()
    bump_content_version(db.session)
    db.session.commit()
    now[0] += 0.49
    assert reader.read() == first
    now[0] += 0.01
    assert reader.read() == (first[0] + 1, first[1])
    reader.close_all()


@pytest.mark.parametrize("change", ["setting", "post", "comment edit", "comment removal"])
def test_changes_invalidate_cached_pages(app, post, change):
    shown = make_comment(post, body="Original words")
    reader = app.test_client()
    reader.get(post_url(post))
    if change == "setting":
        save_settings({"show_avatars": False})
    elif change == "post":
        post.title = "A new title"
    elif change == "comment edit":
        shown.body = "Edited words"
    else:
        set_comment_status(shown, "trash", None)
    db.session.commit()
    page = reader.get(post_url(post))
    assert page.headers["X-Page-Cache"] == "miss"


def test_etag_answers_304_until_something_changes(app, post):
    reader = app.test_client()
    etag = reader.get(post_url(post)).headers["ETag"]
    assert reader.get(post_url(post), headers={"If-None-Match": etag}).status_code == 304
    make_comment(post)
    assert reader.get(post_url(post), headers={"If-None-Match": etag}).status_code == 200


def test_logged_in_reader_is_never_served_from_the_cache(app, post):
    app.test_client().get(post_url(post))
    user = User(display_name="Logged Reader", email="lr@example.com")
    db.session.add(user)
    db.session.commit()
    member = app.test_client()
    with member.session_transaction() as session:
        session["_user_id"] = user.get_id()
    page = member.get(post_url(post))
    assert "X-Page-Cache" not in page.headers
    assert "Logged in as <bdi>Logged Reader</bdi>" in page.get_data(as_text=True)


def test_guest_with_a_held_comment_sees_it_not_the_cached_page(app, post):
    app.test_client().get(post_url(post))
    guest = app.test_client()
    submit_comment(guest, post, comment="Mine, awaiting moderation.")
    page = guest.get(post_url(post))
    assert "X-Page-Cache" not in page.headers
    assert "Mine, awaiting moderation." in page.get_data(as_text=True)
    assert db.session.scalars(sa.select(Comment)).one().status == "pending"


def test_remembered_commenter_is_not_served_the_cache(app, post):
    guest = app.test_client()
    submit_comment(guest, post, comment="Remember me", remember="y")
    guest.delete_cookie("comment_keys")  # the saved name alone still makes the page this browser's
    page = guest.get(post_url(post))
    assert "X-Page-Cache" not in page.headers
    assert page_soup(page).select_one("#author")["value"] == "Ada Reader"


def test_hit_for_a_new_reader_brings_a_session_whose_token_posts(app, post):
    app.test_client().get(post_url(post))
    reader = app.test_client()
    hit = reader.get(post_url(post))
    assert hit.headers["X-Page-Cache"] == "hit"
    cookie = hit.headers["Set-Cookie"]
    assert cookie.startswith("blog_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    action, hidden = form_fields(hit)
    data = hidden | {"author": "New Reader", "email": "new@example.com", "comment": "From the front."}
    assert reader.post(action, data=data).status_code == 303
    assert db.session.scalars(sa.select(Comment.body)).one() == "From the front."


def test_returning_reader_keeps_their_session_and_gets_a_fresh_nonce(app, post):
    reader = app.test_client()
    reader.get(post_url(post))
    with reader.session_transaction() as session:
        secret = session["csrf_token"]
    first, second = reader.get(post_url(post)), reader.get(post_url(post))
    assert first.headers["X-Page-Cache"] == second.headers["X-Page-Cache"] == "hit"
    assert "Set-Cookie" not in first.headers
    with reader.session_transaction() as session:
        assert session["csrf_token"] == secret
    assert first.headers["Content-Security-Policy"] != second.headers["Content-Security-Policy"]
    assert "nonce-" in first.headers["Content-Security-Policy"]
    assert first.headers["X-Frame-Options"] == "DENY" and first.headers["Vary"] == "Cookie"


def test_forged_session_cookie_is_replaced_not_trusted(app, post):
    app.test_client().get(post_url(post))
    reader = app.test_client()
    reader.set_cookie("blog_session", '{"csrf_token": "chosen-by-attacker"}')
    hit = reader.get(post_url(post))
    assert hit.headers["X-Page-Cache"] == "hit"
    assert hit.headers["Set-Cookie"].startswith("blog_session=")
    with reader.session_transaction() as session:
        assert session["csrf_token"] != "chosen-by-attacker"


def test_head_of_a_cached_page_has_headers_and_no_body(app, post):
    app.test_client().get(post_url(post))
    response = app.test_client().head(post_url(post))
    assert response.headers["X-Page-Cache"] == "hit"
    assert int(response.headers["Content-Length"]) > 1000 and response.get_data() == b""


def _request_log_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "blog.requests"]


def test_cached_hits_carry_the_proxy_request_id_for_its_log_and_leave_the_app_log_alone(app, post, caplog):
    app.test_client().get(post_url(post))
    with caplog.at_level(logging.INFO, logger="blog.requests"):
        hit = app.test_client().get(post_url(post), headers={"X-Request-Id": "proxy42"})
        app.test_client().get("/login", headers={"X-Request-Id": "proxy43"})  # Flask's answers are logged
    assert hit.headers["X-Page-Cache"] == "hit" and hit.headers["X-Request-Id"] == "proxy42"
    assert [line["request_id"] for line in _request_log_lines(caplog)] == ["proxy43"]


def test_cached_hits_are_logged_by_the_app_when_asked(app_factory, caplog):
    app = app_factory(LOG_CACHE_HITS=True)
    with app.test_request_context():
        url = post_url(make_post())
    app.test_client().get(url)
    with caplog.at_level(logging.INFO, logger="blog.requests"):
        hit = app.test_client().get(url, headers={"X-Request-Id": "proxy42"})
    assert hit.headers["X-Page-Cache"] == "hit"
    assert _request_log_lines(caplog)[-1] | {"duration_ms": 0} == {
        "event": "request", "request_id": "proxy42", "method": "GET", "path": url, "status": 200,
        "duration_ms": 0}


def test_every_cached_page_shape_is_answered_in_front_of_flask(app, post):
    save_settings({"page_comments": True, "comments_per_page": 1})
    db.session.commit()
    make_comment(post, body="First thread")
    make_comment(post, body="Second thread")
    term = Term(taxonomy="tag", slug="t", name="T")
    page = Post(kind="page", slug="about", title="About", status="published", published_at=post.published_at)
    post.terms.append(term)
    db.session.add(page)
    db.session.commit()
    year = post.published_at.year  # the archives' shapes too, each its own entry
    urls = ["/", "/?page=1", post_url(post), post_url(post, cpage=1), post_url(post, replytocom=1), "/tag/t/",
            f"/{year}/", "/about/", "/?s=body", "/search/body/"]
    for url in urls:
        app.test_client().get(url)
        assert app.test_client().get(url).headers.get("X-Page-Cache") == "hit", url
    assert "X-Page-Cache" not in app.test_client().get("/static/css/blog.css").headers
