"""A real SMTP server (aiosmtpd) on 127.0.0.1, an app that sends to it, and mail helpers."""

import email
import re
import time
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from itertools import count
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from flask import g, has_app_context

from auth.models import User
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from notify.sender import run_pass
from tests.support.factories import make_post
from tests.support.servers import free_port

_users = count(1)


class MailSink:
    """Collects what arrives; RCPT TO an address starting with "reject" gets a 550."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[EmailMessage] = []
        self.envelope_senders: list[str] = []  # each message's MAIL FROM, where its bounces would go
        self.controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelope_senders.append(envelope.mail_from)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted for delivery"

    def start(self) -> "MailSink":
        # server_hostname given: aiosmtpd's default asks DNS for this machine's name.
        self.controller = Controller(
            self, hostname="127.0.0.1", port=self.port, server_hostname="127.0.0.1"
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, n: int, timeout: float = 5) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp_server():
    sink = MailSink(free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture
def mail_app(app_factory, smtp_server):
    """An app whose mail goes to the test SMTP server, with its app context pushed."""
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        yield app


@pytest.fixture
def mail_post(mail_app):
    """A published post (no flood interval) with its permalink as `url`."""
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    with mail_app.test_request_context():
        post = make_post()
        post.url = post_url(post)
    return post


@pytest.fixture
def mail_client(mail_app):
    return mail_app.test_client()


@pytest.fixture
def deliver(mail_app, smtp_server):
    """Run one worker pass; returns every mail the SMTP server has received so far."""

    def run(now=None) -> list[EmailMessage]:
        run_pass(now)
        return smtp_server.messages

    return run


def make_user(**fields) -> User:
    n = next(_users)
    values = {
        "display_name": f"User {n}",
        "login": f"user{n}",
        "email": f"user{n}@example.com",
        "email_verified": True,
    }
    user = User(**(values | fields))
    db.session.add(user)
    db.session.commit()
    return user


    # Requests share the test's pushed app context, where Flask-Login caches the user in g.
    if has_app_context():
        g.pop("_login_user", None)


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message: EmailMessage, containing: str = "") -> list[str]:
    """Paths of the links in a mail's plain text (the test client requests paths)."""
    urls = re.findall(r"https?://\S+", text_of(message))
    return [_path(u) for u in urls if containing in u]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_token_from(response) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return page.select_one("input[name=csrf_token]")["value"]


def press_button(client, path: str, **data):
    """Open a page and submit its form with the CSRF token it carries, as a browser would."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token_from(page), **data})


def delivery_report(to: str, failed_address: str, action: str = "failed", status: str = "5.1.1",
                    diagnostic: str = "smtp; 550 5.1.1 User unknown") -> bytes:
    """A bounce as a receiving mail server writes it (RFC 3464): multipart/report, delivery-status."""
    report = (f"Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; {failed_address}\n"
              f"Action: {action}\nStatus: {status}\nDiagnostic-Code: {diagnostic}\n")
    raw = (f"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nTo: {to}\n"
           f"Subject: Undelivered Mail Returned to Sender\nMessage-ID: {make_msgid(domain='mx.example.net')}\n"
           "Auto-Submitted: auto-replied\nMIME-Version: 1.0\n"
           'Content-Type: multipart/report; report-type=delivery-status; boundary="report"\n\n'
           "--report\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
           f"--report\nContent-Type: message/delivery-status\n\n{report}\n--report--\n")
    return raw.encode()
