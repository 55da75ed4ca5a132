"""The owner publishes a password-protected post from the editor's Publish box, and a reader opens
it with the password: the box beside the content at desktop width and below it on a phone, the
password field only with "Password protected", Schedule for a future date, the locked page."""

import re

from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner
from tests.e2e.browser import axe_violations, screenshot_both_widths

SECRET = "The shortlist is Ada, Grace and Katherine."


def _box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_owner_publishes_a_protected_post_and_a_reader_opens_it(live_app, owner, browse, problems, axe_script):
    page = browse()
    log_in_as_owner(page, owner, "/admin/posts/new")
    content, side = _box(page, "#post-body-content"), _box(page, "#submitdiv")
    assert side["x"] >= content["x"] + content["width"] and side["y"] < content["y"] + 100  # beside it
    password = page.locator("#password")
    expect(password).to_be_hidden()
    page.get_by_label("Title").fill("Hiring notes")
    page.get_by_label("Content (Markdown)").fill(SECRET)
    page.get_by_label("Password protected").check()
    expect(password).to_be_visible()
    password.fill("letmein")
    publish = page.locator("#publish")
    page.get_by_label("Date").fill("2099-01-01T09:00")
    expect(publish).to_have_text("Schedule")
    page.get_by_label("Date").fill("")
    expect(publish).to_have_text("Publish")
    screenshot_both_widths(page, "post-editor-new")
    page.set_viewport_size({"width": 390, "height": 844})
    content, side = _box(page, "#post-body-content"), _box(page, "#submitdiv")
    assert side["y"] >= content["y"] + content["height"]  # stacked below the content on a phone
    page.set_viewport_size({"width": 1280, "height": 800})

    publish.click()

    expect(page.get_by_role("status").filter(has_text="Post published.")).to_be_visible()
    expect(page.locator("#publish")).to_have_text("Update")
    screenshot_both_widths(page, "post-editor-published")
    post_path = page.get_by_role("link", name="View post").get_attribute("href")
    post_id = re.search(r"/posts/(\d+)/edit", page.url)[1]

    reader = browse()
    reader.goto(post_path)
    expect(reader.locator(".entry-title")).to_have_text("Protected: Hiring notes")
    expect(reader.get_by_text(SECRET)).to_have_count(0)
    screenshot_both_widths(reader, "protected-post-locked")
    assert axe_violations(reader) == []
    problems.expect_status(403, f"/posts/{post_id}/password")  # the wrong password, refused
    reader.get_by_label("Password:").fill("wrong")
    reader.get_by_role("button", name="Enter").click()
    expect(reader.get_by_role("alert")).to_have_text("That password is not right. Please try again.")
    assert axe_violations(reader) == []
    reader.get_by_label("Password:").fill("letmein")
    reader.get_by_role("button", name="Enter").click()
    expect(reader.get_by_text(SECRET)).to_be_visible()
    expect(reader.locator("#commentform")).to_be_visible()
