"""Likes: one per reader per post or comment, undoable, counted, with and without JavaScript."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from blog import likes
from blog.models import Comment, CommentLike, Post, PostLike
from blog.permalinks import post_url
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as
from tests.support.mail import csrf_token_from, make_user

JSON = {"Accept": "application/json"}


@pytest.fixture
def client(app):
    """A reader the page cache does not serve: a cached page's like counts catch up a little later."""
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")
    return client


def _page(client, post) -> BeautifulSoup:
    """The post's page, which shows the like box and a Like form under each approved comment."""
    return BeautifulSoup(client.get(post_url(post)).get_data(as_text=True), "html.parser")


def _likes_box(client, post) -> BeautifulSoup:
    return _page(client, post).select_one(f"#likes-post-{post.id}")


def _csrf_form(client, post) -> dict:
    """The CSRF token as a browser finds it: in the rendered like form."""
    return {"csrf_token": csrf_token_from(client.get(post_url(post)))}


def _permalink(post) -> str:
    return post.published_at.strftime(f"/%Y/%m/%d/{post.slug}/")


def _post_count(post) -> int:
    return db.session.scalar(sa.select(Post.like_count).where(Post.id == post.id))


def _comment_count(comment) -> int:
    return db.session.scalar(sa.select(Comment.like_count).where(Comment.id == comment.id))


def test_logged_in_reader_likes_a_post_once(client):
    post = make_post()
    reader = make_user()
    login_as(client, reader)
    form = _csrf_form(client, post)
    response = client.post(f"/posts/{post.id}/like", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_permalink(post)}#likes-post-{post.id}")
    assert _post_count(post) == 1
    client.post(f"/posts/{post.id}/like", data=form)  # the second like changes nothing
    assert _post_count(post) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostLike)) == 1


def test_like_counts_add_up_across_readers_and_unlike_takes_one_back(app):
    post = make_post()
    readers = [make_user() for _ in range(3)]
    for reader in readers:
        assert likes.like_post(reader, post)
    assert not likes.like_post(readers[0], post)
    db.session.commit()
    assert _post_count(post) == 3
    assert likes.unlike_post(readers[1], post)
    assert not likes.unlike_post(readers[1], post)  # undoing twice is harmless
    db.session.commit()
    assert _post_count(post) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostLike)) == 2


def test_like_box_says_who_likes_it(client):
    post = make_post()
    box = _likes_box(client, post)
    assert box.select_one(".like-count").get_text(strip=True) == "Be the first to like this."
    assert box.select_one("button").get_text() == "Like"
    ann = make_user(display_name="Ann", avatar_url="https://127.0.0.1/ann.png")
    bob = make_user(display_name="Bob")
    likes.like_post(ann, post)
    db.session.commit()
    assert _likes_box(client, post).select_one(".like-count").get_text(strip=True) == (
        "One blogger likes this."
    )
    likes.like_post(bob, post)
    db.session.commit()
    login_as(client, bob)
    box = _likes_box(client, post)
    assert box.select_one(".like-count").get_text(strip=True) == "2 bloggers like this."
    likers = box.select(".likers li")
    assert [li.get_text(strip=True) for li in likers] == ["B", ""]  # newest first
    assert likers[1].select_one("img")["alt"] == "Ann"
    button = box.select_one("button")
    assert (button.get_text(), button["aria-pressed"]) == ("Liked", "true")
    assert box.select_one("form")["action"] == f"/posts/{post.id}/unlike"


def test_fetch_request_gets_json_with_the_updated_box(client):
    post = make_post()
    login_as(client, make_user(display_name="Cleo"))
    response = client.post(f"/posts/{post.id}/like", data=_csrf_form(client, post), headers=JSON)
    assert response.status_code == 200
    data = response.get_json()
    assert (data["liked"], data["count"]) == (True, 1)
    box = BeautifulSoup(data["html"], "html.parser")
    assert box.select_one(".like-count").get_text(strip=True) == "One blogger likes this."
    response = client.post(f"/posts/{post.id}/unlike", data=_csrf_form(client, post), headers=JSON)
    assert (response.get_json()["liked"], response.get_json()["count"]) == (False, 0)


