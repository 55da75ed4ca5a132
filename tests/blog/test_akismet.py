"""Akismet as an option: comment-check, submit-spam and submit-ham against a local Akismet on 127.0.0.1."""

import logging
import time
from datetime import UTC

import pytest
import sqlalchemy as sa

from blog.discussion import CommentInput
from blog.models import Comment
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.settings import save_settings
from blog.spam.akismet import AkismetVerdict, comment_check
from extensions import db
from tests.support.admin import admin_post, make_user
from tests.support.akismet_server import API_KEY, DISCARD_MARKER, GUARANTEED_SPAM_AUTHOR, SPAM_MARKER, AkismetServer
from tests.support.factories import make_comment
from tests.support.fake_providers import closed_port
from tests.support.helpers import form_fields, submit_comment

SITE = "http://127.0.0.1:5000"  # TestConfig's SITE_URL


@pytest.fixture
def akismet():
    server = AkismetServer()
    yield server
    server.stop()


@pytest.fixture
def app(app_factory, akismet):
    """The blog with Akismet on, pointed at the local Akismet."""
    app = app_factory(AKISMET_API_KEY=API_KEY, AKISMET_URL=akismet.url)
    with app.test_request_context():
        yield app


def guest_comment(body: str = "A thoughtful remark.", **fields) -> CommentInput:
    values = {"author_name": "Grace Guest", "author_email": "grace@example.com", "author_url": "https://grace.example",
              "ip": "203.0.113.50", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}
    return CommentInput(body=body, **(values | fields))


def akismet_lines(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "blog.spam.akismet"]


# comment-check


def test_comment_check_sends_the_comment_as_akismet_defines_its_fields(app, akismet, post):
    assert comment_check(post, guest_comment()) == AkismetVerdict(False)
    [call] = akismet.calls
    assert call.method == "comment-check"
    assert call.content_type == "application/x-www-form-urlencoded"
    comment_date = call.fields.pop("comment_date_gmt")
    modified = call.fields.pop("comment_post_modified_gmt")
    assert call.fields == {
        "api_key": API_KEY, "blog": SITE, "user_ip": "203.0.113.50",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
        "permalink": SITE + post_url(post), "comment_type": "comment",
        "comment_author": "Grace Guest", "comment_author_email": "grace@example.com",
        "comment_author_url": "https://grace.example", "comment_content": "A thoughtful remark.",
        "blog_lang": "en", "blog_charset": "UTF-8",
    }
    assert comment_date.endswith("+00:00") and modified.endswith("+00:00")


def test_a_reply_is_sent_as_a_reply_and_a_logged_in_readers_role_with_it(app, akismet, post):
    reader = make_user(False, "Plain Reader", "reader@example.com")
    comment_check(post, guest_comment(parent_id=7, user=reader))
    [call] = akismet.calls
    assert (call.fields["comment_type"], call.fields["user_role"]) == ("reply", "subscriber")


@pytest.mark.parametrize("fields, verdict", [
    ({"body": f"Cheap pills {SPAM_MARKER}"}, AkismetVerdict(True)),
    ({"author_name": GUARANTEED_SPAM_AUTHOR}, AkismetVerdict(True)),
    ({"body": f"Casino {DISCARD_MARKER}"}, AkismetVerdict(True, discard=True)),
    ({"body": "I liked the second half best."}, AkismetVerdict(False)),
])
def test_comment_check_reads_akismets_answer(app, akismet, post, fields, verdict):
    assert comment_check(post, guest_comment(**fields)) == verdict


def test_a_wrong_key_gives_no_verdict_with_akismets_help_text(app, akismet, post, caplog):
    app.config["AKISMET_API_KEY"] = "not-the-key"
    verdict = comment_check(post, guest_comment())
    assert verdict.spam is None
    assert verdict.detail == "refused the call: We were unable to verify your API key."
    assert akismet_lines(caplog) == [
        "Akismet comment-check gave no verdict: refused the call: We were unable to verify your API key."]


