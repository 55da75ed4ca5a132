"""Issue 19, item 6: strangers guessing the owner's password cannot lock the owner out.

Failed log-ins count per (account, address) under a tight limit and per account under a high
ceiling; a browser that logged in before counts on its own and skips the account's ceiling.
"""

import pytest

from auth.services import save_admin
from auth.throttle import KNOWN_DEVICE_COOKIE
from tests.support.oauth import csrf_token_from

EMAIL = "owner@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def make_app(app_factory):
    def build(**settings):
        app = app_factory(**settings)
        with app.app_context():
            save_admin(EMAIL, PASSWORD)
        return app

    return build


def _attempt(client, password: str, ip: str, email: str = EMAIL):
    data = {"csrf_token": csrf_token_from(client), "email": email, "password": password}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip})


def _known_browser(app, ip: str = "192.0.2.50"):
    """The owner's browser: it logged in once (and out again), so it holds the known-device cookie."""
    browser = app.test_client()
    assert _attempt(browser, PASSWORD, ip).status_code == 302
    assert browser.get_cookie(KNOWN_DEVICE_COOKIE, path="/login") is not None
    browser.post("/auth/logout", data={"csrf_token": csrf_token_from(browser)})
    return browser


def test_five_wrong_passwords_from_one_address_do_not_stop_the_owner_elsewhere(make_app):
    app = make_app()
    stranger = app.test_client()
    for _ in range(5):
        assert _attempt(stranger, "guess", "203.0.113.1").status_code == 401
    owner = app.test_client()
    response = _attempt(owner, PASSWORD, "198.51.100.2")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_many_wrong_passwords_from_one_address_are_refused_from_that_address(make_app):
    app = make_app()
    stranger = app.test_client()
    for _ in range(5):
        assert _attempt(stranger, "guess", "203.0.113.1").status_code == 401
    blocked = _attempt(stranger, "guess", "203.0.113.1")
    assert blocked.status_code == 429
    assert "Too many log-in attempts" in blocked.get_data(as_text=True)
    assert _attempt(app.test_client(), PASSWORD, "203.0.113.1").status_code == 429
    # Only that account from that address: another account from it is still answered.
    assert _attempt(stranger, "guess", "203.0.113.1", email="other@example.com").status_code == 401


def test_the_account_ceiling_counts_guesses_from_every_address(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="4 per hour")
    for n in range(4):
        assert _attempt(app.test_client(), "guess", f"203.0.113.{n}").status_code == 401
    assert _attempt(app.test_client(), "guess", "203.0.113.99").status_code == 429
    assert _attempt(app.test_client(), PASSWORD, "203.0.113.100").status_code == 429  # unknown browser


def test_a_known_browser_with_the_right_password_gets_in_past_the_account_ceiling(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="4 per hour")
    owner = _known_browser(app)
    for n in range(5):
        _attempt(app.test_client(), "guess", f"203.0.113.{n}")
    assert _attempt(app.test_client(), "guess", "203.0.113.99").status_code == 429
    response = _attempt(owner, PASSWORD, "192.0.2.50")
    assert response.status_code == 302
    assert owner.get("/admin/").status_code == 200


def test_a_known_browser_is_not_held_back_by_strangers_on_its_own_address(make_app):
    app = make_app()
    owner = _known_browser(app, ip="192.0.2.50")
    for _ in range(5):
        _attempt(app.test_client(), "guess", "192.0.2.50")  # a stranger behind the same NAT
    assert _attempt(app.test_client(), PASSWORD, "192.0.2.50").status_code == 429
    assert _attempt(owner, PASSWORD, "192.0.2.50").status_code == 302


def test_a_known_browser_still_gets_only_a_few_wrong_guesses(make_app):
    app = make_app()
    stolen = _known_browser(app)
    for n in range(5):
        assert _attempt(stolen, "guess", f"198.51.100.{n}").status_code == 401
    assert _attempt(stolen, PASSWORD, "198.51.100.77").status_code == 429


def test_a_forged_known_device_cookie_is_ignored(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="2 per hour")
    for n in range(2):
        _attempt(app.test_client(), "guess", f"203.0.113.{n}")
    forger = app.test_client()
    forger.set_cookie(KNOWN_DEVICE_COOKIE, '{"user": 1, "device": "x"}', path="/login")
    assert _attempt(forger, PASSWORD, "203.0.113.50").status_code == 429


def test_a_known_device_cookie_of_another_account_does_not_help(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="2 per hour")
    with app.app_context():
        save_admin("second@example.com", PASSWORD)
    browser = app.test_client()
    assert _attempt(browser, PASSWORD, "192.0.2.50", email="second@example.com").status_code == 302
    browser.post("/auth/logout", data={"csrf_token": csrf_token_from(browser)})
    for n in range(2):
        _attempt(app.test_client(), "guess", f"203.0.113.{n}")
    assert _attempt(browser, PASSWORD, "192.0.2.50").status_code == 429


def test_successful_log_ins_do_not_count_against_any_account_limit(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="2 per hour", LOGIN_LIMIT_PER_ACCOUNT_AND_CLIENT="2 per hour")
    for _ in range(4):
        assert _attempt(app.test_client(), PASSWORD, "198.51.100.9").status_code == 302
