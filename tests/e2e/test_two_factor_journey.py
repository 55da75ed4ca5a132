"""Issue 22, item 4 in Chromium: the owner sets up two-factor from the page's own key, logs out, and
logs back in with a recovery code; every screen on the way is axe-core clean at 1280 and 390 px."""

import re

import pyotp
from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner
from tests.e2e.seed import demo_post
from tests.e2e.test_accessibility import assert_no_violations

SCREEN = "/admin/profile/two-factor"


def test_owner_sets_up_two_factor_then_logs_in_with_a_recovery_code(live_app, page, owner, problems, axe_script):
    page.goto("/admin/settings/security")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email address").fill(owner[0])
    page.get_by_label("Password").fill(owner[1])
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("link", name="set it up for your own account")).to_be_visible()
    assert_no_violations(page)

    page.get_by_role("link", name="set it up for your own account").click()
    expect(page.get_by_role("heading", name="Two-factor authentication is off")).to_be_visible()
    assert_no_violations(page)
    page.get_by_role("button", name="Set up two-factor authentication").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_no_violations(page)

    problems.expect_status(400, f"{SCREEN}/confirm")
    page.get_by_label("Authentication code").fill("12345")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_label("Authentication code")).to_have_attribute("aria-invalid", "true")
    assert_no_violations(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_no_violations(page)

    page.goto("/admin/settings/security")
    page.get_by_label("Require two-factor authentication for Administrators").check()
    page.get_by_role("button", name="Save Changes").click()
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    assert_no_violations(page)

    page.goto(demo_post(live_app).path)
    page.get_by_role("button", name="Log Out").first.click()
    expect(page.get_by_text("You are now logged out.")).to_be_visible()

    page.goto("/login")
    page.get_by_label("Email address").fill(owner[0])
    page.get_by_label("Password").fill(owner[1])
    page.get_by_role("button", name="Log In").click()
    expect(page).to_have_url(re.compile(r"/login/two-factor$"))
    assert_no_violations(page)
    problems.expect_status(401, "/login/two-factor")
    page.get_by_label("Authentication code").fill("not-a-code")
    page.get_by_role("button", name="Log In").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")
    assert_no_violations(page)
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Log In").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

    page.goto(SCREEN)
    expect(page.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
    expect(page.locator(".two-factor").first).to_contain_text("9 unused recovery codes")
    assert_no_violations(page)


def test_while_required_an_administrator_without_two_factor_is_sent_to_set_it_up(live_app, page, owner):
    with live_app.app_context():
        from blog.settings import save_settings
        from extensions import db

        save_settings({"require_two_factor_for_admins": True})
        db.session.commit()
    log_in_as_owner(page, owner, SCREEN)
    expect(page.get_by_role("status").filter(has_text="requires Administrators")).to_be_visible()
    page.goto("/admin/comments")
    expect(page).to_have_url(re.compile(re.escape(SCREEN) + "$"))
