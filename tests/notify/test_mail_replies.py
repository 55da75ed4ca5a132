"""Replies by mail: a reader's answer becomes a comment, an owner's answer moderates, bounces count;
everything else (no or altered token, a forged From, auto-replies, quoted text only) acts on nothing."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
import sqlalchemy as sa

from blog.models import Comment
from blog.settings import save_settings
from extensions import db
from notify import reply_addresses
from notify.inbound.receive import check_recipient, receive_message
from notify.models import InboundMail, MailAddress, OutboxMessage
from notify.reply_addresses import BOUNCE, MODERATION, READER_REPLY
from notify.sender import run_pass
from tests.support.factories import make_comment, make_post
from tests.support.i18n import translated
from tests.support.mail import delivery_report, make_user, text_of

READER = "reader@example.com"


@pytest.fixture
def two_way(app_factory, smtp_server):
    app = app_factory(MAIL_REPLY_ADDRESS="reply@blog.example", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        yield app


@pytest.fixture
def deliver(two_way, smtp_server):
    """Run one worker pass of this module's app; every mail the SMTP server has received so far."""

    def run():
        run_pass()
        return smtp_server.messages

    return run


@pytest.fixture
def thread(two_way):
    """A post with an approved comment the reader was told about, and an earlier approved one of theirs."""
    post = make_post(title="Hating to network")
    make_comment(post, author_name="Reader Rae", author_email=READER, body="An earlier word.")
    parent = make_comment(post, author_name="Ada", author_email="ada@example.com", body="Networking is a skill.")
    return post, parent


def mail(to: str, text: str = "I could not agree more.", *, sender: str = READER, html: str | None = None,
         **headers) -> bytes:
    message = EmailMessage()
    message["From"] = f"Reader Rae <{sender}>"
    message["To"] = to
    message["Subject"] = "Re: New comment on “Hating to network”"
    message["Message-ID"] = make_msgid(domain="mail.example")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message.as_bytes()


def receive(raw: bytes, to: str, envelope_from: str | None = READER):
    return receive_message(raw, envelope_from=envelope_from, recipients=[to])


def comments_under(parent) -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).where(Comment.parent_id == parent.id).order_by(Comment.id)))


def last_inbound() -> InboundMail:
    return db.session.scalars(sa.select(InboundMail).order_by(InboundMail.id.desc()).limit(1)).one()


def outbox_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_addr == address)))


def test_a_readers_reply_becomes_their_approved_comment_threaded_under_the_notified_one(thread):
    post, parent = thread
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    quoted = "\n\nOn Mon, 7 Dec 2026 at 10:02, Blog <reply@blog.example> wrote:\n> Networking is a skill.\n"
    result = receive(mail(to, "I could not agree more." + quoted), to)
    assert (result.smtp_code, result.outcome) == (250, "comment")
    [reply] = comments_under(parent)
    assert (reply.body, reply.status, reply.author_name, reply.author_email) == \
        ("I could not agree more.", "approved", "Reader Rae", READER)
    assert reply.depth == parent.depth + 1 and reply.root_id == parent.root_id
    assert last_inbound().comment_id == reply.id
    assert outbox_to(READER) == []  # published: nothing to tell them


def test_a_first_time_commenters_reply_is_held_and_they_are_told(thread, deliver):
    post, parent = thread
    newcomer = "newcomer@example.com"
    to = reply_addresses.address_for(READER_REPLY, parent.id, newcomer)
    assert receive(mail(to, "Hello from a new reader.", sender=newcomer), to, newcomer).outcome == "comment"
    [reply] = comments_under(parent)
    assert reply.status == "pending" and reply.author_name == "Reader Rae"  # the From's display name
    [notice] = [m for m in deliver() if m["To"] == newcomer]
    assert "awaiting moderation" in notice["Subject"] and "Hating to network" in text_of(notice)
    assert notice["Auto-Submitted"] == "auto-generated" and notice["Reply-To"] is None  # answering it goes nowhere


def test_a_reply_the_rules_refuse_is_not_stored_and_its_sender_hears_why(thread, deliver):
    post, parent = thread
    post.comments_open = False
    db.session.commit()
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    assert receive(mail(to), to).outcome == "refused"
    assert comments_under(parent) == []
    [notice] = [m for m in deliver() if m["To"] == READER]
    assert "was not posted" in notice["Subject"] and "Comments are closed." in text_of(notice)


