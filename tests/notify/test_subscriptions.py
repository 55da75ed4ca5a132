"""Readers follow a conversation: double opt-in, instant mails, digests, unsubscribing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import render_template_string
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from blog.settings import get_settings
from core.dbtypes import utcnow
from extensions import db
from notify import events
from notify.forms import SubscribeFields
from notify.models import Subscription
from notify.services import apply_moderation, subscribe_after_comment
from tests.support.factories import make_comment, make_post
from tests.support.mail import links_in, make_user, press_button, text_of

GUEST = "guest@example.com"


def _subscribe(comment, comments="instant", posts=None, user=None):
    subscriptions = subscribe_after_comment(comment, comments=comments, posts=posts, user=user)
    db.session.commit()
    return subscriptions


def _approve(comment):
    events.comment_submitted(comment, get_settings())
    db.session.commit()


def _confirmed_guest(client, deliver, post, comments="instant", posts=None):
    """A guest who commented, ticked the box(es) and clicked the confirmation link."""
    _subscribe(make_comment(post, author_email=GUEST), comments=comments, posts=posts)
    [mail] = [m for m in deliver() if m["To"] == GUEST]
    [confirm] = links_in(mail, "/notify/confirm/")
    assert press_button(client, confirm).status_code == 200


def test_guest_gets_one_confirmation_mail_and_nothing_else_before_confirming(mail_app, deliver):
    post = make_post(title="On networking")
    own = make_comment(post, author_email="Guest@Example.com")
    _subscribe(own, comments="instant", posts="weekly")
    _approve(make_comment(post, author_email="other@example.com"))
    events.post_published(make_post())
    db.session.commit()
    [mail] = deliver()
    assert mail["To"] == GUEST
    assert mail["Subject"] == "Confirm your subscription to Career Notes"
    body = text_of(mail)
    assert "On networking" in body and "new comments (instant)" in body
    assert "new posts (weekly)" in body
    assert len(links_in(mail, "/notify/confirm/")) == 1


def test_confirmation_link_shows_a_button_and_confirms_on_post(mail_app, deliver, mail_client):
    post = make_post()
    _subscribe(make_comment(post, author_email=GUEST))
    [confirm] = links_in(deliver()[0], "/notify/confirm/")
    assert mail_client.get(confirm).status_code == 200
    assert db.session.scalar(sa.select(Subscription.confirmed_at)) is None  # GET changed nothing
    done = press_button(mail_client, confirm)
    assert "You are subscribed" in done.get_data(as_text=True)
    assert db.session.scalar(sa.select(Subscription.confirmed_at)) is not None


def test_confirmed_subscriber_hears_of_approved_comments_except_their_own(
    mail_app, deliver, mail_client
):
    post = make_post(title="Hating to network")
    _confirmed_guest(mail_client, deliver, post)
    held = make_comment(post, status="pending", author_name="Ann", body="A held thought")
    _approve(held)
    assert [m["To"] for m in deliver()] == [GUEST]  # the confirmation only: held is not visible
    apply_moderation(held, "approve")
    db.session.commit()
    mail = deliver()[-1]
    assert (mail["To"], mail["Subject"]) == (GUEST, "New comment on “Hating to network”")
    assert "Ann" in text_of(mail) and "A held thought" in text_of(mail)
    [comment_link] = [p for p in links_in(mail) if f"/comments/{held.id}/" in p]
    landing = mail_client.get(comment_link)  # on whichever comment page shows it now
    assert landing.status_code == 302 and landing.headers["Location"].endswith(f"#comment-{held.id}")
    assert mail_client.get(landing.headers["Location"].split("#")[0]).status_code == 200
    _approve(make_comment(post, author_email=GUEST.upper()))  # their own comment
    assert len(deliver()) == 2


def test_every_subscriber_mail_has_one_click_unsubscribe_that_stops_mail(
    mail_app, deliver, mail_client
):
    post = make_post()
    _confirmed_guest(mail_client, deliver, post)
    _approve(make_comment(post))
    mail = deliver()[-1]
    header = mail["List-Unsubscribe"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = header.strip("<>").split("5000", 1)[1]
    assert path in links_in(mail, "/notify/unsubscribe/")
    assert mail_client.get(path).status_code == 200  # GET only shows the button
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 1
    # A mail provider's one-click POST: no cookie, no CSRF token (RFC 8058).
    fresh = mail_app.test_client()
    response = fresh.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 0
    _approve(make_comment(post))
    assert len(deliver()) == 2
    assert fresh.post(path).status_code == 200  # unsubscribing twice is harmless


def test_verified_user_is_subscribed_at_once_and_unverified_must_confirm(mail_app, deliver):
    post = make_post()
    verified = make_user(email="verified@example.com", email_verified=True)
    unverified = make_user(email="unverified@example.com", email_verified=False)
    [sub] = _subscribe(make_comment(post, user_id=verified.id, author_email=""), user=verified)
    assert (sub.email, sub.user_id) == ("verified@example.com", verified.id)
    assert sub.confirmed_at is not None
    [pending] = _subscribe(
        make_comment(post, user_id=unverified.id, author_email="unverified@example.com"),
        user=unverified,
    )
    assert pending.confirmed_at is None
    _approve(make_comment(post))
    received = deliver()
    assert sorted((m["To"], m["Subject"].split()[0]) for m in received) == [
        ("unverified@example.com", "Confirm"),
        ("verified@example.com", "New"),
    ]


def test_subscribing_again_changes_delivery_without_duplicates(app):
    post = make_post()
    comment = make_comment(post)
    _subscribe(comment, comments="instant")
    _subscribe(comment, comments="weekly")
    [sub] = db.session.scalars(sa.select(Subscription)).all()
    assert sub.delivery == "weekly"


def test_unknown_delivery_is_refused(app):
    comment = make_comment(make_post())
    with pytest.raises(ValueError):
        subscribe_after_comment(comment, comments="hourly", posts=None)
    with pytest.raises(ValueError):
        subscribe_after_comment(comment, comments=None, posts="replies")


def test_replies_subscriber_hears_only_of_replies_to_their_comment(mail_app, deliver, mail_client):
    post = make_post()
    _confirmed_guest(mail_client, deliver, post, comments="replies")
    mine = db.session.scalar(sa.select(Subscription.comment_id))
    from blog.models import Comment

    my_comment = db.session.get(Comment, mine)
    _approve(make_comment(post, body="Unrelated"))
    _approve(make_comment(post, parent=my_comment, body="Answering you"))
    mails = deliver()
    assert len(mails) == 2
    assert mails[-1]["Subject"].startswith("New reply on")
    assert "Answering you" in text_of(mails[-1])


def test_daily_digest_collects_comments_and_goes_out_once_a_day(mail_app, deliver, mail_client):
    post = make_post(title="Digest post")
    _confirmed_guest(mail_client, deliver, post, comments="daily")
    _approve(make_comment(post, body="First of the day"))
    held = make_comment(post, status="pending", body="Approved later")
    apply_moderation(held, "approve")
    make_comment(post, status="spam", body="Buy now")
    db.session.commit()
    assert len(deliver()) == 1  # no instant mail for a digest subscriber
    tomorrow = utcnow() + timedelta(days=1, minutes=1)
    deliver(tomorrow)
    digest = deliver(tomorrow)[-1]  # a second pass writes no second digest
    assert len(deliver(tomorrow)) == 2
    assert digest["Subject"] == "Daily digest: 2 new comments on “Digest post”"
    body = text_of(digest)
    assert "First of the day" in body and "Approved later" in body and "Buy now" not in body
    assert digest["List-Unsubscribe"]
    assert len(deliver(tomorrow + timedelta(days=1))) == 2  # nothing new, no empty digest


def test_published_post_mails_confirmed_blog_subscribers_when_visible(
    mail_app, deliver, mail_client
):
    _confirmed_guest(mail_client, deliver, make_post(), comments=None, posts="instant")
    new = make_post(title="Fresh post", excerpt="What it says")
    events.post_published(new)
    db.session.commit()
    mail = deliver()[-1]
    assert (mail["To"], mail["Subject"]) == (GUEST, "New post on Career Notes: “Fresh post”")
    assert "What it says" in text_of(mail)
    later = utcnow() + timedelta(days=3)
    events.post_published(make_post(title="Scheduled post", published_at=later))
    db.session.commit()
    assert len(deliver()) == 2  # waits in the outbox until the post's date
    assert deliver(later + timedelta(seconds=1))[-1]["Subject"].endswith("“Scheduled post”")


def test_weekly_post_digest_lists_the_weeks_posts(mail_app, deliver, mail_client):
    _confirmed_guest(mail_client, deliver, make_post(), comments=None, posts="weekly")
    now = utcnow()
    make_post(title="Monday post", published_at=now + timedelta(days=1))
    make_post(title="Friday post", published_at=now + timedelta(days=5))
    assert len(deliver(now + timedelta(days=6))) == 1  # not a week yet
    digest = deliver(now + timedelta(days=7, minutes=1))[-1]
    assert digest["Subject"] == "Weekly digest: 2 new posts on Career Notes"
    assert "Monday post" in text_of(digest) and "Friday post" in text_of(digest)


def test_manage_page_lists_subscriptions_and_cancels_one(mail_app, deliver, mail_client):
    post = make_post(title="Managed post")
    _confirmed_guest(mail_client, deliver, post, comments="instant", posts="daily")
    other = _subscribe(make_comment(post, author_email="someone@example.com"))[0]
    _approve(make_comment(post))
    manage = links_in(deliver()[-1], "/notify/subscriptions/")[0]
    page = BeautifulSoup(mail_client.get(manage).get_data(as_text=True), "html.parser")
    items = [" ".join(li.get_text().split()) for li in page.select("ul.subscriptions li")]  # a title is in <bdi>
    assert len(items) == 2
    assert "New comments on “Managed post” (instantly)" in items[0]
    assert "New posts on Career Notes (daily digest)" in items[1]
    first = page.select_one("ul.subscriptions li form")
    data = {i["name"]: i["value"] for i in first.select("input")}
    response = mail_client.post(first["action"], data=data, follow_redirects=True)
    assert "Subscription cancelled." in response.get_data(as_text=True)
    assert (
        len(
            BeautifulSoup(response.get_data(as_text=True), "html.parser").select(
                "ul.subscriptions li"
            )
        )
        == 1
    )
    # The link is the key to its own address only.
    data["subscription_id"] = str(other.id)
    mail_client.post(first["action"], data=data)
    assert db.session.get(Subscription, other.id) is not None


def test_tampered_subscription_links_are_refused(mail_client):
    for path in ("/notify/confirm/abc", "/notify/unsubscribe/abc", "/notify/subscriptions/abc"):
        response = mail_client.get(path)
        assert response.status_code == 400, path
        assert "not valid" in response.get_data(as_text=True)


def test_subscribe_fields_partial_has_labelled_controls_with_the_form_names(app):
    with app.test_request_context():
        html = render_template_string('{% include "notify/_subscribe_fields.html" %}')
    page = BeautifulSoup(html, "html.parser")
    for name in ("subscribe_comments", "comments_delivery", "subscribe_blog", "posts_delivery"):
        control = page.select_one(f"[name={name}]")
        assert page.select_one(f"label[for={control['id']}]") is not None, name
    assert page.select_one("label[for=subscribe_comments]").get_text() == (
        "Notify me of new comments via email."
    )
    assert page.select_one("label[for=subscribe_blog]").get_text() == (
        "Notify me of new posts via email."
    )
    options = [o["value"] for o in page.select("[name=comments_delivery] option")]
    assert options == ["instant", "daily", "weekly", "replies"]
    assert [o["value"] for o in page.select("[name=posts_delivery] option")] == [
        "instant",
        "daily",
        "weekly",
    ]


def test_subscribe_fields_mixin_turns_the_form_into_service_arguments(app):
    class CommentForm(SubscribeFields, FlaskForm):
        pass

    with app.test_request_context(method="POST"):
        form = CommentForm(
            MultiDict(
                {
                    "subscribe_comments": "y",
                    "comments_delivery": "replies",
                    "posts_delivery": "daily",
                }
            ),
            meta={"csrf": False},
        )
        assert form.validate()
        assert form.subscription_choices() == {"comments": "replies", "posts": None}
        html = render_template_string('{% include "notify/_subscribe_fields.html" %}', form=form)
    page = BeautifulSoup(html, "html.parser")
    assert page.select_one("#subscribe_comments").has_attr("checked")
    assert page.select_one("#comments_delivery option[selected]")["value"] == "replies"
    assert not page.select_one("#subscribe_blog").has_attr("checked")
