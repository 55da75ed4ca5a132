"""Reading replies from a mailbox over IMAP (notify.inbound.imap, `flask mail imap`), against the
IMAP server of tests/support/imap_server.py on 127.0.0.1."""

import logging
import time
from email.message import EmailMessage
from email.policy import SMTP

import pytest
import sqlalchemy as sa

from blog.models import Comment
from blog.settings import save_settings
from core.worker import run_passes
from extensions import db
from notify.inbound.imap import poll_mailbox, recipients_of
from notify.models import InboundMail
from notify.reply_addresses import READER_REPLY, address_for
from tests.support import imap_server as imap_support
from tests.support.factories import make_comment, make_post
from tests.support.servers import free_port

imap_server = imap_support.imap_server  # the fixture

REPLY_ADDRESS = "reply@blog.example"
SMALL_LIMIT = 64 * 1024


def imap_settings(server, **overrides) -> dict:
    return {"MAIL_REPLY_ADDRESS": REPLY_ADDRESS, "MAIL_IMAP_HOST": "127.0.0.1", "MAIL_IMAP_PORT": server.port,
            "MAIL_IMAP_SSL": False, "MAIL_IMAP_USERNAME": imap_support.USERNAME,
            "MAIL_IMAP_PASSWORD": imap_support.PASSWORD, "MAIL_INBOUND_MAX_BYTES": SMALL_LIMIT,
            "MAIL_TIMEOUT": 5, **overrides}


@pytest.fixture
def imap_app(app_factory, imap_server):
    app = app_factory(**imap_settings(imap_server))
    with app.app_context():
        yield app