def test_a_registered_users_reply_is_posted_as_their_account(thread):
    post, parent = thread
    user = make_user(display_name="Grace H", email="grace@example.com")
    to = reply_addresses.address_for(READER_REPLY, parent.id, "grace@example.com")
    receive(mail(to, "Signed in by mail.", sender="Grace@Example.com"), to, "grace@example.com")
    [reply] = comments_under(parent)
    assert (reply.user_id, reply.author_name) == (user.id, "Grace H")


def test_a_failed_dkim_signature_holds_the_reply_and_the_verdicts_are_recorded(thread):
    post, parent = thread
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    raw = mail(to, Authentication_Results="mx.blog.example; spf=pass smtp.mailfrom=example.com; dkim=fail")
    receive(raw, to)
    [reply] = comments_under(parent)
    assert reply.status == "pending" and "DKIM" in reply.status_reason
    record = last_inbound()
    assert (record.spf, record.dkim, record.comment_id) == ("pass", "fail", reply.id)


def test_the_same_message_delivered_twice_makes_one_comment(thread):
    post, parent = thread
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    raw = mail(to)
    assert receive(raw, to).outcome == "comment"
    assert receive(raw, to).outcome == "dropped"
    assert len(comments_under(parent)) == 1


def test_a_forged_from_with_someone_elses_token_acts_on_nothing(thread):
    post, parent = thread
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    result = receive(mail(to, sender="eve@example.com"), to, "eve@example.com")
    assert (result.smtp_code, result.outcome) == (550, "refused")
    assert comments_under(parent) == [] and outbox_to("eve@example.com") == outbox_to(READER) == []


def test_a_token_moved_to_another_comment_or_altered_is_refused(thread):
    post, parent = thread
    other = make_comment(post, body="Another comment.")
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    token = reply_addresses.read_address(to)
    moved = to.replace(f"+r{reply_addresses._b36(parent.id)}-", f"+r{reply_addresses._b36(other.id)}-")
    flipped = to.replace(token.mac, ("a" if token.mac[0] != "a" else "b") + token.mac[1:])
    for address in (moved, flipped):
        assert address != to
        assert receive(mail(address), address).outcome == "refused"
    assert comments_under(parent) == comments_under(other) == []


def test_an_expired_token_is_refused_with_a_reason_the_senders_server_reports(two_way, thread):
    post, parent = thread
    token = reply_addresses.read_address(reply_addresses.address_for(READER_REPLY, parent.id, READER))
    old_day = token.day - two_way.config["MAIL_REPLY_MAX_AGE_DAYS"] - 1
    old = reply_addresses.address_for(READER_REPLY, parent.id, READER).replace(
        f"-{reply_addresses._b36(token.day)}-{token.mac}",
        f"-{reply_addresses._b36(old_day)}-{reply_addresses._mac(READER_REPLY, parent.id, old_day, READER)}")
    result = receive(mail(old), old)
    assert (result.smtp_code, result.outcome) == (550, "refused") and "expired" in result.smtp_text
    assert comments_under(parent) == []


def test_mail_to_the_bare_reply_address_or_a_stranger_is_refused_at_rcpt_and_dropped(thread):
    assert check_recipient("reply@blog.example").startswith("550")
    assert check_recipient("postmaster@elsewhere.example").startswith("550")
    assert check_recipient(reply_addresses.address_for(READER_REPLY, 1, READER)) is None
    result = receive(mail("reply@blog.example"), "reply@blog.example")
    assert result.outcome == "dropped" and "no reply token" in last_inbound().detail


@pytest.mark.parametrize("headers", [
    {"Auto_Submitted": "auto-replied"},
    {"Precedence": "bulk"},
    {"Subject_": None},
])
def test_automatic_replies_are_dropped_and_never_answered(thread, headers, deliver):
    post, parent = thread
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    raw = mail(to, "I am away until Monday.", **{k: v for k, v in headers.items() if v})
    if "Subject_" in headers:  # a vacation responder that sets no header but its subject
        raw = raw.replace(b"Subject: Re: New comment", b"Subject: Out of Office: New comment", 1)
    assert receive(raw, to).outcome == "dropped"
    assert comments_under(parent) == []
    assert "automatic" in last_inbound().detail
    assert [m for m in deliver() if m["To"] == READER] == []


def test_a_message_from_the_null_sender_is_dropped(thread):
    post, parent = thread
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    assert receive(mail(to), to, envelope_from="").outcome == "dropped"
    assert comments_under(parent) == []


