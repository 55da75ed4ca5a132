"""The owner hears about comments, and can moderate from the mail with signed, single-use links."""

import time

import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blog.models import Comment, ModerationLog, Post
from blog.settings import get_settings, save_settings
from extensions import db
from notify import events
from notify.models import OutboxMessage
from notify.services import apply_moderation
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as
from tests.support.mail import links_in, make_user, press_button, text_of


def _owner():
    return make_user(display_name="Blog Owner", email="owner@example.com", role="administrator")


def _held_comment(post):
    return make_comment(
        post,
        status="pending",
        status_reason="3 links; limit 2",
        author_name="Guest Writer",
        author_email="guest@example.com",
        author_ip="203.0.113.9",
        author_url="https://guest.example.com",
        body="Great post, see my links",
    )


def _submit(comment):
    events.comment_submitted(comment, get_settings())
    db.session.commit()


def _status(comment) -> str:
    return db.session.scalar(sa.select(Comment.status).where(Comment.id == comment.id))


def _count(post) -> int:
    return db.session.scalar(sa.select(Post.comment_count).where(Post.id == post.id))


def test_held_comment_mails_owners_with_details_reason_and_three_links(mail_app, deliver):
    _owner()
    make_user(email="second-admin@example.com", role="administrator")
    make_user(email="reader@example.com")  # not an admin
    make_user(email=None, role="administrator")  # an admin without an address
    post = make_post(title="Hating to network")
    _submit(_held_comment(post))
    received = deliver()
    assert sorted(m["To"] for m in received) == ["owner@example.com", "second-admin@example.com"]
    mail = received[0]
    assert "Please moderate" in mail["Subject"] and "Hating to network" in mail["Subject"]
    body = text_of(mail)
    for expected in (
        "Guest Writer",
        "guest@example.com",
        "203.0.113.9",
        "https://guest.example.com",
        "Great post, see my links",
        "Why it was held: 3 links; limit 2",
    ):
        assert expected in body
    assert len(links_in(mail, "/notify/moderate/")) == 3
    assert [line.split(":")[0] for line in body.splitlines() if " it: http" in line] == [
        "Approve it",
        "Spam it",
        "Trash it",
    ]


def test_moderation_notify_off_sends_nothing_for_held_comments(mail_app, deliver):
    _owner()
    save_settings({"moderation_notify": False})
    db.session.commit()
    _submit(_held_comment(make_post()))
    assert deliver() == []


def test_approved_comment_mails_owner_only_when_comments_notify_is_on(mail_app, deliver):
    owner = _owner()
    post = make_post()
    _submit(make_comment(post, body="Auto-approved words"))
    [mail] = deliver()
    assert mail["Subject"].startswith("[Career Notes] Comment:")
    assert "Auto-approved words" in text_of(mail)
    assert len(links_in(mail, "/notify/moderate/")) == 2  # spam, trash
    save_settings({"comments_notify": False})
    db.session.commit()
    _submit(make_comment(post))
    _submit(make_comment(post, user_id=owner.id))
    assert len(deliver()) == 1


def test_spam_and_trash_comments_mail_nobody_and_own_comments_are_not_reported(mail_app, deliver):
    owner = _owner()
    post = make_post()
    _submit(make_comment(post, status="spam"))
    _submit(make_comment(post, status="trash"))
    _submit(make_comment(post, status="pending", user_id=owner.id))
    assert deliver() == []


def test_an_admins_own_comment_still_mails_the_other_admins(mail_app, deliver):
    owner = _owner()
    make_user(email="second-admin@example.com", role="administrator")
    _submit(make_comment(make_post(), status="pending", user_id=owner.id))
    assert [m["To"] for m in deliver()] == ["second-admin@example.com"]


def test_owner_mail_is_queued_with_the_comment_and_written_when_sent(mail_app, deliver):
    _owner()
    comment = _held_comment(make_post(title="Hating to network"))
    events.comment_submitted(comment, get_settings())
    db.session.rollback()
    assert db.session.scalars(sa.select(OutboxMessage)).all() == []  # rides the comment's transaction
    _submit(comment)
    [queued] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert (queued.template, queued.body_text) == ("owner_comment", "")  # nothing rendered yet
    [mail] = deliver()
    assert "Great post, see my links" in text_of(mail) and len(links_in(mail, "/notify/moderate/")) == 3
    db.session.refresh(queued)
    assert "Great post, see my links" in queued.body_text and queued.template is None  # kept as sent