def test_a_server_error_gives_no_verdict(app, akismet, post, caplog):
    akismet.fail_with = 500
    assert comment_check(post, guest_comment()) == AkismetVerdict(None, detail="HTTP 500")
    assert akismet_lines(caplog) == ["Akismet comment-check gave no verdict: HTTP 500"]


def test_akismet_down_gives_no_verdict_at_once_and_logs_no_personal_data(app, post, caplog):
    # A long deadline that a refused connection must not wait out: "at once" without timing a shared machine.
    app.config["AKISMET_TIMEOUT"] = 30
    with closed_port() as url:
        app.config["AKISMET_URL"] = url
        started = time.monotonic()
        verdict = comment_check(post, guest_comment())
        took = time.monotonic() - started
    assert verdict == AkismetVerdict(None, detail="connection refused")
    assert took < 15
    [line] = akismet_lines(caplog)
    assert "connection refused" in line
    assert not any(secret in line for secret in ("grace", "Grace", "203.0.113.50", API_KEY))


def test_a_slow_akismet_is_given_up_on_within_the_timeout(app, akismet, post):
    akismet.delay = 5
    started = time.monotonic()
    verdict = comment_check(post, guest_comment(body=f"Spam {SPAM_MARKER}"))
    took = time.monotonic() - started
    assert verdict == AkismetVerdict(None, detail="no answer within 0.8 s")
    assert 0.7 < took < 3  # it waited for the deadline, not for the 5 s answer
    assert len(akismet.calls) == 1  # it was asked, and did not answer in time


def test_the_deadline_covers_the_whole_call_not_each_read(app, akismet, post):
    # Every byte comes well within the read timeout, so requests' own timeouts would wait for the whole answer.
    akismet.trickle = 0.05
    started = time.monotonic()
    verdict = comment_check(post, guest_comment())
    assert verdict == AkismetVerdict(None, detail="no answer within 0.8 s")
    assert time.monotonic() - started < 3  # well short of the trickled answer's length


def test_a_slow_but_timely_answer_is_taken(app, akismet, post):
    akismet.delay = 0.5
    assert comment_check(post, guest_comment(body=SPAM_MARKER)) == AkismetVerdict(True)


def test_nothing_is_sent_when_akismet_is_not_configured(app, akismet, post, admin_client, admin_token):
    app.config["AKISMET_API_KEY"] = None  # as TestConfig and an unset environment have it
    assert comment_check(post, guest_comment(body=SPAM_MARKER)) is None
    comment = make_comment(post)
    db.session.commit()
    assert admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token).status_code == 303
    assert admin_post(admin_client, f"/admin/comments/{comment.id}/unspam", admin_token).status_code == 303
    assert db.session.get(type(comment), comment.id).status == "approved"
    time.sleep(0.2)  # a submission would come from a thread
    assert akismet.calls == []


# submit-spam and submit-ham, from moderators' clicks


def test_marking_a_comment_spam_submits_it_with_its_fields(app, akismet, post, admin_client, admin_token):
    comment = make_comment(post, author_name="Sly Seller", author_email="sly@example.net",
                           author_url="https://sly.example", author_ip="198.51.100.23", user_agent="SpamBot/2.0",
                           body="Visit my shop")
    db.session.commit()
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token)
    assert response.status_code == 303
    assert db.session.get(type(comment), comment.id).status == "spam"
    [call] = akismet.wait_for("submit-spam")
    assert call.fields == {
        "api_key": API_KEY, "blog": SITE, "user_ip": "198.51.100.23", "user_agent": "SpamBot/2.0",
        "permalink": SITE + post_url(post), "comment_type": "comment", "comment_author": "Sly Seller",
        "comment_author_email": "sly@example.net", "comment_author_url": "https://sly.example",
        "comment_content": "Visit my shop",
        "comment_date_gmt": comment.created_at.astimezone(UTC).isoformat(timespec="seconds"),
        "comment_post_modified_gmt": post.updated_at.astimezone(UTC).isoformat(timespec="seconds"),
        "blog_lang": "en", "blog_charset": "UTF-8",
    }
    assert akismet.calls_to("submit-ham") == []


