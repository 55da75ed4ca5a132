"""What people do in the browser that several tests need: logging in, as reader or as owner."""

import re

from playwright.sync_api import expect

from auth.providers import REGISTRY


def log_in_with(page, providers, name: str) -> None:
    """Press the provider's button under the form and answer its consent page."""
    field, user, _shown = providers.logins[name]
    page.get_by_role("button", name=f"Log in with {REGISTRY[name].label}").click()  # a button of the comment form
    page.locator(f"input[name={field}]").fill(user)  # the provider's own page
    page.get_by_role("button", name="Authorize").click()
    expect(page.locator(".logged-in-as")).to_be_visible()  # back on the blog's post page
    page.wait_for_load_state("load")  # its deferred scripts attached before the test goes on


def log_in_as_owner(page, owner, path: str = "/admin/") -> None:
    """Open an admin page, get sent to /login, log in there and come back."""
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Email address").fill(owner[0])
    page.get_by_label("Password").fill(owner[1])
    page.get_by_role("button", name="Log In").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    page.wait_for_load_state("load")  # admin.js attached before the test presses anything