def test_owner_mail_about_a_comment_deleted_before_sending_fails_and_the_next_still_goes(mail_app, deliver):
    _owner()
    post = make_post()
    gone, kept = _held_comment(post), make_comment(post, status="pending", body="Still here")
    _submit(gone)
    _submit(kept)
    db.session.execute(sa.delete(Comment).where(Comment.id == gone.id))
    broken = OutboxMessage(to_addr="owner@example.com", subject="Broken", body_text="", template="owner_comment",
                           template_data={"comment_id": kept.id})  # no "held": the worker cannot write it
    db.session.add(broken)
    db.session.commit()
    [mail] = deliver()
    assert "Still here" in text_of(mail)
    statuses = db.session.execute(sa.select(OutboxMessage.status, OutboxMessage.last_error)
                                  .order_by(OutboxMessage.id)).all()
    assert [status for status, _ in statuses] == ["failed", "sent", "failed"]
    assert "deleted before it was written" in statuses[0].last_error
    assert "KeyError" in statuses[2].last_error


def test_signed_link_get_changes_nothing_and_post_approves_without_log_in(
    mail_app, deliver, mail_client
):
    _owner()
    post = make_post()
    comment = _held_comment(post)
    _submit(comment)
    approve, spam, trash = links_in(deliver()[0], "/notify/moderate/")
    page = mail_client.get(approve)
    assert page.status_code == 200
    assert "Approve this comment?" in page.get_data(as_text=True)
    assert "Great post, see my links" in page.get_data(as_text=True)
    assert _status(comment) == "pending"

    done = press_button(mail_client, approve)
    assert done.status_code == 200
    assert "Comment approved." in done.get_data(as_text=True)
    assert _status(comment) == "approved"
    assert _count(post) == 1
    log = db.session.scalar(sa.select(ModerationLog))
    assert (log.action, log.from_status, log.to_status) == ("approve", "pending", "approved")
    assert log.moderator_name == "Signed mail link"

    for used in (approve, trash):  # the mail's links are spent together
        again = mail_client.get(used)
        assert again.status_code == 410
        assert "already been used" in again.get_data(as_text=True)
    assert _status(comment) == "approved"


def test_post_without_csrf_token_is_refused(mail_app, deliver, mail_client):
    _owner()
    comment = _held_comment(make_post())
    _submit(comment)
    approve = links_in(deliver()[0], "/notify/moderate/")[0]
    assert mail_client.post(approve).status_code == 400
    assert _status(comment) == "pending"


def test_tampered_and_expired_links_are_refused(mail_app, deliver, mail_client):
    _owner()
    comment = _held_comment(make_post())
    _submit(comment)
    approve = links_in(deliver()[0], "/notify/moderate/")[0]
    tampered = mail_client.get(approve[:-3] + "abc")
    assert tampered.status_code == 400
    assert "not valid" in tampered.get_data(as_text=True)

    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 8 * 24 * 3600

    old = URLSafeTimedSerializer(
        mail_app.config["SECRET_KEY"], salt="notify.moderate", signer=EightDaysAgo
    )
    token = old.dumps({"comment": comment.id, "action": "approve", "jti": "x" * 20})
    expired = mail_client.get(f"/notify/moderate/{token}")
    assert expired.status_code == 410
    assert "expired" in expired.get_data(as_text=True)
    assert _status(comment) == "pending"


def test_with_signed_links_off_the_links_need_an_admin_log_in(mail_app, deliver, mail_client):
    owner = _owner()
    save_settings({"signed_moderation_links": False})
    db.session.commit()
    comment = _held_comment(make_post())
    _submit(comment)
    trash = links_in(deliver()[0], "/notify/moderate/")[2]
    refused = mail_client.get(trash)
    assert refused.status_code == 403
    assert "Log in as someone who may moderate this comment" in refused.get_data(as_text=True)
    login_as(mail_client, make_user())  # logged in, but not an admin
    assert mail_client.get(trash).status_code == 403
    login_as(mail_client, owner)
    assert press_button(mail_client, trash).status_code == 200
    assert _status(comment) == "trash"
    assert db.session.scalar(sa.select(ModerationLog.moderator_name)) == "Blog Owner"


def test_turning_signed_links_off_disarms_links_already_sent(mail_app, deliver, mail_client):
    _owner()
    comment = _held_comment(make_post())
    _submit(comment)
    approve = links_in(deliver()[0], "/notify/moderate/")[0]
    save_settings({"signed_moderation_links": False})
    db.session.commit()
    assert mail_client.get(approve).status_code == 403


def test_apply_moderation_keeps_comment_count_equal_to_approved_comments(app):
    post = make_post()
    held = make_comment(post, status="pending")
    make_comment(post)
    steps = [
        ("approve", 2),
        ("approve", 2),
        ("spam", 1),
        ("approve", 2),
        ("trash", 1),
        ("unapprove", 1),
        ("approve", 2),
    ]
    for action, expected in steps:
        apply_moderation(held, action)
        db.session.commit()
        approved = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Comment)
            .where(Comment.post_id == post.id, Comment.status == "approved")
        )
        assert _count(post) == approved == expected, action
