"""Readers report comments: the report page, one report per reader, illegal content's explanation,
the hold after reports from distinct readers, and what the page cache then shows."""

import re

import pytest
import sqlalchemy as sa

from blog.models import Comment, ModerationLog
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.settings import save_settings
from blog.spam import reports
from blog.spam.models import CommentReport
from core.dbtypes import utcnow
from extensions import db
from tests.support.admin import make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import form_fields, login_as, page_soup, statements_during

EXPLAINED = "It accuses a named person of a crime without evidence: defamation under the national criminal code."


def report(client, comment_id: int, ip: str = "203.0.113.7", **fields):
    """Open the report page and send its form, as a browser would."""
    page = client.get(f"/comments/{comment_id}/report", environ_base={"REMOTE_ADDR": ip})
    assert page.status_code == 200, page.status_code
    action, hidden = form_fields(page, "form#report-form")
    data = hidden | {"reason": "spam", "explanation": "", "name": "", "email": ""} | fields
    return client.post(action, data=data, environ_base={"REMOTE_ADDR": ip})


def reports_of(comment: Comment) -> list[CommentReport]:
    return list(db.session.scalars(sa.select(CommentReport).where(CommentReport.comment_id == comment.id)
                                   .order_by(CommentReport.id)))


def alert_text(response) -> str:
    alert = page_soup(response).select_one("form#report-form [role=alert]")
    return alert.get_text(" ", strip=True) if alert else ""


@pytest.fixture
def comment(post):
    return make_comment(post, body="Buy cheap watches at example.test")


def test_a_guest_report_is_stored_and_thanked_without_keeping_the_address(client, comment):
    sent = report(client, comment.id, reason="abuse", explanation="Insults the author.", name="Rae",
                  email="rae@example.com")
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200
    assert "Your report was sent" in thanks.get_data(as_text=True)
    [stored] = reports_of(comment)
    assert (stored.reason, stored.explanation, stored.reporter_name, stored.reporter_email) == (
        "abuse", "Insults the author.", "Rae", "rae@example.com")
    assert re.fullmatch(r"[0-9a-f]{64}", stored.reporter_key) and "203.0.113.7" not in stored.reporter_key
    assert stored.resolved_at is None and stored.reporter_id is None


def test_the_thanks_page_is_only_for_the_browser_that_reported(app, client, comment):
    report(client, comment.id)
    assert app.test_client().get(f"/comments/{comment.id}/report/sent").status_code == 404


def test_the_report_page_quotes_the_comment_and_offers_the_four_reasons(client, comment):
    page = page_soup(client.get(f"/comments/{comment.id}/report"))
    assert "Buy cheap watches" in page.select_one("blockquote > p").get_text()  # the comment's markup, not its tags
    labels = [page.select_one(f"label[for={radio['id']}]").get_text() for radio in page.select("input[name=reason]")]
    assert labels == ["Spam", "Abuse or harassment", "Off-topic", "Illegal content"]
    assert page.select_one("input[name=good_faith][type=checkbox]") is not None


def test_a_logged_in_reader_finds_name_and_email_filled_in(client, comment):
    login_as(client, make_user(False, "Rae Reader", "rae@example.com"))
    page = page_soup(client.get(f"/comments/{comment.id}/report"))
    assert page.select_one("input[name=name]")["value"] == "Rae Reader"
    assert page.select_one("input[name=email]")["value"] == "rae@example.com"


def test_a_second_report_by_the_same_reader_is_refused_kindly(client, comment):
    assert report(client, comment.id, reason="spam").status_code == 303
    again = report(client, comment.id, reason="abuse")
    assert again.status_code == 409
    assert "already reported this comment" in alert_text(again)
    assert [r.reason for r in reports_of(comment)] == ["spam"]
    assert report(client, comment.id, ip="198.51.100.9").status_code == 303  # another reader may


def test_a_logged_in_reader_is_one_reader_from_any_address(client, comment):
    reader = make_user(False, "Rae Reader", "rae@example.com")
    login_as(client, reader)
    assert report(client, comment.id, ip="203.0.113.7").status_code == 303
    assert report(client, comment.id, ip="198.51.100.9").status_code == 409
    [stored] = reports_of(comment)
    assert stored.reporter_id == reader.id


def test_the_service_refuses_a_duplicate_without_spoiling_the_transaction(app, comment):
    reader = reports.Reporter(None, "", "", reports.reporter_key(None, "203.0.113.7"))
    reports.file_report(comment, "spam", "", reader)
    with pytest.raises(reports.ReportRefused) as refused:
        reports.file_report(comment, "spam", "", reader)
    assert refused.value.status == 409
    db.session.commit()  # the first report is still there to commit, on PostgreSQL too
    assert len(reports_of(comment)) == 1


