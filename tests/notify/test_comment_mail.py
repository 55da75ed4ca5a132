"""The comment form's mail: the owner hears of a held comment; readers follow a conversation."""

import time

import pytest
from flask import url_for

from blog.models import Comment
from blog.moderation import set_comment_status
from extensions import db
from page_cache.hooks import LIKES_SHOWN
from tests.support.factories import make_comment
from tests.support.helpers import login_as, submit_comment
from tests.support.mail import make_user


@pytest.fixture
def post(mail_post):
    return mail_post


def test_a_held_guest_comment_mails_the_owner_with_the_reason(mail_app, mail_client, post, deliver):
    owner = make_user(role="administrator", email="owner@example.com")
    with mail_app.test_request_context():
        submit_comment(mail_client, post, page_url=post.url, comment="Please look at this.")
    (mail,) = deliver()
    assert mail["To"] == owner.email
    text = mail.get_body(("plain",)).get_content()
    assert "Please look at this." in text and "first comment from this author" in text
    assert "ada@example.com" in text and "/notify/moderate/" in text


def test_ticking_notify_me_sends_one_confirmation_then_mail_when_a_comment_is_approved(
        mail_app, mail_client, post, deliver):
    with mail_app.test_request_context():
        submit_comment(mail_client, post, page_url=post.url, comment="Following along.",
                       subscribe_comments="y", comments_delivery="instant")
    mails = deliver()
    (confirmation,) = [m for m in mails if m["To"] == "ada@example.com"]
    link = next(word for word in confirmation.get_body(("plain",)).get_content().split() if "/notify/confirm/" in word)
    path = link.split("127.0.0.1:5000", 1)[1]
    page = mail_client.get(path)
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert mail_client.post(path, data={"csrf_token": token}).status_code == 200
    other = Comment(post_id=post.id, author_name="Bob", author_email="bob@example.com", body="Another view",
                    status="pending")
    db.session.add(other)
    db.session.flush()
    other.root_id = other.id
    set_comment_status(other, "approved", None)
    db.session.commit()
    follow_ups = [m for m in deliver() if m["To"] == "ada@example.com"]
    assert len(follow_ups) == 2 and "Another view" in follow_ups[-1].get_body(("plain",)).get_content()
    assert "List-Unsubscribe" in follow_ups[-1]


def test_spam_commenters_cannot_subscribe_anyone(mail_app, mail_client, post, deliver):
    with mail_app.test_request_context():
        submit_comment(mail_client, post, page_url=post.url, hp_website="bot", subscribe_comments="y")
    assert deliver() == []


def test_logged_in_reader_can_like_a_comment_in_the_list(mail_app, mail_client, post):
    liked = make_comment(post, body="Likeable")
    anonymous = mail_client.get(post.url).get_data(as_text=True)
    assert f'id="comment-like-{liked.id}"' not in anonymous
    reader = mail_app.test_client()
    login_as(reader, make_user())
    page = reader.get(post.url).get_data(as_text=True)
    assert f'id="comment-like-{liked.id}"' in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    with mail_app.test_request_context():
        like_url = url_for("blog.like_comment", comment_id=liked.id)
    reader.post(like_url, data={"csrf_token": token})
    mail_app.extensions[LIKES_SHOWN].until = 0  # anonymous readers see counts once the likes delay is over
    time.sleep(mail_app.config["PAGE_CACHE_VERSION_LEASE_MS"] / 1000)  # and the worker's version lease
    assert "1 like" in mail_client.get(post.url).get_data(as_text=True)
