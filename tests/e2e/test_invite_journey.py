"""The owner invites an Editor, who accepts from the delivered mail, in Chromium; the Users screens
and the invitation page are axe-core clean at a desktop and a phone width."""

import re

from playwright.sync_api import expect

from notify.sender import run_pass
from tests.e2e.actions import log_in_as_owner
from tests.e2e.test_accessibility import assert_no_violations
from tests.support.mail import text_of

PASSWORD = "a password for Eddie"


def test_owner_invites_an_editor_who_sets_a_password_and_lands_in_the_admin(
    live_app, owner, browse, page, mail_sink, problems, axe_script
):
    log_in_as_owner(page, owner, "/admin/users")
    assert_no_violations(page)
    page.get_by_role("link", name="Add New").click()
    assert_no_violations(page)
    page.get_by_label("Email").fill("eddie@example.com")
    page.get_by_label("Name (optional)").fill("Eddie Editor")
    page.get_by_label("Role").select_option(label="Editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").first).to_have_text("Invitation sent to eddie@example.com (Editor).")
    row = page.locator(".user-row", has_text="Eddie Editor")
    expect(row).to_contain_text("Invited")
    expect(row.locator(".column-role")).to_have_text("Editor")

    page.get_by_role("link", name="Eddie Editor", exact=True).click()
    assert_no_violations(page)
    page.get_by_role("link", name="Remove Eddie Editor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Eddie Editor?")
    assert_no_violations(page)

    with live_app.app_context():
        run_pass()  # the mail worker's pass
    (mail,) = mail_sink.to("eddie@example.com")
    (link,) = [url for url in re.findall(r"https?://\S+", text_of(mail)) if "/invite/" in url]
    assert link.startswith(live_app.config["SITE_URL"])

    invitee = browse()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Join Career Notes")
    assert_no_violations(invitee)
    invitee.get_by_label("New password", exact=True).fill(PASSWORD)
    invitee.get_by_label("Confirm new password").fill("not the same")
    problems.expect_status(400, urlpath(link))
    invitee.get_by_role("button", name="Set password and log in").click()
    expect(invitee.locator("#confirm-error")).to_have_text("The two passwords differ.")
    assert_no_violations(invitee)
    invitee.get_by_label("New password", exact=True).fill(PASSWORD)
    invitee.get_by_label("Confirm new password").fill(PASSWORD)
    invitee.get_by_role("button", name="Set password and log in").click()

    expect(invitee).to_have_url(re.compile(r"/admin/$"))
    menu = invitee.get_by_role("navigation", name="Administration")
    expect(menu.get_by_role("link", name=re.compile(r"^Comments"))).to_be_visible()
    expect(menu.get_by_role("link", name="Users")).to_have_count(0)

    problems.expect_status(410, urlpath(link))
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("already used")


def urlpath(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)
