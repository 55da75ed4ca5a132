"""A reader's profile in Chromium: change the display name and bio, then see the new name on a comment;
the profile is axe-core clean at 1280 and 390 px, in its usual and its error states."""

from playwright.sync_api import expect

from tests.e2e.actions import log_in_with
from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import demo_post
from tests.e2e.test_accessibility import assert_no_violations


def test_reader_renames_themself_and_their_comment_carries_the_new_name(live_app, page, providers, axe_script):
    post = demo_post(live_app)
    page.goto(post.path)
    log_in_with(page, providers, "google")
    expect(page.locator(".logged-in-name")).to_have_text("Ada Lovelace")

    page.goto("/admin/profile")
    expect(page.get_by_role("heading", name="Profile", level=1)).to_be_visible()
    expect(page.locator("[data-identity=google]")).to_contain_text("Your only way to log in")
    assert_no_violations(page)

    page.get_by_label("Display name").fill("Ada, Countess of Lovelace")
    page.get_by_label("Biographical info").fill("I wrote the first program for an engine not yet built.")
    page.get_by_role("button", name="Update profile").click()
    expect(page.get_by_role("status").filter(has_text="Profile updated.")).to_be_visible()
    expect(page.get_by_label("Display name")).to_have_value("Ada, Countess of Lovelace")
    expect(page.get_by_label("Biographical info")).to_have_value(
        "I wrote the first program for an engine not yet built.")
    screenshot_both_widths(page, "profile-updated")

    page.goto(post.path)
    expect(page.locator(".logged-in-name")).to_have_text("Ada, Countess of Lovelace")
    page.get_by_role("textbox", name="Comment", exact=True).fill("Signed with my new name.")
    page.get_by_role("button", name="Post Comment").click()
    mine = page.locator("ol.comment-list li").filter(has_text="Signed with my new name.")
    expect(mine.locator(".comment-author .fn")).to_have_text("Ada, Countess of Lovelace")


def test_profile_error_states_have_no_accessibility_violations(live_app, page, providers, problems, axe_script):
    page.goto(demo_post(live_app).path)
    log_in_with(page, providers, "google")
    page.goto("/admin/profile")
    page.get_by_label("Author slug").fill("Not A Slug")
    problems.expect_status(400, "/admin/profile")
    page.get_by_role("button", name="Update profile").click()
    expect(page.locator("#nicename-error")).to_have_text(
        "Use lowercase letters, digits and single hyphens only (for example ada-lovelace).")
    expect(page.get_by_label("Author slug")).to_have_attribute("aria-invalid", "true")
    assert_no_violations(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat new password").fill("short")
    problems.expect_status(400, "/admin/profile/password")
    page.get_by_role("button", name="Set password").click()
    expect(page.locator("#new_password-error")).to_have_text("Use at least 8 characters.")
    assert_no_violations(page)


def test_name_prompt_and_a_bad_email_link_have_no_accessibility_violations(live_app, page, providers, problems,
                                                                           axe_script):
    page.goto(demo_post(live_app).path)
    log_in_with(page, providers, "google")
    page.goto("/auth/name?next=/")
    expect(page.get_by_role("heading", name="What should we call you?")).to_be_visible()
    assert_no_violations(page)
    problems.expect_status(400, "/auth/name")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#display_name-error")).to_have_text("Enter the name to show on your comments.")
    assert_no_violations(page)
    problems.expect_status(400, "/admin/profile/email/not-a-link")
    page.goto("/admin/profile/email/not-a-link")
    expect(page.get_by_role("alert")).to_have_text("This link is not valid.")
    assert_no_violations(page)
