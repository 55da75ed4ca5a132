"""A reader's own account page in Chromium: from the comment form to their comments, then away for good."""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from blog.models import Comment
from blog.moderation import set_comment_status
from extensions import db
from tests.e2e.actions import log_in_with
from tests.e2e.browser import axe_violations, screenshot_both_widths
from tests.e2e.seed import demo_post


def approve_newest_comment(app) -> None:
    """A moderator approves the reader's comment (their first is held, as WordPress holds one)."""
    with app.app_context():
        comment = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
        set_comment_status(comment, "approved", None)
        db.session.commit()


def test_reader_sees_their_comment_on_the_account_page_then_deletes_the_account(live_app, page, providers,
                                                                               axe_script):
    post = demo_post(live_app)
    page.goto(post.path)
    log_in_with(page, providers, "google")
    page.get_by_role("textbox", name="Comment", exact=True).fill("Mine until I leave.")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("ol.comment-list > li").filter(has_text="Mine until I leave.")).to_be_visible()

    page.locator(".logged-in-as").get_by_role("link", name="Your account").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    mine = page.locator(".account-comments li").filter(has_text="Mine until I leave.")
    expect(mine).to_contain_text("awaiting moderation")
    expect(mine.get_by_role("link", name=post.title)).to_be_visible()
    expect(page.locator(".linked-providers")).to_contain_text("Google")
    approve_newest_comment(live_app)
    page.reload()
    expect(mine).to_contain_text("published")
    screenshot_both_widths(page, "account-page")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Delete my account").click()
    screenshot_both_widths(page, "account-delete")
    assert axe_violations(page) == []
    page.get_by_label("I understand that my account is deleted for good.").check()
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator(".notice[role=status]")).to_have_text(
        "Your account is deleted and your comments are anonymous.")

    page.goto(post.path)
    expect(page.locator(".logged-in-as")).to_have_count(0)
    comment = page.locator("ol.comment-list > li").filter(has_text="Mine until I leave.")
    expect(comment.locator(".fn")).to_have_text("Anonymous")


def test_reader_links_a_second_provider_from_the_account_page(live_app, page, providers):
    """The Link button is a form: the browser reaches the provider through the blog's continue
    page, which the CSP's form-action (this site only) allows."""
    post = demo_post(live_app)
    page.goto(post.path)
    log_in_with(page, providers, "github")
    page.locator(".logged-in-as").get_by_role("link", name="Your account").click()
    page.get_by_role("button", name="Link Google").click()
    field, user, _shown = providers.logins["google"]
    page.locator(f"input[name={field}]").fill(user)  # the provider's own page
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator(".linked-providers")).to_contain_text("Google")
    expect(page.locator(".linked-providers")).to_contain_text("GitHub")
