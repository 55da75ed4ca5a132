"""The owner moderates with the keyboard alone; single-key shortcuts act only inside the list."""

from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner
from tests.e2e.seed import add_comment, comment_status, demo_post


def test_owner_moderates_with_shortcuts_only_while_the_comment_list_has_focus(
    live_app, page, owner
):
    post = demo_post(live_app)
    first, second = (
        add_comment(
            live_app, post.id, author_name=f"Held {n}", status="pending", body=f"Waiting {n}"
        )
        for n in (1, 2)
    )
    log_in_as_owner(page, owner, "/admin/comments?comment_status=pending")

    page.locator("body").press("j")  # focus outside the list: a letter is just a letter
    page.locator("body").press("a")
    page.get_by_label("Search comments").press("s")
    page.wait_for_timeout(200)
    assert [comment_status(live_app, c) for c in (first, second)] == ["pending", "pending"]

    # Newest first: the second comment heads the list. Tab reaches its checkbox.
    page.get_by_label("Search comments").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "ids":
            break
    expect(page.get_by_label("Select comment by Held 2")).to_be_focused()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()

    page.keyboard.press("a")
    expect(page.locator(f"tr#comment-{second}")).to_have_count(0)
    expect(page.locator(f"tr#comment-{first}")).to_be_focused()
    page.keyboard.press("s")
    expect(page.locator("#admin-live")).to_have_text("Comment by Held 1 marked as spam.")
    expect(page.locator(".comments-table")).to_contain_text("No comments found.")
    expect(page.locator(".comments-table")).to_be_focused()
    assert [comment_status(live_app, c) for c in (first, second)] == ["spam", "approved"]
