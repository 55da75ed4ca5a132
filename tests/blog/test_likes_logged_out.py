"""What a Like control says: log-in guidance at the button, one Like/Liked wording, no zero counts."""

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from blog import likes
from blog.permalinks import post_url
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as
from tests.support.mail import make_user
from tests.support.oauth import csrf_token_from

JSON = {"Accept": "application/json"}


def _soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _press_like(client, post, **kwargs):
    """Press the post's Like as a browser would: the token comes from the rendered page."""
    token = csrf_token_from(client, post_url(post))
    return client.post(f"/posts/{post.id}/like", data={"csrf_token": token}, **kwargs)


def test_logged_out_like_without_js_lands_at_the_like_box_with_the_message_inside_it(client):
    post = make_post()
    response = _press_like(client, post)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{post_url(post)}#likes-post-{post.id}"
    landed = _soup(client.get(response.headers["Location"]))
    note = landed.select_one(f"#likes-post-{post.id} [data-like-note]")
    assert note.get_text(" ", strip=True).startswith("Log in to like this")
    login = note.select_one("a.like-login-link")
    assert parse_qs(urlsplit(login["href"]).query)["next"] == [f"{post_url(post)}#likes-post-{post.id}"]
    top_notices = " ".join(p.get_text() for p in landed.select("main > .notice"))
    assert "Log in to like this" not in top_notices
    assert db.session.get(type(post), post.id).like_count == 0


def test_logged_out_like_with_js_gets_401_and_the_note_leaving_nothing_for_the_next_page(client):
    post = make_post()
    response = _press_like(client, post, headers=JSON)
    assert response.status_code == 401
    data = response.get_json()
    assert data["error"] == "Log in to like this."
    note = BeautifulSoup(data["login_html"], "html.parser")
    assert note.get_text(" ", strip=True).startswith("Log in to like this")
    assert note.select_one("a.like-login-link") is not None
    again = _soup(client.get(post_url(post)))
    assert "Log in to like this" not in again.get_text()


def test_cached_page_keeps_an_empty_note_for_every_logged_out_reader(app):
    post = make_post()
    pressed = app.test_client()
    landed = pressed.get(_press_like(pressed, post).headers["Location"])
    assert landed.headers.get("X-Page-Cache") != "hit"
    for _ in range(2):
        page = app.test_client().get(post_url(post))
        note = _soup(page).select_one(f"#likes-post-{post.id} [data-like-note]")
        assert note is not None and note.get_text(strip=True) == ""
    assert page.headers["X-Page-Cache"] == "hit"


def test_logged_out_comment_like_with_js_gets_the_note_too(client):
    post = make_post()
    comment = make_comment(post)
    token = csrf_token_from(client, post_url(post))
    response = client.post(f"/comments/{comment.id}/like", data={"csrf_token": token}, headers=JSON)
    assert response.status_code == 401
    assert "Log in to like this" in response.get_json()["login_html"]


def test_post_and_comment_likes_both_say_like_and_liked(client):
    post = make_post()
    liked, other = make_comment(post, author_name="Dee"), make_comment(post, author_name="Eve")
    reader = make_user()
    likes.like_post(reader, post)
    likes.like_comment(reader, liked)
    db.session.commit()
    login_as(client, reader)
    page = _soup(client.get(post_url(post)))
    post_button = page.select_one(f"#likes-post-{post.id} button")
    assert (post_button.get_text(), post_button["aria-pressed"]) == ("Liked", "true")
    liked_button = page.select_one(f"#comment-like-{liked.id} button")
    assert (liked_button.get_text(), liked_button["aria-pressed"]) == ("Liked", "true")
    assert liked_button["aria-label"] == "Liked comment by Dee"
    other_button = page.select_one(f"#comment-like-{other.id} button")
    assert (other_button.get_text(), other_button["aria-pressed"]) == ("Like", "false")
    assert "Unlike" not in page.get_text()


def test_comments_with_no_likes_show_no_count(client):
    post = make_post()
    liked, unliked = make_comment(post), make_comment(post)
    likes.like_comment(make_user(), liked)
    db.session.commit()
    login_as(client, make_user())
    page = _soup(client.get(post_url(post)))
    assert page.select_one(f"#comment-like-{unliked.id}").get_text(" ", strip=True) == "Like"
    assert page.select_one(f"#comment-like-{liked.id} .comment-like-count").get_text() == "1 like"
