"""A confirmed subscription changes only through its subscriber's own links, never from the comment form."""

import pytest
import sqlalchemy as sa

from core.dbtypes import utcnow
from extensions import db
from notify.models import Subscription
from notify.services import subscribe_after_comment
from tests.support.factories import make_comment, make_post
from tests.support.helpers import submit_comment
from tests.support.mail import make_user

SUBSCRIBER = "subscriber@example.com"


@pytest.fixture
def post(mail_post):
    return mail_post


def _confirmed(post, delivery: str) -> Subscription:
    subscription = Subscription(email=SUBSCRIBER, scope="comments", post_id=post.id, delivery=delivery,
                                confirmed_at=utcnow())
    db.session.add(subscription)
    db.session.commit()
    return subscription


def _subscriptions() -> list[tuple]:
    return db.session.execute(
        sa.select(Subscription.id, Subscription.email, Subscription.delivery, Subscription.confirmed_at)
        .order_by(Subscription.id)).all()


def test_comment_form_with_a_confirmed_subscribers_email_leaves_their_delivery_as_it_was(
        mail_app, mail_client, post, deliver):
    _confirmed(post, "weekly")
    before = _subscriptions()
    with mail_app.test_request_context():
        response = submit_comment(mail_client, post, page_url=post.url, author="Stranger", email=SUBSCRIBER,
                                  comment="Changing your mail.", subscribe_comments="y",
                                  comments_delivery="instant")
    assert response.status_code in (302, 303)
    assert _subscriptions() == before
    assert db.session.scalar(sa.select(Subscription.delivery)) == "weekly"
    assert [m for m in deliver() if m["To"] == SUBSCRIBER] == []  # nothing to confirm: nothing changed


def test_guest_with_a_confirmed_subscribers_email_can_only_ask_to_confirm_a_new_subscription(mail_app):
    post = make_post()
    existing = _confirmed(post, "daily")
    comment = make_comment(post, author_email=SUBSCRIBER)
    made = subscribe_after_comment(comment, comments="instant", posts="weekly")
    db.session.commit()
    assert (existing.delivery, existing.confirmed_at is not None) == ("daily", True)
    [new] = [s for s in made if s.id != existing.id]
    assert (new.scope, new.delivery, new.confirmed_at) == ("posts", "weekly", None)


def test_logged_in_owner_of_the_verified_address_changes_their_own_subscription(mail_app):
    user = make_user(email=SUBSCRIBER, email_verified=True)
    post = make_post()
    existing = _confirmed(post, "daily")
    subscribe_after_comment(make_comment(post, user_id=user.id, author_email=SUBSCRIBER), comments="instant",
                            posts=None, user=user)
    db.session.commit()
    assert db.session.get(Subscription, existing.id).delivery == "instant"
