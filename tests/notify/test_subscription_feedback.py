"""Following by mail: the reader is told where the confirmation went, and a box ticked with no
address to mail is refused with a message instead of being dropped."""

import sqlalchemy as sa

from extensions import db
from notify.models import Subscription
from tests.support.helpers import login_as, page_soup, submit_comment
from tests.support.mail import make_user

SENT = "Check your inbox: we sent a link to ada@example.com to confirm your subscription."


def _post_comment(client, post, **fields):
    with client.application.test_request_context():
        return submit_comment(client, post, page_url=post.url, **fields)


def test_guest_who_ticks_notify_me_lands_on_a_check_your_inbox_notice(mail_app, mail_client, mail_post):
    sent = _post_comment(mail_client, mail_post, subscribe_comments="y", comments_delivery="instant")
    assert sent.status_code == 303 and sent.location.endswith("#content")
    page = page_soup(mail_client.get(sent.location))
    notices = [p.get_text() for p in page.select("#content > p.notice")]
    assert SENT in notices


def test_guest_who_ticks_nothing_gets_no_inbox_notice(mail_app, mail_client, mail_post):
    sent = _post_comment(mail_client, mail_post)
    assert "#comment-" in sent.location
    assert "Check your inbox" not in mail_client.get(sent.location).get_data(as_text=True)


def test_confirmed_subscriber_ticking_again_is_not_told_a_link_was_sent(mail_app, mail_client, mail_post):
    _post_comment(mail_client, mail_post, subscribe_blog="y")
    db.session.execute(sa.update(Subscription).values(confirmed_at=sa.func.now()))
    db.session.commit()
    sent = _post_comment(mail_client, mail_post, comment="Again.", subscribe_blog="y")
    assert "Check your inbox" not in mail_client.get(sent.location).get_data(as_text=True)


def test_logged_in_reader_without_email_who_ticks_a_box_is_asked_for_an_address(mail_app, mail_client, mail_post):
    reader = make_user(email=None, email_verified=False)
    login_as(mail_client, reader)
    refused = _post_comment(mail_client, mail_post, comment="Keep me posted.", subscribe_comments="y")
    assert refused.status_code == 400
    error = page_soup(refused).select_one("#subscribe_comments-error").get_text()
    assert "Your account has no email address" in error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subscription)) == 0


def test_logged_in_reader_without_email_can_comment_without_ticking(mail_app, mail_client, mail_post):
    login_as(mail_client, make_user(email=None, email_verified=False))
    assert _post_comment(mail_client, mail_post, comment="Just a note.").status_code == 303


def test_verified_reader_who_ticks_a_box_is_subscribed_without_an_inbox_notice(mail_app, mail_client, mail_post):
    login_as(mail_client, make_user(email="reader@example.com", email_verified=True))
    sent = _post_comment(mail_client, mail_post, comment="Subscribe me.", subscribe_comments="y")
    assert "#comment-" in sent.location
    assert db.session.scalar(sa.select(Subscription.confirmed_at)) is not None
