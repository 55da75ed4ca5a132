"""The inbound SMTP/LMTP listener (notify.inbound.listener, `flask mail inbound`), reached over
real SMTP on 127.0.0.1 with smtplib, as the site's mail server would reach it."""

import logging
import os
import select
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP

import pytest
import sqlalchemy as sa

from blog.models import Comment
from blog.settings import save_settings
from extensions import db
from notify.inbound.listener import start_listener
from notify.models import InboundMail
from notify.reply_addresses import READER_REPLY, address_for
from tests.conftest import TEST_DATABASE_URL
from tests.support.factories import make_comment, make_post
from tests.support.servers import ROOT, free_port

REPLY_ADDRESS = "reply@blog.example"
SMALL_LIMIT = 64 * 1024


@pytest.fixture
def inbound_app(app_factory):
    app = app_factory(MAIL_REPLY_ADDRESS=REPLY_ADDRESS, MAIL_INBOUND_MAX_BYTES=SMALL_LIMIT)
    with app.app_context():
        yield app


@pytest.fixture
def listener(inbound_app):
    controller = start_listener(inbound_app, "127.0.0.1", free_port())
    yield controller
    controller.stop()


@pytest.fixture
def lmtp_listener(inbound_app):
    controller = start_listener(inbound_app, "127.0.0.1", free_port(), lmtp=True)
    yield controller
    controller.stop()


def connect(controller) -> smtplib.SMTP:
    smtp = smtplib.SMTP("127.0.0.1", controller.port, local_hostname="127.0.0.1", timeout=10)
    smtp.ehlo()
    return smtp


def reply_mail(sender: str, to: str, text: str = "Thanks, that answered my question.", size: int = 0) -> bytes:
    message = EmailMessage()
    message["From"] = f"A Reader <{sender}>"
    message["To"] = to
    message["Subject"] = "Re: New reply to your comment"
    message["Message-ID"] = f"<{time.monotonic_ns()}@mail.example.com>"
    message.set_content(text + ("\n" + "x" * 70) * (size // 72))
    return message.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire


def inbound_rows() -> list[InboundMail]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(InboundMail).order_by(InboundMail.id)))


def test_rcpt_to_a_foreign_address_is_refused_so_the_listener_never_relays(listener):
    with connect(listener) as smtp:
        smtp.mail("spammer@example.org")
        code, _ = smtp.rcpt("victim@example.com")
        no_recipient, _ = smtp.docmd("DATA")
    assert code == 550
    assert no_recipient == 503
    assert inbound_rows() == []


@pytest.mark.parametrize("address", [REPLY_ADDRESS, "reply+@blog.example", "reply+zzz@blog.example",
                                     "reply+r1-2@blog.example", "postmaster@blog.example"])
def test_rcpt_to_our_domain_without_a_well_formed_token_is_refused(listener, address):
    with connect(listener) as smtp:
        smtp.mail("reader@example.com")
        code, text = smtp.rcpt(address)
    assert (code, text) == (550, b"5.1.1 No such mailbox here")


def test_rcpt_to_a_reply_address_is_accepted(listener):
    with connect(listener) as smtp:
        smtp.mail("reader@example.com")
        code, _ = smtp.rcpt(address_for(READER_REPLY, 1, "reader@example.com"))
    assert code == 250


def test_greeting_names_the_blog_and_its_mail_domain(listener, inbound_app):
    with smtplib.SMTP(local_hostname="127.0.0.1", timeout=10) as smtp:
        code, greeting = smtp.connect("127.0.0.1", listener.port)
    assert code == 220
    assert greeting.decode() == f"blog.example {inbound_app.config['BLOG_TITLE']}"


def test_message_over_the_size_limit_announced_in_mail_from_gets_552_and_a_log_line(listener, caplog):
    big = reply_mail("reader@example.com", address_for(READER_REPLY, 1, "reader@example.com"), size=2 * SMALL_LIMIT)
    caplog.set_level(logging.WARNING, logger="notify.inbound.listener")
    with connect(listener) as smtp, pytest.raises(smtplib.SMTPSenderRefused) as refused:
        smtp.sendmail("reader@example.com", [address_for(READER_REPLY, 1, "reader@example.com")], big)
    assert refused.value.smtp_code == 552
    assert f"limit is {SMALL_LIMIT} bytes" in refused.value.smtp_error.decode()
    assert "over MAIL_INBOUND_MAX_BYTES" in caplog.text
    assert inbound_rows() == []