def test_a_reply_of_only_quoted_text_is_dropped(thread):
    post, parent = thread
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    text = "On Mon, 7 Dec 2026 at 10:02, Blog <reply@blog.example> wrote:\n> Networking is a skill.\n"
    assert receive(mail(to, text), to).outcome == "dropped"
    assert comments_under(parent) == [] and "no new text" in last_inbound().detail


def test_html_only_replies_keep_the_comment_markup_and_lose_scripts(thread):
    post, parent = thread
    to = reply_addresses.address_for(READER_REPLY, parent.id, READER)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = READER, to, "Re: hi"
    message["Message-ID"] = make_msgid(domain="mail.example")
    message.set_content("<p>So <b>true</b>.<script>alert(1)</script></p>", subtype="html")
    receive(message.as_bytes(), to)
    [reply] = comments_under(parent)
    assert "<b>true</b>" in reply.body and "script" not in reply.body and "alert" not in reply.body


# Moderation by reply -------------------------------------------------------------------------------

@pytest.fixture
def held(thread):
    post, parent = thread
    owner = make_user(display_name="Blog Owner", email="owner@example.com", role="administrator")
    comment = make_comment(post, status="pending", author_name="Guest", author_email="guest@example.com",
                           body="Please approve me.")
    return owner, comment, reply_addresses.address_for(MODERATION, comment.id, "owner@example.com")


def status_of(comment) -> str:
    return db.session.scalar(sa.select(Comment.status).where(Comment.id == comment.id))


@pytest.mark.parametrize(("word", "status"), [("approve", "approved"), ("Spam.", "spam"), ("TRASH", "trash")])
def test_the_owners_one_word_answer_moderates_and_is_confirmed(held, deliver, word, status):
    owner, comment, to = held
    signature = "\n\n-- \nBlog Owner\nSent from my iPhone\n"
    result = receive(mail(to, word + signature, sender="owner@example.com"), to, "owner@example.com")
    assert result.outcome == "moderated" and status_of(comment) == status
    [confirmation] = [m for m in deliver() if m["To"] == "owner@example.com"]
    assert confirmation["Subject"].startswith("Done:") and "Guest" in text_of(confirmation)


def test_the_owners_text_answer_is_posted_as_their_reply_and_approves_the_comment(held):
    owner, comment, to = held
    receive(mail(to, "Thanks, Guest: glad it helped.", sender="owner@example.com"), to, "owner@example.com")
    assert status_of(comment) == "approved"
    [reply] = comments_under(comment)
    assert (reply.user_id, reply.status, reply.body) == (owner.id, "approved", "Thanks, Guest: glad it helped.")


def test_a_moderation_token_from_another_address_or_a_non_moderator_does_nothing(held):
    owner, comment, to = held
    assert receive(mail(to, "approve", sender="eve@example.com"), to, "eve@example.com").outcome == "refused"
    author = make_user(email="author@example.com", role="subscriber")
    as_subscriber = reply_addresses.address_for(MODERATION, comment.id, "author@example.com")
    assert receive(mail(as_subscriber, "approve", sender="author@example.com"), as_subscriber,
                   "author@example.com").outcome == "refused"
    assert author.id and status_of(comment) == "pending"


def test_a_readers_token_cannot_moderate(held):
    owner, comment, _ = held
    as_reader = reply_addresses.address_for(READER_REPLY, comment.id, "owner@example.com")
    receive(mail(as_reader, "trash", sender="owner@example.com"), as_reader, "owner@example.com")
    assert status_of(comment) == "pending"  # a reader's token only ever replies (to an approved comment)


def test_a_moderation_reply_with_failed_dkim_does_nothing_and_tells_the_owner(held, deliver):
    owner, comment, to = held
    raw = mail(to, "approve", sender="owner@example.com", Authentication_Results="mx.blog.example; dkim=fail")
    assert receive(raw, to, "owner@example.com").outcome == "refused"
    assert status_of(comment) == "pending"
    [notice] = [m for m in deliver() if m["To"] == "owner@example.com"]
    assert notice["Subject"].startswith("Not done") and "DKIM" in text_of(notice)


# Bounces -------------------------------------------------------------------------------------------

def outbox_message(address: str) -> OutboxMessage:
    message = OutboxMessage(to_addr=address, subject="s", body_text="t", status="sent")
    db.session.add(message)
    db.session.commit()
    return message


def bounces_of(address: str) -> int:
    db.session.expire_all()
    row = db.session.scalar(sa.select(MailAddress).where(MailAddress.email == address))
    return row.bounce_count if row else 0