def test_illegal_content_needs_an_explanation_and_a_good_faith_confirmation(client, comment):
    bare = report(client, comment.id, reason="illegal")
    assert bare.status_code == 400
    assert "Please explain why this comment is illegal" in alert_text(bare)
    unconfirmed = report(client, comment.id, reason="illegal", explanation=EXPLAINED)
    assert unconfirmed.status_code == 400
    assert "good faith" in alert_text(unconfirmed)
    assert reports_of(comment) == []
    assert report(client, comment.id, reason="illegal", explanation=EXPLAINED, good_faith="y").status_code == 303
    assert reports_of(comment)[0].explanation == EXPLAINED


@pytest.mark.parametrize(("fields", "message"), [
    ({"reason": "boredom"}, "Not a valid choice"),
    ({"reason": ""}, "Please choose a reason"),
    ({"explanation": "x" * 10_000}, "too long (at most 4,000 characters)"),
    ({"email": "not an address"}, "valid email"),
    ({"name": "n" * 300}, "name is too long"),
])
def test_bad_input_is_refused_with_a_message_not_an_error(client, comment, fields, message):
    refused = report(client, comment.id, **fields)
    assert refused.status_code == 400
    assert message in alert_text(refused)
    assert reports_of(comment) == []


def test_a_report_needs_the_forms_csrf_token(client, comment):
    sent = client.post(f"/comments/{comment.id}/report", data={"reason": "spam"})
    assert sent.status_code == 400
    assert reports_of(comment) == []


@pytest.mark.parametrize("state", ["missing", "pending", "spam", "deleted by its author", "private post",
                                   "draft post", "locked protected post"])
def test_only_a_comment_every_reader_can_see_can_be_reported(client, post, state):
    target_post = post
    if state in ("private post", "draft post"):
        target_post = make_post(status="private" if state == "private post" else "draft")
    elif state == "locked protected post":
        target_post = make_post(password="open sesame")
    fields = {"status": state} if state in ("pending", "spam") else {}
    target = make_comment(target_post, **fields)
    if state == "deleted by its author":
        target.deleted_at = utcnow()
        db.session.commit()
    comment_id = target.id + 1000 if state == "missing" else target.id
    assert client.get(f"/comments/{comment_id}/report").status_code == 404
    assert client.post(f"/comments/{comment_id}/report", data={"reason": "spam"}).status_code in (400, 404)
    assert reports_of(target) == []


def test_the_report_link_shows_on_approved_comments_only_and_is_the_same_for_every_reader(app, client, post):
    shown = make_comment(post, body="Shown")
    held = make_comment(post, body="Held", status="pending")
    gone = make_comment(post, body="Gone")
    make_comment(post, parent=gone, body="A reply keeps the deleted one in place")
    gone.deleted_at = utcnow()
    db.session.commit()
    guest_response = client.get(post_url(post))
    guest_page = guest_response.get_data(as_text=True)
    links = page_soup(guest_response).select("a.comment-report-link")
    assert [a["href"] for a in links] == [f"/comments/{shown.id}/report", f"/comments/{shown.id + 3}/report"]
    assert all(a["rel"] == ["nofollow"] for a in links)
    assert f"/comments/{held.id}/report" not in guest_page and f"/comments/{gone.id}/report" not in guest_page
    member = app.test_client()
    login_as(member, make_user(False, "Rae Reader", "rae@example.com"))
    member_links = page_soup(member.get(post_url(post))).select("a.comment-report-link")
    assert [str(a) for a in member_links] == [str(a) for a in links]


def test_distinct_readers_reports_hold_the_comment_with_the_reasons(client, comment):
    save_settings({"report_hold_count": 3})
    db.session.commit()
    for ip, reason in (("203.0.113.1", "spam"), ("203.0.113.2", "abuse"), ("203.0.113.3", "spam")):
        assert db.session.get(Comment, comment.id).status == "approved"
        assert report(client, comment.id, ip=ip, reason=reason).status_code == 303
    held = db.session.get(Comment, comment.id)
    assert held.status == "pending"
    assert held.status_reason == "3 reader reports: spam, abuse or harassment"
    entry = db.session.scalar(sa.select(ModerationLog).where(ModerationLog.comment_id == comment.id))
    assert (entry.action, entry.moderator_name, entry.from_status, entry.to_status) == (
        "held after reports", "readers' reports", "approved", "pending")
    assert all(r.resolved_at is None for r in reports_of(comment))  # a hold is no verdict
    assert client.get(f"/comments/{comment.id}/report").status_code == 404


