"""Done-when of two-way mail, end to end through real SMTP servers on both sides: the blog sends to
one aiosmtpd server (the readers' and the owner's mail), and readers answer through the blog's own
inbound listener (aiosmtpd too) with smtplib, as their mail servers would."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import sqlalchemy as sa

from blog.models import Comment
from blog.permalinks import post_url
from blog.settings import save_settings
from core.dbtypes import utcnow
from extensions import db
from notify.inbound.listener import start_listener
from notify.models import MailAddress, Subscription
from notify.sender import run_pass
from tests.support.factories import make_comment, make_post
from tests.support.helpers import submit_comment
from tests.support.mail import MailSink, delivery_report, make_user, text_of
from tests.support.servers import free_port

RAE = "rae@example.com"


@pytest.fixture
def blog(app_factory):
    sink = MailSink(free_port()).start()
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_REPLY_ADDRESS="reply@blog.example")
    inbound_port = free_port()
    with app.app_context():
        listener = start_listener(app, "127.0.0.1", inbound_port)
        try:
            save_settings({"comment_flood_seconds": 0})
            db.session.commit()
            yield app, sink, inbound_port
        finally:
            listener.stop()
            sink.stop()


def answer(port: int, mail: EmailMessage, sender: str, *, text: str, html: str | None = None,
           envelope_from: str | None = None) -> None:
    """Reply to `mail` the way a mail client does, delivered to the blog's inbound listener."""
    reply = EmailMessage()
    reply["From"], reply["To"] = sender, mail["Reply-To"]
    reply["Subject"] = f"Re: {mail['Subject']}"
    reply["Message-ID"], reply["In-Reply-To"] = make_msgid(domain="mail.example"), mail["Message-ID"]
    reply.set_content(text)
    if html is not None:
        reply.add_alternative(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", port, local_hostname="mail.example") as smtp:
        smtp.send_message(reply, from_addr=sender if envelope_from is None else envelope_from)


def only_mail(sink: MailSink, to: str, subject_part: str) -> EmailMessage:
    [mail] = [m for m in sink.messages if m["To"] == to and subject_part in m["Subject"]]
    return mail


def gmail_shape(new_text: str, mail: EmailMessage) -> str:
    quoted = "\n".join(f"> {line}" for line in text_of(mail).splitlines())
    return f"{new_text}\n\nOn Mon, 7 Dec 2026 at 10:02, Career Notes <{mail['Reply-To']}>\nwrote:\n\n{quoted}\n"


def test_replies_moderation_and_bounces_travel_by_mail(blog):
    app, sink, inbound = blog
    owner = make_user(display_name="Blog Owner", email="owner@example.com", role="administrator")
    post = make_post(title="Hating to network")
    make_comment(post, author_name="Rae", author_email=RAE, body="Following this one.")
    db.session.add(Subscription(email=RAE, scope="comments", post_id=post.id, confirmed_at=utcnow()))
    db.session.commit()

    # A first-time guest's comment is held; the owner's mail offers moderation by reply.
    client = app.test_client()
    with app.test_request_context():
        url = post_url(post)
    assert submit_comment(client, post, page_url=url, author="Ada", email="ada@example.com",
                          comment="Networking is a skill like any other.").status_code == 303
    held = db.session.scalars(sa.select(Comment).where(Comment.author_email == "ada@example.com")).one()
    assert held.status == "pending"
    run_pass()
    please_moderate = only_mail(sink, owner.email, "Please moderate")

    # The owner answers "approve" from their phone: approved, confirmed, and Rae is told.
    answer(inbound, please_moderate, owner.email, text=gmail_shape("Approve\n\nSent from my iPhone", please_moderate))
    db.session.expire_all()
    assert db.session.get(Comment, held.id).status == "approved"
    run_pass()
    assert only_mail(sink, owner.email, "Done:")
    notification = only_mail(sink, RAE, "New comment")

    # Rae answers the notification from Outlook (HTML with its reply header): a threaded comment.
    header = (f"From: Career Notes <{notification['Reply-To']}>\nSent: Monday, December 7, 2026 10:02 AM\n"
              f"To: {RAE}\nSubject: {notification['Subject']}")
    outlook_html = ("<html><body><div>Agreed, Ada: <b>practice</b> helps.</div>"
                    '<div id="appendonsend"></div><hr><div id="divRplyFwdMsg">' + header.replace("\n", "<br>")
                    + "</div><div>Ada commented: Networking is a skill</div></body></html>")
    quoted = f"________________________________\n{header}\n\n{text_of(notification)}"
    answer(inbound, notification, RAE, text=f"Agreed, Ada: practice helps.\n\n{quoted}", html=outlook_html)
    db.session.expire_all()
    [reply] = db.session.scalars(sa.select(Comment).where(Comment.parent_id == held.id)).all()
    assert (reply.author_email, reply.status) == (RAE, "approved")
    assert "practice" in reply.body and "Networking is a skill" not in reply.body and "From:" not in reply.body
    page = client.get(url).get_data(as_text=True)
    assert "practice" in page

    # Rae's mail server later bounces one of the blog's mails: a delivery report to its envelope sender.
    bounce_to = sink.envelope_senders[sink.messages.index(notification)]
    assert bounce_to.startswith("reply+b")
    with smtplib.SMTP("127.0.0.1", inbound, local_hostname="mx.example.com") as smtp:
        smtp.sendmail("", [bounce_to], delivery_report(bounce_to, RAE, status="5.2.1"))
    db.session.expire_all()
    marked = db.session.scalars(sa.select(MailAddress).where(MailAddress.email == RAE)).one()
    assert (marked.bounce_count, marked.last_status) == (1, "5.2.1")
