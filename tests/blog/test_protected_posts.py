"""Password-protected posts, as WordPress does them: the password form, WordPress's cookie, and
nothing of the body or the comments in pages, feeds, the sitemap, mail or the shared page cache."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Response

from blog import protected_posts
from blog.models import Comment
from blog.permalinks import post_url
from core.dbtypes import utcnow
from extensions import db
from notify import events
from notify.models import Subscription
from tests.support.factories import make_comment, make_post
from tests.support.helpers import form_fields, login_as, page_soup, submit_comment
from tests.support.mail import html_of, make_user, text_of

SECRET_BODY = "The launch date is the ninth."
SECRET_COMMENT = "Counting the days already."
PASSWORD = "open sesame"
FORM_TEXT = "This content is password protected. To view it please enter your password below:"


@pytest.fixture
def protected(post):
    """A published protected post with one approved comment."""
    post.body, post.password, post.title = SECRET_BODY, PASSWORD, "Launch plans"
    db.session.commit()
    make_comment(post, body=SECRET_COMMENT)
    return post


def cookie_name() -> str:
    return "wp-postpass_" + hashlib.md5(b"http://127.0.0.1:5000").hexdigest()


def unlock(client, post, password: str = PASSWORD, **fields):
    url, data = form_fields(client.get(post_url(post)), "form.post-password-form")
    return client.post(url, data=data | {"post_password": password} | fields)


def test_a_locked_post_shows_its_password_form_and_nothing_of_its_body_or_comments(client, protected):
    page = client.get(post_url(protected))
    assert page.status_code == 200
    soup, text = page_soup(page), page.get_data(as_text=True)
    assert soup.select_one(".entry-title").get_text() == "Protected: Launch plans"
    form = soup.select_one(".entry-content form.post-password-form")
    assert FORM_TEXT in form.get_text()
    assert soup.select_one(f"label[for=pwbox-{protected.id}]").get_text() == "Password:"
    assert soup.select_one(f"#pwbox-{protected.id}")["type"] == "password"
    assert form.select_one("button").get_text() == "Enter"
    assert SECRET_BODY not in text and SECRET_COMMENT not in text
    assert soup.select("#comments, #commentform, .likes-widget") == []
    assert "Enter your password to view comments." in soup.select_one(".comments-link").get_text()


def test_the_right_password_sets_wordpress_cookie_and_opens_post_and_comments(client, protected):
    response = unlock(client, protected)
    assert response.status_code == 303 and response.headers["Location"] == post_url(protected)
    [set_cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("wp-postpass_")]
    name, value = set_cookie.split(";")[0].split("=", 1)
    assert name == cookie_name()
    attributes = {a.strip().split("=")[0].lower(): a.strip() for a in set_cookie.split(";")[1:]}
    assert attributes["max-age"] == "Max-Age=864000"  # ten days
    assert "httponly" in attributes and attributes["samesite"] == "SameSite=Lax" and "secure" not in attributes
    assert PASSWORD not in value and "sesame" not in value
    page = client.get(post_url(protected))
    text = page.get_data(as_text=True)
    assert SECRET_BODY in text and SECRET_COMMENT in text
    assert page_soup(page).select_one("#commentform") is not None
    assert page_soup(page).select_one(".entry-title").get_text() == "Protected: Launch plans"  # as WordPress
    assert "no-store" in page.headers["Cache-Control"]


def test_a_wrong_password_shows_the_form_again_with_a_message(client, protected):
    response = unlock(client, protected, "open barley")
    assert response.status_code == 403
    soup, text = page_soup(response), response.get_data(as_text=True)
    assert soup.select_one(".post-password-form [role=alert]").get_text() == protected_posts.WRONG_PASSWORD
    assert soup.select_one(f"#pwbox-{protected.id}")["aria-invalid"] == "true"
    assert SECRET_BODY not in text and SECRET_COMMENT not in text
    assert not any(c.startswith("wp-postpass_") for c in response.headers.getlist("Set-Cookie"))
    assert SECRET_BODY not in client.get(post_url(protected)).get_data(as_text=True)


def test_the_cookie_is_secure_when_the_site_is_https(app_factory):
    app = app_factory(SITE_URL="https://blog.example")
    with app.test_request_context():
        response = Response()
        protected_posts.remember_password(response, PASSWORD)
        [cookie] = response.headers.getlist("Set-Cookie")
        assert cookie.startswith("wp-postpass_" + hashlib.md5(b"https://blog.example").hexdigest() + "=")
        assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_new_password_locks_the_post_again(client, protected):
    unlock(client, protected)
    protected.password = "new one"
    db.session.commit()
    assert SECRET_BODY not in client.get(post_url(protected)).get_data(as_text=True)


def test_the_form_goes_back_only_to_a_page_of_this_site(app, protected):
    page_two = post_url(protected, cpage=2)
    assert form_fields(app.test_client().get(page_two), "form.post-password-form")[1]["next"] == page_two
    assert unlock(app.test_client(), protected, next=page_two).headers["Location"] == page_two
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        assert unlock(app.test_client(), protected, next=elsewhere).headers["Location"] == post_url(protected)


def test_password_guesses_are_rate_limited(app_factory):
    app = app_factory(POST_PASSWORD_RATE_LIMIT="2 per minute")
    with app.test_request_context():
        post = make_post(password=PASSWORD)
        client = app.test_client()
        assert [unlock(client, post, "guess").status_code for _ in range(3)] == [403, 403, 429]


def test_the_password_form_needs_its_csrf_token(client, protected):
    response = client.post(f"/posts/{protected.id}/password", data={"post_password": PASSWORD})
    assert response.status_code == 400
    assert not response.headers.getlist("Set-Cookie") or all(
        not c.startswith("wp-postpass_") for c in response.headers.getlist("Set-Cookie"))


def test_an_open_post_has_no_password_route(client, post):
    assert client.post(f"/posts/{post.id}/password", data={"post_password": "x"}).status_code in (400, 404)


def test_a_comment_without_the_password_is_refused_and_with_it_accepted(app, protected):
    reader = app.test_client()
    url, data = form_fields(reader.get(post_url(make_post())))  # a comment form's token, from an open post
    refused = reader.post(f"/posts/{protected.id}/comments", data=data | {
        "comment": "Let me in", "author": "Eve", "email": "eve@example.com", "comment_post_ID": protected.id})
    assert refused.status_code == 403
    assert protected_posts.COMMENT_REFUSED in refused.get_data(as_text=True)
    assert SECRET_COMMENT not in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Comment.id)).where(Comment.body == "Let me in")) == 0
    unlock(reader, protected)
    assert submit_comment(reader, protected, comment="With the password").status_code == 303


def test_likes_of_a_locked_post_and_its_comments_are_refused(app, protected):
    comment = db.session.scalar(sa.select(Comment).where(Comment.post_id == protected.id))
    reader = app.test_client()
    login_as(reader, make_user())
    token = page_soup(reader.get("/")).select_one("meta[name=csrf-token]")
    token = token["content"] if token else form_fields(reader.get(post_url(make_post())))[1]["csrf_token"]
    for url in (f"/posts/{protected.id}/like", f"/comments/{comment.id}/like"):
        response = reader.post(url, data={"csrf_token": token}, headers={"Accept": "application/json"})
        assert response.status_code == 403, url
    assert db.session.scalar(sa.select(Comment.like_count).where(Comment.id == comment.id)) == 0


def test_index_lists_the_protected_title_without_excerpt_until_unlocked(client, protected):
    protected.excerpt = "A secret summary."
    db.session.commit()
    soup = page_soup(client.get("/"))
    entry = soup.select_one(f"#post-{protected.id}")
    assert entry.select_one(".entry-title").get_text() == "Protected: Launch plans"
    assert entry.select_one(".entry-summary").get_text(strip=True) == protected_posts.NO_EXCERPT
    assert "Enter your password to view comments." in entry.get_text()
    assert "secret summary" not in soup.get_text() and SECRET_BODY not in soup.get_text()
    unlock(client, protected)
    assert "A secret summary." in client.get("/").get_data(as_text=True)


def test_feeds_carry_no_protected_body_or_comments_and_the_sitemap_leaves_it_out(client, protected):
    open_post = make_post(title="Open post")
    make_comment(open_post, body="An open comment")
    unlock(client, protected)  # a feed reader's cookie changes nothing
    feed = client.get("/feed/").get_data(as_text=True)
    assert "Protected: Launch plans" in feed and protected_posts.NO_EXCERPT in feed
    assert SECRET_BODY not in feed
    comments = client.get("/comments/feed/").get_data(as_text=True)
    assert "An open comment" in comments and SECRET_COMMENT not in comments
    own = client.get(post_url(protected) + "feed/")
    assert own.status_code == 200 and SECRET_COMMENT not in own.get_data(as_text=True)
    assert "<item>" not in own.get_data(as_text=True)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert post_url(open_post, _external=True) in sitemap
    assert post_url(protected, _external=True) not in sitemap


def test_the_locked_page_is_cached_but_an_unlocked_one_never_is(app, protected):
    url = post_url(protected)
    assert app.test_client().get(url).headers["X-Page-Cache"] == "miss"
    assert app.test_client().get(url).headers["X-Page-Cache"] == "hit"  # the form alone is anyone's
    reader = app.test_client()
    unlock(reader, protected)
    for _ in range(2):
        opened = reader.get(url)
        assert SECRET_BODY in opened.get_data(as_text=True)
        assert "X-Page-Cache" not in opened.headers
    stranger = app.test_client()
    page = stranger.get(url)
    assert page.headers["X-Page-Cache"] == "hit" and SECRET_BODY not in page.get_data(as_text=True)


def test_any_post_password_cookie_skips_the_cache_in_both_directions(app, protected):
    url = post_url(protected)
    app.test_client().get(url)  # the locked page, stored
    other = app.test_client()
    other.set_cookie("wp-postpass_0123456789abcdef0123456789abcdef", "whatever")
    response = other.get(url)
    assert "X-Page-Cache" not in response.headers  # neither served from the cache nor offered to it
    assert other.get("/").headers.get("X-Page-Cache") is None


def test_subscriber_mail_carries_no_protected_body_or_comment(mail_app, mail_post, deliver):
    mail_post.title, mail_post.password, mail_post.excerpt = "Launch plans", PASSWORD, "An excerpt that tells too much"
    confirmed = utcnow() - timedelta(days=2)
    for scope, delivery, email in (("comments", "instant", "now@example.com"), ("posts", "instant", "now@example.com"),
                                   ("comments", "daily", "daily@example.com")):
        db.session.add(Subscription(email=email, scope=scope, delivery=delivery, confirmed_at=confirmed,
                                    post_id=mail_post.id if scope == "comments" else None))
    db.session.commit()
    with mail_app.test_request_context():
        events.comment_approved(make_comment(mail_post, body="A second secret remark", author_name="Bob"))
        events.post_published(mail_post)
    db.session.commit()
    deliver()
    mails = deliver(utcnow() + timedelta(days=1, minutes=1))
    assert sorted(m["To"] for m in mails) == ["daily@example.com", "now@example.com", "now@example.com"]
    for mail in mails:
        text = text_of(mail) + html_of(mail)
        assert "Protected: Launch plans" in text and "password protected" in text
        assert "A second secret remark" not in text and "tells too much" not in text, mail["Subject"]
