"""Who hears about new and held comments, and who may moderate from a mail's link, by role."""

import sqlalchemy as sa

from auth.roles import ADMINISTRATOR, AUTHOR, CONTRIBUTOR, EDITOR, MODERATOR, SUBSCRIBER
from blog.models import Comment, ModerationLog
from blog.settings import get_settings, save_settings
from extensions import db
from notify import events
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as
from tests.support.mail import links_in, make_user, press_button


def _staff(role: str, email: str | None):
    return make_user(display_name=f"{role.capitalize()} person", email=email, role=role)


def _held(post, **fields):
    comment = make_comment(post, status="pending", author_name="Guest", author_email="guest@example.com", **fields)
    events.comment_submitted(comment, get_settings())
    db.session.commit()
    return comment


def test_held_comments_mail_who_moderates_every_comment_and_the_posts_author(mail_app, deliver):
    for role in (ADMINISTRATOR, EDITOR, MODERATOR, AUTHOR, CONTRIBUTOR, SUBSCRIBER):
        _staff(role, f"{role}@example.com")
    _staff(EDITOR, None)  # no address: nobody to mail
    writer = _staff(AUTHOR, "writer@example.com")
    drafter = _staff(CONTRIBUTOR, "drafter@example.com")
    _held(make_post(author_id=writer.id))
    _held(make_post(author_id=drafter.id))  # a Contributor moderates nothing, even on their own post
    every_comment = ["administrator@example.com", "editor@example.com", "moderator@example.com"]
    assert sorted(m["To"] for m in deliver()) == sorted([*every_comment, "writer@example.com", *every_comment])


def test_the_comments_own_author_is_not_mailed_about_it(mail_app, deliver):
    writer = _staff(AUTHOR, "writer@example.com")
    editor = _staff(EDITOR, "editor@example.com")
    post = make_post(author_id=writer.id)
    save_settings({"comments_notify": True})
    db.session.commit()
    for author in (writer, editor):
        comment = make_comment(post, user_id=author.id, author_name=author.display_name)
        events.comment_submitted(comment, get_settings())
        db.session.commit()
    assert sorted(m["To"] for m in deliver()) == ["editor@example.com", "writer@example.com"]


def test_a_mail_link_needs_a_user_who_may_moderate_that_comment(mail_app, deliver, mail_client):
    save_settings({"signed_moderation_links": False})
    db.session.commit()
    writer = _staff(AUTHOR, "writer@example.com")
    other = _staff(AUTHOR, "other@example.com")
    comment = _held(make_post(author_id=writer.id))
    (mail,) = deliver()
    approve = links_in(mail, "/notify/moderate/")[0]
    login_as(mail_client, other)
    assert mail_client.get(approve).status_code == 403
    login_as(mail_client, writer)
    assert press_button(mail_client, approve).status_code == 200
    assert db.session.scalar(sa.select(Comment.status).where(Comment.id == comment.id)) == "approved"
    assert db.session.scalar(sa.select(ModerationLog.moderator_name)) == writer.display_name
