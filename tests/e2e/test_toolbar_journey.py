"""The owner goes back and forth between the site and the admin in Chromium: the toolbar on a post
(labels at 1280 px, icons on a 390 px phone), its account menu by keyboard and Log Out, the Edit
links on the post and its comments, and the admin header's own account menu. axe-core finds nothing
on either, menu closed or open; screenshots of both go to test-artifacts."""

import re

from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner
from tests.e2e.browser import WIDTHS, axe_violations, screenshot_both_widths
from tests.e2e.seed import add_comment, demo_post

ZOOMED_PHONE = {"width": 195, "height": 422}  # a 390 px phone at 200 %


def assert_clean_at_both_widths(page) -> None:
    """axe-core finds nothing at 1280 and 390 px, and the page never scrolls sideways (not even zoomed)."""
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} at {width}px"
        found = axe_violations(page)
        assert not found, f"axe-core on {page.url} at {width}px:\n" + "\n".join(found)
    page.set_viewport_size(ZOOMED_PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= ZOOMED_PHONE["width"], page.url
    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})


def test_owner_uses_the_toolbar_on_a_post_and_logs_out_by_keyboard(live_app, page, owner):
    post = demo_post(live_app)
    comment = add_comment(live_app, post.id, author_name="Grace Hopper", body="Listening first.")
    add_comment(live_app, post.id, author_name="Held Hal", body="Wait for me.", status="pending")
    log_in_as_owner(page, owner)
    page.goto(post.path)

    toolbar = page.get_by_role("navigation", name="Toolbar")
    edit_post = toolbar.get_by_role("link", name="Edit Post")
    expect(edit_post).to_have_attribute("href", re.compile(r"/admin/posts/\d+/edit$"))
    expect(toolbar.get_by_role("link", name="1 Comment in moderation")).to_be_visible()
    expect(toolbar.get_by_role("link", name="New Post")).to_be_visible()
    expect(toolbar.locator(".toolbar-account summary")).to_contain_text("Howdy,")
    expect(page.locator(f"#comment-{comment} .comment-edit-link")).to_have_attribute(
        "href", f"/admin/comments/{comment}/edit")
    assert_clean_at_both_widths(page)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the icons stay, the labels go
    new_post = toolbar.get_by_role("link", name="New Post")
    expect(new_post.locator(".toolbar-icon")).to_be_visible()
    assert new_post.locator(".toolbar-label").bounding_box()["width"] <= 1
    assert toolbar.bounding_box()["height"] <= 50  # one row, as WordPress's 46 px bar
    page.set_viewport_size({"width": 1280, "height": 800})
    assert new_post.locator(".toolbar-label").bounding_box()["width"] > 10
    screenshot_both_widths(page, "toolbar-post")

    # The keyboard alone: from the skip link into the toolbar, open the account menu, Log Out.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(toolbar.locator(".toolbar-site a")).to_be_focused()
    summary = toolbar.locator(".toolbar-account summary")
    for _ in range(4):  # comments, New, Edit Post, then the account menu
        page.keyboard.press("Tab")
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(toolbar.get_by_role("link", name="Edit Profile")).to_be_visible()
    screenshot_both_widths(page, "toolbar-account-open")
    assert_clean_at_both_widths(page)
    page.keyboard.press("Tab")
    expect(toolbar.get_by_role("link", name="Edit Profile")).to_be_focused()
    page.keyboard.press("Tab")
    expect(toolbar.get_by_role("button", name="Log Out")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_text("You are now logged out.")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(post.path) + "$"))
    expect(page.get_by_role("navigation", name="Toolbar")).to_have_count(0)
    expect(page.locator(".comment-edit-link")).to_have_count(0)


def test_owner_goes_from_the_post_to_its_editor_and_back_to_the_site(live_app, page, owner):
    post = demo_post(live_app)
    comment = add_comment(live_app, post.id, author_name="Grace Hopper", body="Listening first.")
    log_in_as_owner(page, owner)
    page.goto(post.path)
    page.locator(".entry-meta").get_by_role("link", name=re.compile(r"^Edit")).click()
    expect(page).to_have_url(re.compile(rf"/admin/posts/{post.id}/edit$"))

    header = page.locator("header.admin-bar")
    header.locator(".toolbar-account summary").click()
    expect(header.get_by_role("link", name="Edit Profile")).to_be_visible()
    assert_clean_at_both_widths(page)
    screenshot_both_widths(page, "admin-header-account-open")

    header.get_by_role("link", name=re.compile("Visit Site")).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("navigation", name="Toolbar")).to_be_visible()
    page.goto(post.path)
    page.get_by_role("link", name="Edit comment by Grace Hopper").click()
    expect(page).to_have_url(re.compile(rf"/admin/comments/{comment}/edit$"))

    header.locator(".toolbar-account summary").click()
    header.get_by_role("button", name="Log Out").click()
    expect(page.get_by_text("You are now logged out.")).to_be_visible()
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
