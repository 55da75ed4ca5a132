"""A mailed link names one row for good: its id and the row's own secret; ids never come back."""

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.models import Comment, ModerationLog, Post
from blog.settings import get_settings
from core.dbtypes import utcnow
from extensions import db
from notify import events
from notify.models import OutboxMessage, Subscription
from notify.services import subscribe_after_comment
from notify.tokens import make_token
from tests.support.factories import make_comment, make_post
from tests.support.helpers import submit_comment
from tests.support.mail import links_in, make_user, press_button


@pytest.fixture
def post(mail_post):
    return mail_post


def _owner() -> User:
    return make_user(display_name="Blog Owner", email="owner@example.com", role="administrator")


def _status(comment_id: int) -> str | None:
    return db.session.scalar(sa.select(Comment.status).where(Comment.id == comment_id))


def _subscribe_guest(post, email: str) -> Subscription:
    [subscription] = subscribe_after_comment(make_comment(post, author_email=email), comments="instant", posts=None)
    db.session.commit()
    return subscription


def _delete(model, row_id: int) -> None:
    db.session.execute(sa.delete(model).where(model.id == row_id))
    db.session.commit()


def test_old_unsubscribe_link_does_not_cancel_a_later_subscribers_subscription(mail_app, deliver, mail_client):
    post = make_post()
    first = _subscribe_guest(post, "first@example.com")
    unsubscribe = links_in(deliver()[0], "/notify/unsubscribe/")[0]
    _delete(Subscription, first.id)
    second = _subscribe_guest(post, "second@example.com")
    assert second.id != first.id
    assert mail_app.test_client().post(unsubscribe).status_code == 200
    assert db.session.get(Subscription, second.id) is not None


def test_old_unsubscribe_link_does_not_cancel_a_row_given_the_same_id(mail_app, deliver, mail_client):
    post = make_post()
    first = _subscribe_guest(post, "first@example.com")
    first_id = first.id
    unsubscribe = links_in(deliver()[0], "/notify/unsubscribe/")[0]
    [confirm] = links_in(deliver()[0], "/notify/confirm/")
    _delete(Subscription, first_id)
    # As a restore or an import could write it: the very same id, another subscriber.
    db.session.add(Subscription(id=first_id, email="first@example.com", scope="comments", post_id=post.id))
    db.session.commit()
    assert mail_app.test_client().post(unsubscribe).status_code == 200
    assert press_button(mail_client, confirm).status_code == 410
    assert db.session.get(Subscription, first_id).confirmed_at is None


def test_old_moderation_link_does_not_act_on_the_comment_that_came_after(mail_app, mail_client, post, deliver):
    _owner()
    with mail_app.test_request_context():
        submit_comment(mail_client, post, page_url=post.url, comment="The first held comment.")
    [approve, _spam, _trash] = links_in(deliver()[0], "/notify/moderate/")
    first_id = db.session.scalar(sa.select(Comment.id))
    _delete(Comment, first_id)
    with mail_app.test_request_context():
        submit_comment(mail_client, post, page_url=post.url, comment="A later held comment.")
    later_id = db.session.scalar(sa.select(Comment.id))
    assert later_id != first_id
    page = mail_client.get(approve)
    assert page.status_code == 404
    assert "That comment no longer exists." in page.get_data(as_text=True)
    assert _status(later_id) == "pending"


def test_old_moderation_link_does_not_act_on_a_comment_given_the_same_id(mail_app, mail_client, deliver):
    _owner()
    post = make_post()
    held = make_comment(post, status="pending")
    held_id = held.id
    events.comment_submitted(held, get_settings())
    db.session.commit()
    [approve, *_] = links_in(deliver()[0], "/notify/moderate/")
    _delete(Comment, held_id)
    make_comment(post, id=held_id, root_id=held_id, status="pending")
    page = mail_client.get(approve)
    assert page.status_code == 404
    assert "That comment no longer exists." in page.get_data(as_text=True)
    assert _status(held_id) == "pending"


def test_links_from_before_rows_had_secrets_show_a_clear_page(mail_app, mail_client):
    comment = make_comment(make_post(), status="pending")
    subscription = _subscribe_guest(make_post(), "old@example.com")
    old = {
        "unsubscribe": make_token("unsubscribe", {"ids": [subscription.id]}),
        "confirm": make_token("confirm", {"ids": [subscription.id], "email": "old@example.com"}),
        "moderate": make_token("moderate", {"comment": comment.id, "action": "approve", "jti": "x" * 20}),
    }
    responses = {purpose: mail_client.get(f"/notify/{purpose}/{token}") for purpose, token in old.items()}
    responses["one-click unsubscribe"] = mail_client.post(f"/notify/unsubscribe/{old['unsubscribe']}")
    for purpose, response in responses.items():
        assert response.status_code == 410, purpose
        text = response.get_data(as_text=True)
        assert "older mail and no longer works" in text and "<html" in text, purpose
    assert db.session.get(Subscription, subscription.id) is not None
    assert _status(comment.id) == "pending"


def _add(model, **values) -> int:
    row = model(**values)
    db.session.add(row)
    db.session.commit()
    return row.id


ROWS = {
    User: lambda: {"display_name": "Someone"},
    Post: lambda: {"title": "A post", "slug": f"a-post-{utcnow().timestamp()}"},
    Subscription: lambda: {"email": "a@example.com", "scope": "posts"},
    OutboxMessage: lambda: {"to_addr": "a@example.com", "subject": "Hi", "body_text": "Hi"},
    ModerationLog: lambda: {"comment_id": 1, "moderator_name": "Owner", "action": "approve"},
}


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model.__tablename__)
def test_deleting_the_last_row_never_hands_its_id_to_the_next(app, model):
    last = _add(model, **ROWS[model]())
    _delete(model, last)
    assert _add(model, **ROWS[model]()) > last


def test_a_new_comment_never_gets_the_id_of_a_deleted_last_comment(mail_app, mail_client, post):
    with mail_app.test_request_context():
        submit_comment(mail_client, post, page_url=post.url, comment="First words.")
        last = db.session.scalar(sa.select(Comment.id))
        _delete(Comment, last)
        submit_comment(mail_client, post, page_url=post.url, comment="Second words.")
    comment = db.session.scalar(sa.select(Comment))
    assert comment.id > last
    assert comment.root_id == comment.id  # the thread root the INSERT wrote is the id it got
