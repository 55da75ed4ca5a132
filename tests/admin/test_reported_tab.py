"""The admin's Reported tab: what readers reported, who may see it, Dismiss, and the reporters told."""

import sqlalchemy as sa

from auth.roles import AUTHOR, SUBSCRIBER
from blog.models import Comment
from blog.settings import save_settings
from blog.spam import reports
from blog.spam.models import CommentReport
from extensions import db
from notify.models import OutboxMessage
from tests.support.admin import admin_post, client_as, csrf_token_from, staff_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup


def file(comment: Comment, reason: str = "spam", explanation: str = "", who: str = "10.0.0.1", name: str = "",
         email: str = "") -> None:
    reporter = reports.Reporter(None, name, email, reports.reporter_key(None, who))
    reports.file_report(comment, reason, explanation, reporter, good_faith=True)
    db.session.commit()


def outcomes(comment: Comment) -> list[tuple[str | None, bool]]:
    rows = db.session.scalars(sa.select(CommentReport).where(CommentReport.comment_id == comment.id)
                              .order_by(CommentReport.id))
    return [(row.outcome, row.resolved_at is not None) for row in rows]


def mails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_addr == address)))


def test_the_tab_lists_reported_comments_with_reasons_counts_and_reporters(app, admin_client):
    post = make_post(title="Salary talks")
    reported = make_comment(post, body="Visit my casino", author_name="Spammy")
    make_comment(post, body="A quiet comment nobody reported")
    file(reported, "spam", who="10.0.0.1", name="Rae", email="rae@example.com")
    file(reported, "spam", who="10.0.0.2")
    file(reported, "illegal", "Illegal gambling advertising under the gambling act.", who="10.0.0.3", name="Lin")
    page = admin_client.get("/admin/comments/reported")
    assert page.status_code == 200
    soup = page_soup(page)
    [item] = soup.select("article.reported-item")
    text = item.get_text(" ", strip=True)
    assert "Spammy" in text and "Salary talks" in text and "Visit my casino" in text
    assert [li.get_text(strip=True) for li in item.select(".report-count")] == ["Spam: 2", "Illegal content: 1"]
    entries = [li.get_text(" ", strip=True) for li in item.select(".report-entry")]
    assert "Rae" in entries[0] and "rae@example.com" in entries[0]
    assert "an anonymous reader" in entries[1]
    assert "Illegal gambling advertising under the gambling act." in entries[2]
    assert "A quiet comment" not in page.get_data(as_text=True)


def test_the_comments_screen_links_to_the_tab_with_its_count(app, admin_client):
    post = make_post()
    file(make_comment(post))
    file(make_comment(post), who="10.0.0.9")
    link = page_soup(admin_client.get("/admin/comments")).select_one("a[data-tab=reported]")
    assert link["href"] == "/admin/comments/reported"
    assert " ".join(link.get_text().split()) == "Reported (2)"


def test_readers_and_visitors_may_not_open_the_tab(app):
    assert app.test_client().get("/admin/comments/reported").status_code == 302
    reader = client_as(app, staff_user(SUBSCRIBER))
    assert reader.get("/admin/comments/reported").status_code == 403


def test_an_author_sees_and_dismisses_only_reports_on_their_own_posts(app):
    author = staff_user(AUTHOR, "Ann Author")
    own = make_comment(make_post(author_id=author.id), body="On Ann's post")
    others = make_comment(make_post(), body="On someone else's post")
    file(own)
    file(others)
    client = client_as(app, author)
    page = client.get("/admin/comments/reported")
    text = page_soup(page).select_one("main, body").get_text(" ")
    assert "On Ann's post" in text and "someone else" not in text
    token = csrf_token_from(page)
    refused = admin_post(client, f"/admin/comments/reported/{others.id}/dismiss", token)
    assert refused.status_code == 403
    assert outcomes(others) == [(None, False)]
    done = admin_post(client, f"/admin/comments/reported/{own.id}/dismiss", token)
    assert done.status_code == 303
    assert outcomes(own) == [("kept", True)]


def test_dismiss_needs_the_csrf_token(app, admin_client):
    reported = make_comment(make_post())
    file(reported)
    assert admin_client.post(f"/admin/comments/reported/{reported.id}/dismiss").status_code == 400
    assert outcomes(reported) == [(None, False)]


def test_dismissing_a_comment_the_reports_held_brings_it_back_and_tells_the_reporters(app, admin_client, admin_token):
    save_settings({"report_hold_count": 2})
    db.session.commit()
    post = make_post(title="Career change")
    reported = make_comment(post, body="A sharp but fair opinion")
    file(reported, "abuse", who="10.0.0.1", email="Rae@Example.com")
    file(reported, "off_topic", who="10.0.0.2")
    assert db.session.get(Comment, reported.id).status == "pending"
    done = admin_post(admin_client, f"/admin/comments/reported/{reported.id}/dismiss", admin_token)
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/comments/reported")
    assert db.session.get(Comment, reported.id).status == "approved"
    assert outcomes(reported) == [("kept", True), ("kept", True)]
    [mail] = mails_to("rae@example.com")
    assert "Career change" in mail.subject
    assert "decided to keep it" in mail.body_text and "You reported it as: Abuse or harassment." in mail.body_text
    assert f"/comments/{reported.id}/" in mail.body_text and mail.body_text.count("http://127.0.0.1:5000/") >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1  # nobody else
    assert "No comment has open reports." in admin_client.get("/admin/comments/reported").get_data(as_text=True)


def test_marking_a_reported_comment_as_spam_resolves_it_as_removed_and_mails_who_left_an_address(
        app, admin_client, admin_token):
    post = make_post(title="Interview tips")
    reported = make_comment(post, body="Cheap pills here")
    file(reported, "spam", who="10.0.0.1", name="Rae", email="rae@example.com")
    file(reported, "spam", who="10.0.0.2", name="No Mail")
    page = admin_client.get("/admin/comments/reported")
    [spam_form] = page_soup(page).select(f"#reported-{reported.id} form.spam")
    assert spam_form["action"] == f"/admin/comments/{reported.id}/spam"
    done = admin_post(admin_client, spam_form["action"], admin_token, next="/admin/comments/reported")
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/comments/reported")
    assert db.session.get(Comment, reported.id).status == "spam"
    assert outcomes(reported) == [("removed", True), ("removed", True)]
    [mail] = mails_to("rae@example.com")
    assert "A moderator removed the comment you reported." in mail.body_text
    assert "Hello Rae," in mail.body_text and "Interview tips" in mail.body_text
    assert [m.to_addr for m in db.session.scalars(sa.select(OutboxMessage))] == ["rae@example.com"]


def test_a_report_resolved_once_is_not_mailed_again(app, admin_client, admin_token):
    reported = make_comment(make_post())
    file(reported, email="rae@example.com")
    admin_post(admin_client, f"/admin/comments/{reported.id}/trash", admin_token)
    admin_post(admin_client, f"/admin/comments/{reported.id}/restore", admin_token)
    admin_post(admin_client, f"/admin/comments/{reported.id}/spam", admin_token)
    assert outcomes(reported) == [("removed", True)]
    assert len(mails_to("rae@example.com")) == 1