def test_not_spam_submits_ham(app, akismet, post, admin_client, admin_token):
    comment = make_comment(post, status="pending", author_ip="198.51.100.24", body="A real reader's question")
    db.session.commit()
    admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token)
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/unspam", admin_token)
    assert response.status_code == 303
    assert db.session.get(type(comment), comment.id).status == "pending"
    [call] = akismet.wait_for("submit-ham")
    assert (call.fields["comment_content"], call.fields["user_ip"]) == ("A real reader's question", "198.51.100.24")
    assert len(akismet.calls_to("submit-spam")) == 1


def test_moves_that_neither_enter_nor_leave_spam_are_not_submitted(app, akismet, post, admin_client, admin_token):
    comment = make_comment(post, status="pending")
    db.session.commit()
    for action in ("approve", "trash", "restore", "spam"):
        admin_post(admin_client, f"/admin/comments/{comment.id}/{action}", admin_token)
    akismet.wait_for("submit-spam")
    admin_post(admin_client, f"/admin/comments/{comment.id}/trash", admin_token)  # spam -> trash: not ham
    admin_post(admin_client, f"/admin/comments/{comment.id}/approve", admin_token)  # trash -> approved
    admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token)
    assert [call.method for call in akismet.wait_for("submit-spam", 2)] == ["submit-spam", "submit-spam"]
    assert [call.method for call in akismet.calls] == ["submit-spam", "submit-spam"]


def test_a_move_rolled_back_is_not_submitted(app, akismet, post, admin_user):
    first, second = make_comment(post, body="Rolled back"), make_comment(post, body="Committed")
    db.session.commit()
    set_comment_status(first, "spam", admin_user)
    db.session.rollback()
    set_comment_status(second, "spam", admin_user)
    db.session.commit()
    akismet.wait_for("submit-spam")
    time.sleep(0.1)
    assert [call.fields["comment_content"] for call in akismet.calls] == ["Committed"]


def test_a_move_in_a_savepoint_waits_for_the_outer_transactions_commit(app, akismet, post, admin_user):
    first, second = make_comment(post, body="Released savepoint"), make_comment(post, body="Committed")
    db.session.commit()
    with db.session.begin_nested():
        set_comment_status(first, "spam", admin_user)
    time.sleep(0.1)
    assert akismet.calls == []  # the savepoint's release is no commit
    db.session.rollback()
    set_comment_status(second, "spam", admin_user)
    db.session.commit()
    akismet.wait_for("submit-spam")
    time.sleep(0.1)
    assert [call.fields["comment_content"] for call in akismet.calls] == ["Committed"]


def test_the_moderator_does_not_wait_for_a_slow_akismet(app, akismet, post, admin_client, admin_token):
    app.config["AKISMET_TIMEOUT"] = 3  # waiting for Akismet would make the click take this long
    akismet.delay = 5
    comment = make_comment(post)
    db.session.commit()
    started = time.monotonic()
    response = admin_post(admin_client, f"/admin/comments/{comment.id}/spam", admin_token)
    assert response.status_code == 303 and time.monotonic() - started < 2
    assert db.session.get(type(comment), comment.id).status == "spam"
    assert len(akismet.wait_for("submit-spam")) == 1  # sent all the same, after the commit


def test_a_failed_submission_is_logged_and_the_moderation_stands(app, akismet, post, admin_client, admin_token,
                                                                caplog):
    akismet.fail_with = 500
    comments = [make_comment(post, status="pending") for _ in range(2)]
    db.session.commit()
    with caplog.at_level(logging.WARNING, logger="blog.spam.akismet"):
        response = admin_post(admin_client, "/admin/comments/bulk", admin_token, action="spam",
                              ids=[str(c.id) for c in comments])
        assert response.status_code == 303
        akismet.wait_for("submit-spam", 2)
        deadline = time.monotonic() + 2
        while len(akismet_lines(caplog)) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert akismet_lines(caplog) == ["Akismet submit-spam failed: HTTP 500"] * 2
    assert {db.session.get(type(c), c.id).status for c in comments} == {"spam"}


