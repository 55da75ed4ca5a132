"""Plain-text mails keep the line breaks their templates show (the HTML pages trim them, mail must not).

Every text mail in templates/notify/mail is sent for real, through the worker and the test SMTP
server, and the lines a reader needs apart are asserted to be lines of their own.
"""

from datetime import timedelta
from pathlib import Path

import pytest

from core.dbtypes import utcnow
from extensions import db
from notify import events
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as, submit_comment
from tests.support.mail import csrf_token_from, links_in, make_user, press_button, text_of

MAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "notify" / "mail"
SENT_TEXT_MAILS = sorted(p.stem for p in MAIL_TEMPLATES.glob("*.txt") if not p.name.startswith("_"))
GUEST = "ada@example.com"


def _comment_with_both_boxes(client, post, comments="daily"):
    with client.application.test_request_context():
        submit_comment(
            client,
            post,
            page_url=post.url,
            ip="127.0.0.1",
            comment="Following along.",
            subscribe_comments="y",
            comments_delivery=comments,
            subscribe_blog="y",
            posts_delivery="instant",
        )


def _confirmed_guest(client, deliver, post, comments="daily"):
    _comment_with_both_boxes(client, post, comments)
    [mail] = [m for m in deliver() if m["To"] == GUEST and "/notify/confirm/" in text_of(m)]
    [confirm] = links_in(mail, "/notify/confirm/")
    assert press_button(client, confirm).status_code == 200


def _confirm(client, deliver, post):
    _comment_with_both_boxes(client, post)
    [mail] = [m for m in deliver() if m["To"] == GUEST]
    return mail, ["- new comments (daily)", "- new posts (instant)"]


def _owner_comment(client, deliver, post):
    owner = make_user(role="administrator", email="owner@example.com")
    _comment_with_both_boxes(client, post)
    [mail] = [m for m in deliver() if m["To"] == owner.email]
    return mail, [
        "Author: Ada Reader (IP address: 127.0.0.1)",
        f"Email: {GUEST}",
        "URL: none",
        "Comment:",
        "Following along.",
        "Why it was held: first comment from this author",
    ]


def _new_comment(client, deliver, post):
    _confirmed_guest(client, deliver, post, comments="instant")
    other = make_comment(post, author_name="Bob", author_email="bob@example.com", body="Another view")
    events.comment_approved(other)
    db.session.commit()
    mail = deliver()[-1]
    return mail, [f'Bob commented on "{post.title}":', "Another view", "-- ", "Career Notes"]


def _digest(client, deliver, post):
    _confirmed_guest(client, deliver, post)
    for body in ("First of the day", "Second of the day"):
        events.comment_approved(make_comment(post, author_name="Bob", body=body))
    db.session.commit()
    tomorrow = utcnow() + timedelta(days=1, minutes=1)
    deliver(tomorrow)
    mail = deliver(tomorrow)[-1]
    return mail, ["* Bob wrote:", "First of the day", "Second of the day", "-- "]


def _new_post(client, deliver, post):
    _confirmed_guest(client, deliver, post)
    events.post_published(make_post(title="Fresh post", excerpt="What it says"))
    db.session.commit()
    mail = deliver()[-1]
    return mail, ['New post on Career Notes: "Fresh post"', "What it says", "-- ", "Career Notes"]


def _email_change_mails(client, deliver):
    user = make_user(display_name="Ada Owner", email="owner@example.com")
    login_as(client, user)
    token = csrf_token_from(client.get("/admin/profile"))
    client.post("/admin/profile/email", data={"csrf_token": token, "email": "new@example.com"})
    return {m["To"]: m for m in deliver()}


def _email_change(client, deliver, post):
    mail = _email_change_mails(client, deliver)["new@example.com"]
    [link] = [line for line in _text(mail).split("\n") if "/admin/profile/email/" in line]
    assert link.startswith("http")
    return mail, ["Hello Ada Owner,", link, "If you did not ask for this, ignore this mail: your account keeps its "
                  "current address.", "-- ", "Career Notes"]


def _email_change_notice(client, deliver, post):
    mail = _email_change_mails(client, deliver)["owner@example.com"]
    return mail, ["Hello Ada Owner,", "new@example.com", "-- ", "Career Notes"]


def _invite(client, deliver, post):
    owner = make_user(role="administrator", display_name="Ada Owner", email="owner@example.com")
    login_as(client, owner)
    token = csrf_token_from(client.get("/admin/users/new"))
    client.post("/admin/users/new", data={"csrf_token": token, "email": "nell@example.com", "role": "editor"})
    [mail] = [m for m in deliver() if m["To"] == "nell@example.com"]
    [link] = [line for line in _text(mail).split("\n") if "/invite/" in line]
    assert link.startswith("http")
    return mail, ["Ada Owner invited you to join Career Notes as Editor.", link, "-- ", "Career Notes"]