def test_a_bounce_marks_the_address_once_per_message_and_fails_the_message(two_way):
    first, second = outbox_message("gone@example.com"), outbox_message("gone@example.com")
    for message in (first, first, second):  # the first report arrives twice
        to = reply_addresses.address_for(BOUNCE, message.id, "gone@example.com")
        receive(delivery_report(to, "gone@example.com"), to, envelope_from="")
    assert bounces_of("gone@example.com") == 2
    db.session.refresh(first)
    assert first.status == "failed" and "5.1.1" in first.last_error


def test_delayed_reports_and_forged_bounces_count_nothing(two_way):
    message = outbox_message("slow@example.com")
    to = reply_addresses.address_for(BOUNCE, message.id, "slow@example.com")
    receive(delivery_report(to, "slow@example.com", action="delayed", status="4.4.7"), to, envelope_from="")
    forged = reply_addresses.address_for(BOUNCE, message.id, "someone-else@example.com")
    receive(delivery_report(forged, "slow@example.com"), forged, envelope_from="")
    assert bounces_of("slow@example.com") == 0 and bounces_of("someone-else@example.com") == 0


# The mails that carry reply addresses ----------------------------------------------------------------

def subscribe(post, address: str) -> None:
    from core.dbtypes import utcnow
    from notify.models import Subscription

    db.session.add(Subscription(email=address, scope="comments", post_id=post.id, confirmed_at=utcnow()))
    db.session.commit()


def test_a_subscribers_notification_carries_a_reply_address_signed_for_them(thread, deliver):
    from blog.settings import get_settings
    from notify import events

    post, parent = thread
    subscribe(post, READER)
    events.comment_approved(parent)
    db.session.commit()
    [notification] = [m for m in deliver() if m["To"] == READER]
    token = reply_addresses.read_address(notification["Reply-To"])
    assert (token.kind, token.object_id) == (READER_REPLY, parent.id) and token.signed_for(READER)
    from notify.inbound.reply_text import REPLY_MARKER

    assert REPLY_MARKER in text_of(notification)
    assert get_settings()["comments_notify"]


def test_the_owners_new_comment_mail_carries_a_moderation_address_signed_for_the_owner(held, deliver):
    from blog.settings import get_settings
    from notify import events

    owner, comment, _ = held
    events.comment_submitted(comment, get_settings())
    db.session.commit()
    [owner_mail] = [m for m in deliver() if m["To"] == "owner@example.com"]
    token = reply_addresses.read_address(owner_mail["Reply-To"])
    assert (token.kind, token.object_id) == (MODERATION, comment.id) and token.signed_for("owner@example.com")
    assert "approve, spam or trash" in text_of(owner_mail)


def test_without_a_reply_address_configured_notifications_have_no_reply_to(mail_app, smtp_server):
    from notify import events

    post = make_post()
    subscribe(post, READER)
    events.comment_approved(make_comment(post))
    db.session.commit()
    run_pass()
    [notification] = smtp_server.messages
    assert notification["Reply-To"] is None and "Reply above" not in text_of(notification)


def test_an_owner_whose_address_was_never_verified_still_moderates_by_reply(thread):
    post, _ = thread
    make_user(display_name="Unverified Owner", email="boss@example.com", role="administrator", email_verified=False)
    comment = make_comment(post, status="pending", body="Hold me.")
    to = reply_addresses.address_for(MODERATION, comment.id, "boss@example.com")
    assert receive(mail(to, "approve", sender="boss@example.com"), to, "boss@example.com").outcome == "moderated"
    assert status_of(comment) == "approved"


def test_the_worker_forgets_received_mail_after_ninety_days(two_way):
    from datetime import timedelta

    from core.dbtypes import utcnow

    now = utcnow()
    db.session.add_all([InboundMail(from_addr="old@example.com", received_at=now - timedelta(days=91)),
                        InboundMail(from_addr="new@example.com", received_at=now - timedelta(days=89))])
    db.session.commit()
    run_pass(now)
    assert list(db.session.scalars(sa.select(InboundMail.from_addr))) == ["new@example.com"]


def test_an_owner_whose_mail_is_german_may_answer_with_the_german_word(held, deliver):
    owner, comment, to = held
    word = translated("de", "trash", context="mail command")
    result = receive(mail(to, f"{word.upper()}!", sender="owner@example.com"), to, "owner@example.com")
    assert result.outcome == "moderated" and status_of(comment) == "trash"