def mail(to: str, sender: str = "reader@example.com", text: str = "Thanks, that answered my question.",
         size: int = 0, **headers) -> bytes:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message["From"] = f"A Reader <{sender}>"
    message["To"] = to
    message["Subject"] = "Re: New reply to your comment"
    message["Message-ID"] = f"<{time.monotonic_ns()}@mail.example.com>"
    message.set_content(text + ("\n" + "x" * 70) * (size // 72))
    return message.as_bytes(policy=SMTP)


def inbound_rows() -> list[InboundMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(InboundMail).order_by(InboundMail.id)))


def test_poll_without_an_imap_host_does_nothing(app_factory):
    app = app_factory(MAIL_REPLY_ADDRESS=REPLY_ADDRESS)
    with app.app_context():
        assert poll_mailbox() is None
        assert not [line for line in run_passes() if line.startswith("IMAP")]


def test_messages_without_a_token_are_logged_as_dropped_and_removed_from_the_mailbox(imap_app, imap_server):
    imap_server.add(mail("someone@example.org"))
    imap_server.add(mail(f"Blog <{REPLY_ADDRESS}>"))
    report = poll_mailbox()
    assert report == "IMAP: 2 received, 0 to retry, 0 too large."
    assert imap_server.messages == []  # flagged \Deleted, then expunged
    assert [row.outcome for row in inbound_rows()] == ["dropped", "dropped"]
    assert db.session.scalars(sa.select(Comment)).all() == []
    assert imap_server.commands[-2:] == ["EXPUNGE", "LOGOUT"]


def test_oversize_message_is_marked_seen_without_being_downloaded(imap_app, imap_server, caplog):
    to = address_for(READER_REPLY, 1, "reader@example.com")
    big = imap_server.add(mail(to, size=2 * SMALL_LIMIT))
    caplog.set_level(logging.WARNING, logger="notify.inbound.imap")
    first = poll_mailbox()
    second = poll_mailbox()
    assert first == "IMAP: 0 received, 0 to retry, 1 too large."
    assert second == "IMAP: 0 received, 0 to retry, 0 too large."  # seen: not looked at again
    [kept] = imap_server.messages
    assert (kept.uid, kept.flags) == (big, {"\\Seen"})
    assert big not in imap_server.downloaded
    assert "over MAIL_INBOUND_MAX_BYTES" in caplog.text
    assert inbound_rows() == []


def test_a_readers_reply_read_from_the_mailbox_becomes_a_threaded_comment(imap_app, imap_server):
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    post = make_post()
    parent = make_comment(post, author_email="author@example.com")
    token_address = address_for(READER_REPLY, parent.id, "reader@example.com")
    # As a mailbox holds it: the envelope recipient survives only in Delivered-To.
    imap_server.add(mail(f"Blog <{REPLY_ADDRESS}>", Delivered_To=token_address, Return_Path="<reader@example.com>"))
    assert poll_mailbox() == "IMAP: 1 received, 0 to retry, 0 too large."
    [row] = inbound_rows()
    assert (row.outcome, row.recipient) == ("comment", token_address)
    reply = db.session.get(Comment, row.comment_id)
    assert (reply.parent_id, reply.author_email) == (parent.id, "reader@example.com")
    assert imap_server.messages == []


def test_a_reply_with_a_null_return_path_is_dropped_as_automatic(imap_app, imap_server):
    post = make_post()
    parent = make_comment(post, author_email="author@example.com")
    token_address = address_for(READER_REPLY, parent.id, "reader@example.com")
    imap_server.add(mail(token_address, Return_Path="<>"))
    poll_mailbox()
    [row] = inbound_rows()
    assert (row.outcome, row.detail) == ("dropped", "empty envelope sender (automatic mail)")
    assert db.session.scalars(sa.select(Comment).where(Comment.parent_id == parent.id)).all() == []


def test_a_message_with_someone_elses_token_is_refused_and_removed(imap_app, imap_server):
    post = make_post()
    parent = make_comment(post, author_email="author@example.com")
    token_address = address_for(READER_REPLY, parent.id, "reader@example.com")
    imap_server.add(mail(token_address, sender="intruder@example.net"))
    poll_mailbox()
    [row] = inbound_rows()
    assert (row.outcome, row.from_addr) == ("refused", "intruder@example.net")
    assert imap_server.messages == []


def test_recipients_are_our_addresses_from_delivery_headers_first(app_factory):
    token = "reply+r1-2-abc@blog.example"
    raw = mail(f"Blog <{REPLY_ADDRESS}>, friend@example.org", Delivered_To="blog@mailhost.example",
               X_Original_To=token, Cc=f"Someone <{token.upper()}>")
    with app_factory(MAIL_REPLY_ADDRESS=REPLY_ADDRESS).app_context():
        assert recipients_of(raw) == [token, REPLY_ADDRESS]


def test_wrong_password_gives_a_report_line_not_a_crash(app_factory, imap_server, caplog):
    imap_server.add(mail(REPLY_ADDRESS))
    app = app_factory(**imap_settings(imap_server, MAIL_IMAP_PASSWORD="wrong"))
    caplog.set_level(logging.WARNING, logger="notify.inbound.imap")
    with app.app_context():
        report = poll_mailbox()
    assert report == (f"IMAP: could not read the mailbox at 127.0.0.1:{imap_server.port}: "
                      "[AUTHENTICATIONFAILED] Invalid credentials.")
    assert "AUTHENTICATIONFAILED" in caplog.text
    assert [m.flags for m in imap_server.messages] == [set()]


def test_unreachable_server_gives_a_report_line(app_factory, imap_server):
    port = free_port()
    app = app_factory(**imap_settings(imap_server, MAIL_IMAP_PORT=port))
    with app.app_context():
        report = poll_mailbox()
    assert report.startswith(f"IMAP: could not read the mailbox at 127.0.0.1:{port}: ")
    assert "Connection refused" in report


def test_a_mailbox_that_does_not_exist_gives_a_report_line(app_factory, imap_server):
    app = app_factory(**imap_settings(imap_server, MAIL_IMAP_MAILBOX="Archive"))
    with app.app_context():
        report = poll_mailbox()
    assert report == f"IMAP: could not read the mailbox at 127.0.0.1:{imap_server.port}: SELECT refused: " \
                     "[NONEXISTENT] no such mailbox."


def test_a_mailbox_whose_name_has_spaces_is_read(app_factory):
    server = imap_support.ImapServer(mailbox="Blog Replies").start()
    try:
        server.add(mail("someone@example.org"))
        with app_factory(**imap_settings(server, MAIL_IMAP_MAILBOX="Blog Replies")).app_context():
            report = poll_mailbox()
    finally:
        server.stop()
    assert report == "IMAP: 1 received, 0 to retry, 0 too large."
    assert server.messages == []


def test_worker_pass_reads_the_mailbox_when_imap_is_configured(imap_app, imap_server):
    imap_server.add(mail("someone@example.org"))
    reports = run_passes()
    assert "IMAP: 1 received, 0 to retry, 0 too large." in reports
    assert imap_server.messages == []


def test_mail_imap_once_reads_the_mailbox_and_exits(imap_app, imap_server):
    imap_server.add(mail("someone@example.org"))
    result = imap_app.test_cli_runner().invoke(args=["mail", "imap", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output == "IMAP: 1 received, 0 to retry, 0 too large.\n"
    assert imap_server.messages == []


def test_mail_imap_refuses_to_start_without_a_host(app_factory):
    result = app_factory().test_cli_runner().invoke(args=["mail", "imap", "--once"])
    assert result.exit_code == 1
    assert "MAIL_IMAP_HOST is not set" in result.output
