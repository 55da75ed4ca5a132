"""The owner marks a comment as spam in place, takes it back with Undo, and replies in place: the
list changes where the owner is looking, without a reload, and fits a phone zoomed to 200 %."""

from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner
from tests.e2e.seed import add_comment, comment_status, demo_post

ZOOMED_PHONE = {"width": 195, "height": 422}  # a 390 px phone at 200 %


def assert_fits(page) -> None:
    page.set_viewport_size(ZOOMED_PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= ZOOMED_PHONE["width"], page.url
    page.set_viewport_size({"width": 1280, "height": 800})


def test_owner_spams_undoes_and_replies_in_place(live_app, page, owner):
    post = demo_post(live_app)
    parent = add_comment(live_app, post.id, author_name="Grace Hopper", body="Listening first.")
    spam = add_comment(live_app, post.id, author_name="Cheap Pills", body="Buy now.", status="pending")
    log_in_as_owner(page, owner, "/admin/comments")
    page.evaluate("window.stillThisPage = true")  # gone if the page reloads

    page.get_by_role("button", name="Spam comment by Cheap Pills").click()
    line = page.locator("tr.undo-row")
    expect(line).to_have_text("Comment by Cheap Pills marked as spam. Undo")
    expect(page.locator("#admin-live")).to_have_text("Comment by Cheap Pills marked as spam.")
    expect(page.locator('.subsubsub [data-count="spam"]')).to_have_text("1")
    assert comment_status(live_app, spam) == "spam"
    assert_fits(page)

    line.get_by_role("button", name="Undo").click()
    row = page.locator(f"tr#comment-{spam}")
    expect(row).to_be_focused()  # the keyboard goes on from the comment that came back
    expect(line).to_have_count(0)
    expect(page.locator('.subsubsub [data-count="spam"]')).to_have_text("0")
    assert comment_status(live_app, spam) == "pending"

    page.locator(f"tr#comment-{parent}").get_by_role("link", name="Reply to Grace Hopper").click()
    page.get_by_label("Reply to comment").fill("Thanks for listening.")
    page.get_by_role("button", name="Reply", exact=True).click()
    reply = page.locator(f"tr#comment-{parent} + tr.comment-row")
    expect(reply).to_contain_text("Thanks for listening.")
    expect(reply.locator(".in-reply-to")).to_have_text("In reply to Grace Hopper.")
    assert page.evaluate("window.stillThisPage") is True

    page.goto("/admin/")
    expect(page.locator(".dashboard-comments .in-reply-to")).to_have_text("In reply to Grace Hopper.")
    text_width = page.locator(".dashboard-comments .comment-text").first.bounding_box()["width"]
    assert text_width > 400, text_width  # not squeezed into a narrow column at 1280 px
    assert_fits(page)
