"""Whole-page cache for anonymous readers: hits, invalidation, and nothing personal shared."""

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.models import Comment
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.factories import make_comment, make_post
from tests.helpers import form_fields, page_soup, submit_comment


@pytest.fixture
def post(app):
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    return make_post()


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
        session["_user_id"] = str(user.id)
    page = member.get(post_url(post))
    assert "X-Page-Cache" not in page.headers
    assert "Logged in as Logged Reader" in page.get_data(as_text=True)


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
    with guest.session_transaction() as session:
        session.pop("pending_comments")
    page = guest.get(post_url(post))
    assert "X-Page-Cache" not in page.headers
    assert page_soup(page).select_one("#author")["value"] == "Ada Reader"