def test_one_reader_reporting_again_and_again_holds_nothing(client, comment):
    save_settings({"report_hold_count": 2})
    db.session.commit()
    for _ in range(3):
        report(client, comment.id, ip="203.0.113.1")
    assert db.session.get(Comment, comment.id).status == "approved"
    assert len(reports_of(comment)) == 1


def test_a_hold_count_of_zero_never_holds(client, comment):
    save_settings({"report_hold_count": 0})
    db.session.commit()
    for n in range(4):
        report(client, comment.id, ip=f"203.0.113.{n + 1}")
    assert db.session.get(Comment, comment.id).status == "approved"
    assert len(reports_of(comment)) == 4


def test_cached_readers_stop_seeing_a_comment_once_reports_hold_it(app, client, post, comment):
    save_settings({"report_hold_count": 2})
    db.session.commit()
    cached_reader = app.test_client()
    url = post_url(post)
    cached_reader.get(url)
    again = cached_reader.get(url)
    assert again.headers["X-Page-Cache"] == "hit" and "Buy cheap watches" in again.get_data(as_text=True)
    report(client, comment.id, ip="203.0.113.1")
    report(client, comment.id, ip="203.0.113.2")
    after = cached_reader.get(url)
    assert after.headers["X-Page-Cache"] == "miss"
    assert "Buy cheap watches" not in after.get_data(as_text=True)


def test_a_flood_of_reports_from_one_address_is_rate_limited(app_factory):
    app = app_factory(REPORT_RATE_LIMIT="3 per minute")
    with app.test_request_context():
        post = make_post()
        targets = [make_comment(post) for _ in range(4)]
        client = app.test_client()
        answers = [report(client, target.id, ip="203.0.113.50") for target in targets]
        assert [answer.status_code for answer in answers] == [303, 303, 303, 429]
        flooded = answers[3]
        assert reports_of(targets[3]) == []
        assert "several reports in a short time" in flooded.get_data(as_text=True)
        assert report(client, targets[3].id, ip="198.51.100.60").status_code == 303  # another address


def test_moving_a_reported_comment_resolves_its_reports(app, comment, post):
    other = make_comment(post)
    for target in (comment, other):
        reports.file_report(target, "spam", "", reports.Reporter(None, "", "", reports.reporter_key(None, "1.2.3.4")))
    db.session.commit()
    set_comment_status(comment, "spam", None)
    set_comment_status(other, "pending", None)
    db.session.commit()
    assert [(r.outcome, r.resolved_at is not None) for r in reports_of(comment)] == [("removed", True)]
    assert [(r.outcome, r.resolved_at) for r in reports_of(other)] == [(None, None)]  # unapproving is no verdict
    set_comment_status(other, "approved", None)
    db.session.commit()
    assert [r.outcome for r in reports_of(other)] == ["kept"]


def test_open_report_counts_are_read_in_one_query(app, post):
    first, second, quiet = make_comment(post), make_comment(post), make_comment(post)
    for n, (target, reason) in enumerate([(first, "spam"), (first, "spam"), (first, "abuse"), (second, "off_topic")]):
        reporter = reports.Reporter(None, "", "", reports.reporter_key(None, f"10.0.0.{n}"))
        reports.file_report(target, reason, "", reporter)
    db.session.commit()
    ids = [first.id, second.id, quiet.id]
    statements = statements_during(app, lambda: reports.open_report_counts(ids))
    assert len(statements) == 1
    assert reports.open_report_counts(ids) == {first.id: {"spam": 2, "abuse": 1}, second.id: {"off_topic": 1}}
    assert reports.open_report_counts([]) == {}


def test_a_reporters_data_is_exported_and_erased_with_their_address(client, comment):
    import json

    from privacy import personal_data

    report(client, comment.id, reason="abuse", explanation="Insults.", name="Rae", email="Rae@Example.com")
    exported = json.loads("".join(personal_data.export_json("rae@example.com", [])))
    assert [(r["comment_id"], r["reason"], r["reporter_email"]) for r in exported["reports"]] == [
        (comment.id, "abuse", "Rae@Example.com")]
    outcome = personal_data.erase("rae@example.com", [], False, "test")
    db.session.commit()
    assert "1 report anonymised" in outcome
    [kept] = reports_of(comment)
    assert (kept.reporter_name, kept.reporter_email, kept.reason, kept.explanation) == ("", "", "abuse", "Insults.")