def test_message_over_the_size_limit_sent_without_size_gets_552_after_data(listener, caplog):
    to = address_for(READER_REPLY, 1, "reader@example.com")
    caplog.set_level(logging.WARNING, logger="notify.inbound.listener")
    with connect(listener) as smtp:
        smtp.mail("reader@example.com")  # no SIZE= parameter: only the data itself shows it
        smtp.rcpt(to)
        code, text = smtp.data(reply_mail("reader@example.com", to, size=2 * SMALL_LIMIT))
        still_serving, _ = smtp.noop()
    assert code == 552, text
    assert still_serving == 250
    assert "over MAIL_INBOUND_MAX_BYTES" in caplog.text
    assert inbound_rows() == []


def test_a_30_mb_message_is_refused_at_the_default_limit(app_factory):
    app = app_factory(MAIL_REPLY_ADDRESS=REPLY_ADDRESS)  # the configured default limit
    with app.app_context():
        controller = start_listener(app, "127.0.0.1", free_port())
        to = address_for(READER_REPLY, 1, "reader@example.com")
        try:
            with connect(controller) as smtp:
                smtp.mail("reader@example.com")
                smtp.rcpt(to)
                code, _ = smtp.data(reply_mail("reader@example.com", to, size=30 * 1024 * 1024))
        finally:
            controller.stop()
        assert code == 552
        assert inbound_rows() == []


def test_message_to_a_token_not_given_to_the_sender_is_refused_and_logged_without_a_comment(listener):
    post = make_post()
    parent = make_comment(post, author_email="reader@example.com")
    to = address_for(READER_REPLY, parent.id, "reader@example.com")
    with connect(listener) as smtp:
        smtp.mail("intruder@example.net")
        smtp.rcpt(to)
        code, text = smtp.data(reply_mail("intruder@example.net", to))
    assert code == 550, text
    [row] = inbound_rows()
    assert (row.outcome, row.recipient, row.from_addr) == ("refused", to, "intruder@example.net")
    assert db.session.scalars(sa.select(Comment).where(Comment.parent_id == parent.id)).all() == []


def test_message_to_an_altered_token_is_refused_and_logged_without_a_comment(listener):
    post = make_post()
    parent = make_comment(post, author_email="author@example.com")
    genuine = address_for(READER_REPLY, parent.id, "reader@example.com")
    local, _, domain = genuine.partition("@")
    altered = f"{local[:-1]}{'a' if local[-1] != 'a' else 'b'}@{domain}"
    with connect(listener) as smtp:
        smtp.mail("reader@example.com")
        assert smtp.rcpt(altered)[0] == 250  # the form is ours; only the signature is wrong
        code, _ = smtp.data(reply_mail("reader@example.com", altered))
    assert code == 550
    assert [(row.outcome, row.recipient) for row in inbound_rows()] == [("refused", altered)]
    assert db.session.scalars(sa.select(Comment).where(Comment.parent_id == parent.id)).all() == []


def test_a_readers_reply_through_the_listener_becomes_a_threaded_comment(listener):
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    post = make_post()
    parent = make_comment(post, author_email="author@example.com")
    to = address_for(READER_REPLY, parent.id, "reader@example.com")
    with connect(listener) as smtp:
        refused = smtp.sendmail("reader@example.com", [to], reply_mail("reader@example.com", to))
    assert refused == {}
    [row] = inbound_rows()
    assert row.outcome == "comment"
    reply = db.session.get(Comment, row.comment_id)
    assert (reply.parent_id, reply.author_email) == (parent.id, "reader@example.com")
    assert "answered my question" in reply.body