def _privacy_link(client, deliver, post):
    make_comment(post, author_email="ann@example.com")
    press_button(client, "/your-data/", email="ann@example.com", kind="erase", erase_text="y")
    [mail] = [m for m in deliver() if m["To"] == "ann@example.com"]
    [link] = [line for line in _text(mail).split("\n") if "/your-data/erase/" in line]
    assert link.startswith("http")
    return mail, ["Hello,", link, "If you did not ask for this, ignore this mail: nothing happens without the link.",
                  "-- ", "Career Notes"]


def _report_outcome(client, deliver, post):
    from blog.moderation import set_comment_status

    comment = make_comment(post, body="Cheap pills")
    sent = press_button(client, f"/comments/{comment.id}/report", reason="spam", name="Rae", email="rae@example.com")
    assert sent.status_code == 303
    set_comment_status(comment, "spam", None)
    db.session.commit()
    [mail] = [m for m in deliver() if m["To"] == "rae@example.com"]
    [link] = [line for line in _text(mail).split("\n") if line.startswith("The post: http")]
    return mail, ["Hello Rae,", "A moderator removed the comment you reported.", link, "-- ", "Career Notes"]


def _mail_reply(client, sender: str, to: str, text: str) -> None:
    from email.message import EmailMessage

    from notify.inbound.receive import receive_message

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, "Re: your mail"
    message["Message-ID"] = f"<{sender}.{to}@mail.example>"
    message.set_content(text)
    receive_message(message.as_bytes(), envelope_from=sender, recipients=[to])


def _reply_outcome(client, deliver, post):
    from notify.reply_addresses import READER_REPLY, address_for

    client.application.config["MAIL_REPLY_ADDRESS"] = "reply@blog.example"
    parent = make_comment(post, author_name="Ada")
    _mail_reply(client, "new@example.com", address_for(READER_REPLY, parent.id, "new@example.com"), "Hello there.")
    [mail] = [m for m in deliver() if m["To"] == "new@example.com"]
    return mail, ["This mail was sent automatically; replies to it are not read.", "-- ", "Career Notes"]


def _moderation_done(client, deliver, post):
    from notify.reply_addresses import MODERATION, address_for

    client.application.config["MAIL_REPLY_ADDRESS"] = "reply@blog.example"
    owner = make_user(role="administrator", email="owner@example.com")
    comment = make_comment(post, status="pending", author_name="Guest")
    _mail_reply(client, owner.email, address_for(MODERATION, comment.id, owner.email), "approve")
    [mail] = [m for m in deliver() if m["To"] == owner.email]
    [link] = [line for line in _text(mail).split("\n") if line.startswith("http")]
    return mail, [f"The comment by Guest on “{post.title}” was approved.", link, "-- ", "Career Notes"]


def _text(mail) -> str:
    return text_of(mail).replace("\r\n", "\n")  # SMTP's line ends


SCENARIOS = {
    "confirm": _confirm,
    "owner_comment": _owner_comment,
    "new_comment": _new_comment,
    "digest": _digest,
    "new_post": _new_post,
    "email_change": _email_change,
    "email_change_notice": _email_change_notice,
    "invite": _invite,
    "privacy_link": _privacy_link,
    "report_outcome": _report_outcome,
    "reply_outcome": _reply_outcome,
    "moderation_done": _moderation_done,
}


@pytest.mark.parametrize("template", SENT_TEXT_MAILS)
def test_plain_text_mail_keeps_each_line_on_its_own_line(template, mail_app, mail_client, mail_post, deliver):
    mail, separate_lines = SCENARIOS[template](mail_client, deliver, mail_post)
    lines = _text(mail).split("\n")
    for expected in separate_lines:
        assert expected in lines, f"{template}.txt: {expected!r} is not a line of its own in:\n{text_of(mail)}"


def test_footer_puts_manage_and_unsubscribe_links_on_lines_of_their_own(mail_app, mail_client, mail_post, deliver):
    mail, _ = _new_comment(mail_client, deliver, mail_post)
    lines = _text(mail).split("\n")
    signature = lines.index("-- ")
    assert lines[signature + 1] == "Career Notes"
    assert lines[signature + 2].startswith("Manage your subscriptions: http")
    assert lines[signature + 3].startswith("Unsubscribe: http")


def test_owner_mail_keeps_its_paragraphs_apart(mail_app, mail_client, mail_post, deliver):
    mail, _ = _owner_comment(mail_client, deliver, mail_post)
    text = _text(mail)
    assert "Following along.\n\nWhy it was held:" in text
    assert "\n\nThese links work once" in text
    assert all(line.split(" it: ")[1].startswith("http") for line in text.splitlines() if " it: " in line)