def test_with_akismet_down_a_batch_of_submissions_stops_at_the_first_failure(app, post, admin_user, caplog):
    comments = [make_comment(post, status="pending") for _ in range(3)]
    db.session.commit()
    with closed_port() as url, caplog.at_level(logging.WARNING, logger="blog.spam.akismet"):
        app.config["AKISMET_URL"] = url
        for comment in comments:
            set_comment_status(comment, "spam", admin_user)
        db.session.commit()
        deadline = time.monotonic() + 2
        while not akismet_lines(caplog) and time.monotonic() < deadline:
            time.sleep(0.02)
    assert akismet_lines(caplog) == ["Akismet submit-spam failed: connection refused (2 more not sent)"]
    assert {db.session.get(type(c), c.id).status for c in comments} == {"spam"}


# comment POSTs: the spam checks (blog.spam.checks.screen) ask Akismet about every new comment


def stored_comment():
    return db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()


@pytest.fixture
def open_post(post):
    """A post whose comments the discussion rules approve: whatever holds one here is the spam checks' doing."""
    save_settings({"comment_previously_approved": False})
    db.session.commit()
    return post


def test_a_guests_comment_akismet_calls_spam_is_filed_as_spam_naming_akismet(app, akismet, client, open_post):
    response = submit_comment(client, open_post, comment=f"Great deals {SPAM_MARKER}", author="Sly Seller",
                              email="sly@example.net", url="https://sly.example")
    assert response.status_code == 303
    comment = stored_comment()
    assert comment.status == "spam"
    assert "Akismet" in comment.status_reason
    [call] = akismet.calls_to("comment-check")
    assert (call.fields["comment_author"], call.fields["comment_author_email"], call.fields["user_ip"]) == (
        "Sly Seller", "sly@example.net", "203.0.113.7")
    assert call.fields["user_agent"] == comment.user_agent
    assert call.fields["permalink"] == SITE + post_url(open_post)


def test_a_comment_akismet_calls_ham_keeps_the_rules_verdict(app, akismet, client, open_post):
    submit_comment(client, open_post, comment="I tried the recipe and it worked.")
    assert (stored_comment().status, stored_comment().status_reason) == ("approved", "")
    assert len(akismet.calls_to("comment-check")) == 1


@pytest.mark.parametrize("switch, status", [("hold", "pending"), ("allow", "approved")])
def test_with_akismet_down_the_switch_holds_or_lets_comments_through(app, client, open_post, switch, status):
    save_settings({"akismet_unreachable": switch})
    db.session.commit()
    with closed_port() as url:
        app.config["AKISMET_URL"] = url
        assert submit_comment(client, open_post, comment="Hello from a reader.").status_code == 303
    comment = stored_comment()
    assert comment.status == status
    if switch == "hold":  # the reason names Akismet and what went wrong
        assert "Akismet" in comment.status_reason and "(connection refused)" in comment.status_reason


def test_a_slow_akismet_does_not_slow_the_comment_post(app, akismet, client, open_post):
    save_settings({"akismet_unreachable": "hold"})
    db.session.commit()
    akismet.delay = 5
    action, hidden = form_fields(client.get(post_url(open_post)))
    started = time.monotonic()
    response = client.post(action, data=hidden | {"author": "Ada Reader", "email": "ada@example.com",
                                                  "comment": f"Patience {SPAM_MARKER}"})
    # The deadline (0.8 s) and the POST's own work; a busy test machine is given room for the latter.
    # Under the 5 s the answer would take: a loaded CI machine needed 2.8 s for the POST itself.
    assert response.status_code == 303 and time.monotonic() - started < 4.5
    comment = stored_comment()
    assert comment.status == "pending"
    assert "Akismet" in comment.status_reason and "(no answer within 0.8 s)" in comment.status_reason


def test_no_comment_post_asks_akismet_when_it_is_not_configured(app, akismet, client, open_post):
    app.config["AKISMET_API_KEY"] = None
    submit_comment(client, open_post, comment=f"Unchecked {SPAM_MARKER}")
    assert stored_comment().status == "approved"
    assert akismet.calls == []
