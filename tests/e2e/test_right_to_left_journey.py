"""An Arabic blog in Chromium, mirrored: a threaded discussion whose replies are indented from the
right, the admin's menu on the right of its screens, the toolbar starting at the right with its
account menu opening from the left; at 1280 and 390 px nothing scrolls sideways and axe-core finds
nothing. Names of either direction are isolated. Screenshots go to test-artifacts."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import WIDTHS, screenshot_both_widths
from tests.e2e.seed import add_comment, demo_post
from tests.e2e.test_accessibility import assert_no_violations


@pytest.fixture
def site_language():
    return "ar"


# How far a paragraph's text stands from its box's left or right edge.
TEXT_GAP = """(p, side) => {
    const range = document.createRange(); range.selectNodeContents(p);
    const text = range.getBoundingClientRect(), box = p.getBoundingClientRect();
    return side === "left" ? text.left - box.left : box.right - text.right;
}"""


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found | {"right": found["x"] + found["width"]}


def log_in(page, owner, path: str) -> None:
    """The log-in form by its fields (its labels are in Arabic)."""
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.locator("input[name=email]").fill(owner[0])
    page.locator("input[name=password]").fill(owner[1])
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    page.wait_for_load_state("load")  # its scripts attached before the test presses anything


@pytest.fixture
def thread(live_app):
    """Comments three deep, by people whose names are written in either direction."""
    post = demo_post(live_app)
    top = add_comment(live_app, post.id, author_name="محمد الأحمد",
                      body="التواصل يبدأ بالإصغاء، لا بالحديث عن نفسك.")
    reply = add_comment(live_app, post.id, top, author_name="Ada Lovelace", body="Listening first: agreed!")
    deeper = add_comment(live_app, post.id, reply, author_name="سارة 2024", body="وأنا أيضاً، شكراً لكما.")
    add_comment(live_app, post.id, author_name="Grace Hopper", body="A comment of its own, in English.")
    add_comment(live_app, post.id, author_name="Held Hal", body="Waiting for the owner.", status="pending")
    return post, [top, reply, deeper]


def test_a_discussion_reads_right_to_left_with_replies_indented_from_the_right(thread, page, axe_script):
    post, ids = thread
    page.goto(post.path)
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        for parent, child in zip(ids, ids[1:], strict=False):
            outer = box(page.locator(f"#div-comment-{parent}"))
            inner = box(page.locator(f"#div-comment-{child}"))
            assert inner["right"] < outer["right"] - 4, f"reply {child} not indented from the right at {width}px"
            assert inner["x"] >= outer["x"] - 1, f"reply {child} sticks out on the left at {width}px"
        # The thread's line is on the right, where a reply starts.
        children = page.locator(f"li#comment-{ids[0]} > ol.children")
        line = children.evaluate("e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]")
        assert line == ["2px", "0px"], line
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    # A name is isolated from the words around it in its own direction (as <bdi>), and so is each
    # paragraph of a comment: English starts at the left of an Arabic page, Arabic at the right.
    isolation = page.locator(f"#div-comment-{ids[1]} .fn").evaluate("e => getComputedStyle(e).unicodeBidi")
    assert isolation == "plaintext"
    for comment, side in ((ids[1], "left"), (ids[0], "right")):
        gap = page.locator(f"#div-comment-{comment} .comment-content p").first.evaluate(TEXT_GAP, side)
        assert gap < 2, f"comment {comment}'s text is {gap}px from the {side}"
    screenshot_both_widths(page, "rtl-1-discussion")
    assert_no_violations(page)

    page.locator(f"li#comment-{ids[1]} > article .comment-reply-link").click()
    expect(page.locator(f"li#comment-{ids[1]} > #respond")).to_be_visible()
    assert box(page.locator("#respond"))["right"] < box(page.locator(f"#div-comment-{ids[0]}"))["right"]
    screenshot_both_widths(page, "rtl-2-reply-form-moved")


def test_the_admin_and_the_toolbar_are_mirrored(thread, page, owner, axe_script):
    post, ids = thread
    log_in(page, owner, "/admin/comments")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    menu, main = box(page.locator(".admin-menu")), box(page.locator("#admin-main, .admin-main").first)
    assert menu["x"] > main["x"] and menu["right"] == pytest.approx(1280, abs=1), (menu, main)
    row = page.locator(f"tr#comment-{ids[1]}")
    # The row's checkbox, then the author, from the right: the table reads right to left.
    assert box(row.locator(".check-column"))["x"] > box(row.locator(".column-author"))["x"]
    expect(row.locator(".author-name bdi")).to_have_text("Ada Lovelace")
    screenshot_both_widths(page, "rtl-3-admin-comments")
    page.set_viewport_size({"width": 390, "height": 844})
    first_item = box(page.locator(".admin-menu li").first)
    assert first_item["right"] == pytest.approx(390, abs=1), first_item  # the menu's rows start at the right
    page.set_viewport_size({"width": 1280, "height": 800})
    assert_no_violations(page)

    page.goto(post.path)
    toolbar = page.locator("#wpadminbar")
    site, account = box(toolbar.locator(".toolbar-site")), box(toolbar.locator(".toolbar-account summary"))
    assert site["right"] > account["right"] and account["x"] < 10, (site, account)
    toolbar.locator(".toolbar-account summary").click()
    submenu = box(toolbar.locator(".toolbar-submenu"))
    assert submenu["x"] == pytest.approx(box(toolbar.locator(".toolbar-account"))["x"], abs=1)  # opens from the left
    screenshot_both_widths(page, "rtl-4-toolbar-account-open")
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        assert box(toolbar.locator(".toolbar-submenu"))["x"] >= 0
    assert_no_violations(page)