def test_anonymous_like_is_sent_to_log_in_with_a_message(client):
    post = make_post()
    form = _csrf_form(client, post)
    response = client.post(f"/posts/{post.id}/like", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{_permalink(post)}#likes-post-{post.id}")
    assert "Log in to like this" in client.get(_permalink(post)).get_data(as_text=True)
    response = client.post(f"/posts/{post.id}/like", data=form, headers=JSON)
    assert response.status_code == 401
    assert "Log in to like this" in response.get_json()["login_html"]
    assert _post_count(post) == 0


def test_like_without_csrf_token_is_refused(client):
    post = make_post()
    login_as(client, make_user())
    assert client.post(f"/posts/{post.id}/like").status_code == 400
    assert _post_count(post) == 0


def test_drafts_and_unknown_posts_cannot_be_liked(client):
    post = make_post()
    draft = make_post(status="draft")
    login_as(client, make_user())
    form = _csrf_form(client, post)
    assert client.post(f"/posts/{draft.id}/like", data=form).status_code == 404
    assert client.post("/posts/999999/like", data=form).status_code == 404
    assert _post_count(draft) == 0


def test_comment_likes_are_one_per_reader_and_undoable(client):
    post = make_post()
    comment = make_comment(post, author_name="Dee")
    held = make_comment(post, status="pending")
    reader = make_user()
    login_as(client, reader)
    form = _csrf_form(client, post)
    response = client.post(f"/comments/{comment.id}/like", data=form)
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    client.post(f"/comments/{comment.id}/like", data=form)
    assert _comment_count(comment) == 1
    data = client.post(f"/comments/{comment.id}/unlike", data=form, headers=JSON).get_json()
    assert (data["liked"], data["count"]) == (False, 0)
    data = client.post(f"/comments/{comment.id}/like", data=form, headers=JSON).get_json()
    assert (data["liked"], data["count"]) == (True, 1)
    button = BeautifulSoup(data["html"], "html.parser").select_one("button")
    assert button["aria-label"] == "Liked comment by Dee"
    assert client.post(f"/comments/{held.id}/like", data=form).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentLike)) == 1


def test_comment_like_partial_shows_count_and_the_readers_own_like(client):
    post = make_post()
    comment = make_comment(post)
    make_comment(post)
    reader = make_user()
    likes.like_comment(reader, comment)
    likes.like_comment(make_user(), comment)
    db.session.commit()
    login_as(client, reader)
    forms = _page(client, post).select("form.comment-like")
    assert [f.select_one(".comment-like-count").get_text() for f in forms[:1]] == ["2 likes"]
    assert forms[1].select_one(".comment-like-count") is None
    assert [f.select_one("button").get_text() for f in forms] == ["Liked", "Like"]
    assert forms[0]["action"] == f"/comments/{comment.id}/unlike"


def test_likes_script_is_served_and_uses_no_inline_code(client):
    response = client.get("/static/js/likes.js")
    assert response.status_code == 200
    script = response.get_data(as_text=True)
    assert "data-like-form" in script and "application/json" in script


def test_every_post_route_of_likes_and_mail_links_checks_csrf_except_one_click_unsubscribe(app):
    """Parametrized over the URL map, so a new route cannot slip through."""
    client = app.test_client()
    checked = []
    for rule in app.url_map.iter_rules():
        mine = rule.endpoint.startswith("notify.") or "like" in rule.endpoint
        if not mine or "POST" not in rule.methods:
            continue
        fixed = rule.defaults or {}
        values = {a: 1 if a.endswith("_id") else "x" for a in rule.arguments if a not in fixed}
        url = app.url_map.bind("127.0.0.1").build(rule.endpoint, values)
        body = client.post(url).get_data(as_text=True)
        checked.append(rule.endpoint)
        if rule.endpoint == "notify.unsubscribe":
            assert "CSRF" not in body  # RFC 8058: mail providers post without cookies
        else:
            assert "The CSRF token is missing." in body, rule.endpoint
    assert len(checked) == 8
