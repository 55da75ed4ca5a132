"""Readers report a comment in Chromium; two distinct readers hold it, and the moderator removes it
from the Reported tab."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from blog.settings import save_settings
from blog.spam.models import CommentReport
from extensions import db
from notify.models import OutboxMessage
from tests.e2e.actions import log_in_as_owner, log_in_with
from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import add_comment, comment_status, demo_post

OFFENDING = "Everyone who works at Northwind is a thief, and here is their home address."
EXPLANATION = "It accuses named people of crimes and publishes a private home address (doxxing)."


def _report_from_post_page(page, post, comment_id: int) -> None:
    page.goto(post.path)
    page.locator(f"li#comment-{comment_id}").get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", name="Report a comment")).to_be_visible()
    expect(page.locator("blockquote > p")).to_have_text(OFFENDING)


def test_two_readers_report_a_comment_it_is_held_and_the_moderator_marks_it_spam(
        live_app, browse, page, problems, providers, owner):
    with live_app.app_context():
        save_settings({"report_hold_count": 2})
        db.session.commit()
    post = demo_post(live_app)
    comment_id = add_comment(live_app, post.id, author_name="Dana Troll", body=OFFENDING)

    page.goto(post.path)
    page.locator(f"li#comment-{comment_id}").scroll_into_view_if_needed()
    screenshot_both_widths(page, "report-link")

    # A guest reports it as illegal: the explanation is required, and the good-faith box appears.
    _report_from_post_page(page, post, comment_id)
    good_faith = page.get_by_role("checkbox", name=re.compile("I confirm in good faith"))
    expect(good_faith).to_be_hidden()
    page.get_by_role("radio", name="Illegal content").check()
    expect(good_faith).to_be_visible()
    problems.expect_status(400, f"/comments/{comment_id}/report")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("alert")).to_contain_text("Please explain why this comment is illegal")
    expect(page.get_by_role("radio", name="Illegal content")).to_be_checked()
    screenshot_both_widths(page, "report-comment")
    page.get_by_role("textbox", name="Explanation").fill(EXPLANATION)
    page.get_by_role("checkbox", name=re.compile("I confirm in good faith")).check()
    page.get_by_role("textbox", name="Email (optional)").fill("guest.reporter@example.com")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert comment_status(live_app, comment_id) == "approved"  # one reader holds nothing

    # A second reader, logged in, reports it as abuse: two distinct readers hold it.
    reader = browse()
    reader.goto(post.path)
    log_in_with(reader, providers, "google")
    _report_from_post_page(reader, post, comment_id)
    expect(reader.get_by_role("textbox", name="Name (optional)")).to_have_value("Ada Lovelace")
    reader.get_by_role("radio", name="Abuse or harassment").check()
    reader.get_by_role("button", name="Send report").click()
    expect(reader.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    assert comment_status(live_app, comment_id) == "pending"
    page.goto(post.path)
    expect(page.locator(f"li#comment-{comment_id}")).to_have_count(0)

    # The moderator finds it in the Reported tab, with both reasons and the explanation.
    moderator = browse()
    log_in_as_owner(moderator, owner, "/admin/comments")
    moderator.get_by_role("link", name=re.compile(r"Reported\s*\(1\)")).click()
    expect(moderator).to_have_url(re.compile(r"/admin/comments/reported$"))
    card = moderator.locator(f"#reported-{comment_id}")
    expect(card.locator(".report-count")).to_have_text(["Abuse or harassment: 1", "Illegal content: 1"])
    expect(card).to_contain_text(EXPLANATION)
    expect(card).to_contain_text("guest.reporter@example.com")
    expect(card).to_contain_text("2 reader reports")
    screenshot_both_widths(moderator, "reported-tab")
    card.get_by_role("button", name="Spam comment by Dana Troll").click()
    expect(moderator).to_have_url(re.compile(r"/admin/comments/reported$"))
    expect(moderator.get_by_text("No comment has open reports.")).to_be_visible()
    assert comment_status(live_app, comment_id) == "spam"
    with live_app.app_context():
        told = db.session.scalars(sa.select(OutboxMessage.to_addr).where(
            OutboxMessage.subject.startswith("Your report of a comment"))).all()
        left = db.session.scalars(sa.select(CommentReport.reporter_email).where(
            CommentReport.comment_id == comment_id, CommentReport.reporter_email != "")).all()
    assert "guest.reporter@example.com" in told and sorted(told) == sorted(left)
