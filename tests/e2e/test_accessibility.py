"""axe-core finds no violations on the pages readers and the owner use, in their usual states."""

import pytest
from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner, log_in_with
from tests.e2e.browser import WIDTHS, axe_violations
from tests.e2e.seed import add_comment, add_discussion, demo_post

ZOOMED_PHONE_WIDTH = 195  # a 390 px phone at 200 % zoom


def assert_no_violations(page) -> None:
    """axe-core finds nothing at a desktop and at a phone width, where the page also reflows
    without scrolling sideways (WCAG 1.4.10)."""
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{page.url} is {scroll_width}px wide at {width}px"
        found = axe_violations(page)
        assert not found, f"axe-core on {page.url} at {width}px:\n" + "\n".join(found)
    # The phone zoomed to 200 %: still no sideways scrolling (WCAG 1.4.10 asks it down to 320 px).
    page.set_viewport_size({"width": ZOOMED_PHONE_WIDTH, "height": 422})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= ZOOMED_PHONE_WIDTH, f"{page.url} is {scroll_width}px wide zoomed to 200 %"


@pytest.fixture
def discussion(live_app):
    post = demo_post(live_app)
    ids = add_discussion(live_app, post.id, 4)
    add_comment(live_app, post.id, author_name="Pat Pending", status="pending", body="Held.")
    return post, ids


def test_home_page_has_no_accessibility_violations(discussion, page, axe_script):
    page.goto("/")
    assert_no_violations(page)


def test_post_page_has_no_accessibility_violations(discussion, page, axe_script):
    post, _ids = discussion
    page.goto(post.path)
    assert_no_violations(page)


def test_post_page_with_the_reply_form_moved_has_no_accessibility_violations(
    discussion, page, axe_script
):
    post, ids = discussion
    page.goto(post.path)
    page.locator(f"li#comment-{ids[0]} > article .comment-reply-link").click()
    expect(page.locator(f"li#comment-{ids[0]} > #respond")).to_be_visible()
    assert_no_violations(page)


def test_comment_form_in_its_error_state_has_no_accessibility_violations(
    discussion, page, problems, axe_script
):
    post, _ids = discussion
    page.goto(post.path)
    page.get_by_role("textbox", name="Email", exact=True).fill("not-an-email")
    problems.expect_status(400, f"/posts/{post.id}/comments")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("#email-error")).to_be_visible()
    assert_no_violations(page)


def test_logged_in_reader_post_page_has_no_accessibility_violations(
    discussion, page, providers, axe_script
):
    post, _ids = discussion
    page.goto(post.path)
    log_in_with(page, providers, "google")
    page.locator(".likes-widget").get_by_role("button", name="Like").click()
    expect(page.locator(".like-count")).to_have_text("One blogger likes this.")
    assert_no_violations(page)


def test_login_page_and_its_error_state_have_no_accessibility_violations(
    live_app, page, problems, axe_script
):
    page.goto("/login")
    assert_no_violations(page)
    page.get_by_label("Email address").fill("owner@example.com")
    page.get_by_label("Password").fill("wrong password")
    problems.expect_status(401, "/login")
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_violations(page)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/comments",
        "/admin/comments?comment_status=pending",
        "/admin/posts",
        "/admin/posts/new",
        "/admin/log",
        "/admin/settings/discussion",
        "/admin/comments/{id}/reply",
        "/admin/comments/{id}/edit",
    ],
)
def test_admin_screen_has_no_accessibility_violations(discussion, page, owner, axe_script, path):
    _post, ids = discussion
    log_in_as_owner(page, owner, path.format(id=ids[0]))
    assert_no_violations(page)


def test_admin_post_editor_has_no_accessibility_violations(discussion, page, owner, axe_script):
    post, _ids = discussion
    log_in_as_owner(page, owner, f"/admin/posts/{post.id}/edit")
    assert_no_violations(page)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview (not saved)")).to_be_visible()
    assert_no_violations(page)


def test_admin_comments_with_an_inline_reply_open_have_no_accessibility_violations(
    discussion, page, owner, axe_script
):
    _post, ids = discussion
    log_in_as_owner(page, owner, "/admin/comments")
    page.locator(f"tr#comment-{ids[0]}").get_by_role("link", name="Reply").click()
    expect(page.locator(".inline-editor textarea")).to_be_focused()
    assert_no_violations(page)


def test_not_found_page_has_no_accessibility_violations(live_app, page, problems, axe_script):
    problems.expect_status(404, "/no-such-page/")
    page.goto("/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_violations(page)