def test_lmtp_answers_data_once_per_recipient(lmtp_listener):
    post = make_post()
    parent = make_comment(post, author_email="author@example.com")
    given_to_sender = address_for(READER_REPLY, parent.id, "reader@example.com")
    given_to_someone_else = address_for(READER_REPLY, parent.id, "other@example.com")
    with smtplib.LMTP("127.0.0.1", lmtp_listener.port, local_hostname="127.0.0.1", timeout=10) as lmtp:
        ehlo, _ = lmtp.docmd("EHLO", "127.0.0.1")
        lhlo, _ = lmtp.ehlo()  # smtplib's LMTP greets with LHLO
        lmtp.mail("reader@example.com")
        assert lmtp.rcpt(given_to_someone_else)[0] == 250
        assert lmtp.rcpt(given_to_sender)[0] == 250
        first, first_text = lmtp.data(reply_mail("reader@example.com", given_to_sender))
        second, _ = lmtp.getreply()
        after, _ = lmtp.noop()
    assert (ehlo, lhlo) == (500, 250)
    assert (first, second, after) == (550, 250, 250)
    assert b"not given to your address" in first_text
    assert [(r.recipient, r.outcome) for r in inbound_rows()] == [
        (given_to_someone_else, "refused"), (given_to_sender, "comment")]


def test_lmtp_refuses_data_over_the_size_limit_once_per_recipient(lmtp_listener):
    recipients = [address_for(READER_REPLY, n, "reader@example.com") for n in (1, 2)]
    with smtplib.LMTP("127.0.0.1", lmtp_listener.port, local_hostname="127.0.0.1", timeout=10) as lmtp:
        lmtp.ehlo()
        lmtp.mail("reader@example.com")  # no SIZE= parameter: only the data itself shows it
        for recipient in recipients:
            lmtp.rcpt(recipient)
        first, _ = lmtp.data(reply_mail("reader@example.com", recipients[0], size=2 * SMALL_LIMIT))
        second, _ = lmtp.getreply()
        after, _ = lmtp.noop()
    assert (first, second, after) == (552, 552, 250)
    assert inbound_rows() == []


def test_lmtp_refuses_a_foreign_recipient(lmtp_listener):
    with smtplib.LMTP("127.0.0.1", lmtp_listener.port, local_hostname="127.0.0.1", timeout=10) as lmtp:
        lmtp.ehlo()
        lmtp.mail("spammer@example.org")
        code, _ = lmtp.rcpt("victim@example.com")
    assert code == 550


def test_mail_inbound_refuses_to_start_without_a_reply_address(app_factory):
    app = app_factory(MAIL_REPLY_ADDRESS="")
    result = app.test_cli_runner().invoke(args=["mail", "inbound", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "MAIL_REPLY_ADDRESS is not set" in result.output


def test_mail_inbound_says_when_its_port_is_taken(inbound_app, monkeypatch):
    monkeypatch.setenv("AIOSMTPD_CONTROLLER_TIMEOUT", "0.5")  # how long aiosmtpd waits to hear of it
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = inbound_app.test_cli_runner().invoke(args=["mail", "inbound", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output


def test_mail_inbound_listens_until_interrupted(inbound_app, tmp_path):
    port = free_port()
    database = TEST_DATABASE_URL if TEST_DATABASE_URL.startswith("postgresql") else f"sqlite:///{tmp_path}/b.db"
    env = os.environ | {"BLOG_ENV": "development", "SECRET_KEY": inbound_app.config["SECRET_KEY"],
                        "DATABASE_URL": database, "MAIL_REPLY_ADDRESS": REPLY_ADDRESS,
                        "MAIL_INBOUND_PORT": str(port), "MAIL_BACKGROUND_THREAD": "0", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "mail", "inbound"], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        started = _line_from(process, timeout=30)
        assert started == f"Receiving mail for {REPLY_ADDRESS} by SMTP on 127.0.0.1:{port}; Ctrl-C stops.\n"
        with smtplib.SMTP("127.0.0.1", port, local_hostname="127.0.0.1", timeout=10) as smtp:
            smtp.ehlo()
            smtp.mail("reader@example.com")
            foreign, _ = smtp.rcpt("victim@example.com")
            ours, _ = smtp.rcpt(address_for(READER_REPLY, 1, "reader@example.com"))
        assert (foreign, ours) == (550, 250)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)  # a loaded machine can be slow; a hang still fails
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert "Inbound mail stopped." in output
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", port, local_hostname="127.0.0.1", timeout=2)


def _line_from(process: subprocess.Popen, timeout: float) -> str:
    """The first line the process prints, waiting no longer than `timeout`."""
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the command printed nothing"
    return process.stdout.readline()
