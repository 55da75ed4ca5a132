"""The outbox and its sender: mail rides the caller's transaction and survives SMTP outages."""

import threading
from datetime import timedelta

import sqlalchemy as sa

from blog.models import Comment
from blog.settings import get_settings
from core.dbtypes import utcnow
from extensions import db
from notify import events, mailer
from notify.models import OutboxMessage
from notify.sender import send_due
from tests.support.factories import make_comment, make_post
from tests.support.mail import MailSink, free_port, html_of, make_user, text_of


def _queue_test_mail(to="reader@example.com", subject="Hello there", **context):
    message = mailer.enqueue(
        to, subject, "new_post", post=_FakePost(), post_link="http://x/p/", **context
    )
    db.session.commit()
    return message


class _FakePost:
    title = "Networking <for> introverts & friends"
    excerpt = "Short excerpt"


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_enqueue_adds_to_the_callers_transaction_without_committing(mail_app):
    mailer.enqueue("reader@example.com", "Hi", "new_post", post=_FakePost(), post_link="x")
    assert len(_outbox()) == 1  # visible in this transaction
    db.session.rollback()
    assert _outbox() == []  # and gone with it


def test_send_pass_delivers_text_and_html_bodies(mail_app, deliver):
    _queue_test_mail()
    [received] = deliver()
    assert received["To"] == "reader@example.com"
    assert received["From"] == mail_app.config["MAIL_DEFAULT_SENDER"]
    assert received["Subject"] == "Hello there"
    assert received["Message-ID"].endswith("@example.com>")
    assert "Networking <for> introverts & friends" in text_of(received)
    assert "Networking &lt;for&gt; introverts &amp; friends" in html_of(received)
    [row] = _outbox()
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.sent_at is not None
    assert deliver() == [received]  # nothing is sent twice


def test_subject_with_newlines_cannot_inject_headers(mail_app, deliver):
    _queue_test_mail(subject="Hi\r\nBcc: victim@example.com")
    [received] = deliver()
    assert received["Subject"] == "Hi Bcc: victim@example.com"
    assert received["Bcc"] is None


def test_unsubscribe_url_adds_one_click_headers(mail_app, deliver):
    _queue_test_mail(unsubscribe_url="http://127.0.0.1:5000/notify/unsubscribe/abc")
    [received] = deliver()
    assert received["List-Unsubscribe"] == "<http://127.0.0.1:5000/notify/unsubscribe/abc>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "http://127.0.0.1:5000/notify/unsubscribe/abc" in text_of(received)


def test_smtp_down_is_retried_with_backoff_then_delivered_when_up(app_factory):
    port = free_port()  # nothing listens here yet
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_RETRY_SECONDS=60)
    with app.app_context():
        _queue_test_mail()
        start = utcnow()
        result = send_due(start)
        assert (result.sent, result.retried) == (0, 1)
        [row] = _outbox()
        assert (row.status, row.attempts) == ("pending", 1)
        assert "ConnectionRefusedError" in row.last_error
        assert row.next_attempt_at == start + timedelta(seconds=60)

        assert send_due(start + timedelta(seconds=30)).retried == 0  # not due yet
        send_due(start + timedelta(seconds=61))
        db.session.refresh(row)
        assert row.attempts == 2
        assert row.next_attempt_at == start + timedelta(seconds=61 + 120)  # doubled

        sink = MailSink(port).start()
        try:
            result = send_due(start + timedelta(seconds=200))
        finally:
            sink.stop()
        assert result.sent == 1
        assert [m["Subject"] for m in sink.messages] == ["Hello there"]
        db.session.refresh(row)
        assert (row.status, row.attempts) == ("sent", 3)


def test_comment_is_kept_when_the_mail_server_is_down(app_factory):
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context():
        make_user(email="owner@example.com", role="administrator")
        comment = make_comment(make_post(), status="pending")
        events.comment_submitted(comment, get_settings())
        db.session.commit()
        assert send_due().retried == 1
        assert db.session.get(Comment, comment.id).status == "pending"
        assert [m.to_addr for m in _outbox()] == ["owner@example.com"]


def test_message_is_kept_as_failed_after_the_last_try(app_factory):
    app = app_factory(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=2, MAIL_RETRY_SECONDS=1
    )
    with app.app_context():
        _queue_test_mail()
        now = utcnow()
        send_due(now)
        result = send_due(now + timedelta(seconds=5))
        assert result.failed == 1
        [row] = _outbox()
        assert (row.status, row.attempts) == ("failed", 2)
        assert "refused" in row.last_error.lower()
        assert send_due(now + timedelta(days=1)).failed == 0  # never tried again


def test_permanent_rejection_fails_at_once_and_others_still_go(mail_app, deliver):
    _queue_test_mail(to="reject-me@example.com")
    _queue_test_mail(to="fine@example.com")
    received = deliver()
    assert [m["To"] for m in received] == ["fine@example.com"]
    rejected, sent = _outbox()
    assert (rejected.status, rejected.attempts) == ("failed", 1)
    assert "550" in rejected.last_error
    assert sent.status == "sent"


def test_without_mail_server_mail_waits_in_the_outbox(app):
    _queue_test_mail()
    assert send_due().sent == 0
    assert [m.status for m in _outbox()] == ["pending"]


def test_mail_send_command_sends_and_reports(mail_app, smtp_server):
    _queue_test_mail()
    result = mail_app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    assert len(smtp_server.messages) == 1


def test_background_thread_starts_on_first_request_only_when_enabled(app_factory, smtp_server):
    def sender_threads():
        return [t for t in threading.enumerate() if t.name == "mail-sender"]

    quiet = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    quiet.test_client().get("/")
    assert "mail_background_sender" not in quiet.extensions

    app = app_factory(
        TESTING=False,
        MAIL_BACKGROUND_THREAD=True,
        MAIL_WORKER_INTERVAL=0.05,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
    )
    assert sender_threads() == []  # building the app starts nothing
    with app.app_context():
        _queue_test_mail()
        db.session.remove()
    sender = app.extensions["mail_background_sender"]
    try:
        app.test_client().get("/")
        assert sender.thread is not None and sender.thread.is_alive()
        assert len(smtp_server.wait_for(1)) == 1
    finally:
        sender.stop()
    assert not sender.thread.is_alive()
