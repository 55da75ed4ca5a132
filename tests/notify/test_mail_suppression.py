"""The sender stops mailing an address that bounced MAIL_BOUNCE_LIMIT times, without a word to the
SMTP server, and sends each mail from its signed bounce address when two-way mail is on."""

import pytest
import sqlalchemy as sa

from extensions import db
from notify.models import MailAddress, OutboxMessage
from notify.reply_addresses import BOUNCE, read_address
from notify.sender import run_pass
from tests.support.mail import MailSink
from tests.support.servers import free_port


class RecordingSink(MailSink):
    """A MailSink that also counts the EHLO greetings it hears."""

    def __init__(self, port: int):
        super().__init__(port)
        self.greetings = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.greetings += 1
        session.host_name = hostname  # a hook of one's own takes this over from aiosmtpd
        return responses


@pytest.fixture
def sink():
    sink = RecordingSink(free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture
def site(app_factory, sink):
    def build(**config):
        app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, **config)
        context = app.app_context()
        context.push()
        opened.append(context)
        return app

    opened = []
    yield build
    for context in reversed(opened):
        context.pop()


def queue(to: str, subject: str = "New comment on your post") -> OutboxMessage:
    message = OutboxMessage(to_addr=to, subject=subject, body_text="Someone answered you.")
    db.session.add(message)
    db.session.commit()
    return message


def bounced(email: str, count: int) -> MailAddress:
    address = MailAddress(email=email, bounce_count=count, last_status="5.1.1",
                          last_diagnostic="smtp; 550 5.1.1 No such user here")
    db.session.add(address)
    db.session.commit()
    return address


def reloaded(message: OutboxMessage) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def test_a_mail_to_an_address_that_bounced_three_times_is_failed_without_talking_to_the_server(site, sink):
    site()
    bounced("gone@example.com", 3)
    message = queue("Gone@Example.com")
    result = run_pass()
    assert (result.sent, result.failed) == (0, 1)
    row = reloaded(message)
    assert (row.status, row.attempts) == ("failed", 0)
    assert row.last_error == ("Not sent: gone@example.com bounced 3 times "
                              "(last: 5.1.1 smtp; 550 5.1.1 No such user here)")
    assert sink.greetings == 0 and sink.messages == []


def test_other_mail_in_the_same_pass_is_still_delivered(site, sink):
    site()
    bounced("gone@example.com", 4)
    stopped, fine = queue("gone@example.com"), queue("ada@example.com")
    result = run_pass()
    assert (result.sent, result.failed) == (1, 1)
    assert [m["To"] for m in sink.messages] == ["ada@example.com"]
    assert (reloaded(stopped).status, reloaded(fine).status) == ("failed", "sent")


def test_an_address_below_the_limit_still_gets_its_mail(site, sink):
    site()
    bounced("flaky@example.com", 2)
    message = queue("flaky@example.com")
    assert run_pass().sent == 1
    assert reloaded(message).status == "sent" and len(sink.to("flaky@example.com")) == 1


def test_the_limit_is_the_configured_one(site, sink):
    site(MAIL_BOUNCE_LIMIT=5)
    bounced("flaky@example.com", 4)
    queue("flaky@example.com")
    run_pass()
    bounced("gone@example.com", 5)
    stopped = queue("gone@example.com")
    run_pass()
    assert [m["To"] for m in sink.messages] == ["flaky@example.com"]
    assert reloaded(stopped).last_error.startswith("Not sent: gone@example.com bounced 5 times")


def test_a_cleared_address_gets_mail_again(site, sink):
    site()
    address = bounced("back@example.com", 3)
    queue("back@example.com")
    run_pass()
    address.bounce_count = 0  # what the Mail screen's Clear leaves: no bounces held against it
    db.session.commit()
    later = queue("back@example.com", subject="Another answer")
    run_pass()
    assert [m["Subject"] for m in sink.messages] == ["Another answer"]
    assert reloaded(later).status == "sent"


def test_with_two_way_mail_the_envelope_sender_is_the_messages_signed_bounce_address(site, sink):
    site(MAIL_REPLY_ADDRESS="reply@blog.example")
    message = queue("Ada@Example.com")
    run_pass()
    [envelope_sender] = sink.envelope_senders
    assert envelope_sender.startswith("reply+b") and envelope_sender.endswith("@blog.example")
    token = read_address(envelope_sender)
    assert (token.kind, token.object_id) == (BOUNCE, message.id)
    assert token.signed_for("ada@example.com") and not token.signed_for("someone@example.com")
    [received] = sink.messages
    assert received["From"] == "Career Notes <blog@example.com>"  # what the reader sees is unchanged


def test_without_two_way_mail_the_envelope_sender_is_the_from_address(site, sink):
    site()
    queue("ada@example.com")
    run_pass()
    assert sink.envelope_senders == ["blog@example.com"]


def test_each_message_gets_a_bounce_address_of_its_own(site, sink):
    site(MAIL_REPLY_ADDRESS="reply@blog.example")
    first, second = queue("ada@example.com"), queue("ada@example.com")
    run_pass()
    ids = [read_address(sender).object_id for sender in sink.envelope_senders]
    assert ids == [first.id, second.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == "sent")) == 2
