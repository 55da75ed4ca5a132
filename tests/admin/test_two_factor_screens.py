"""Issue 22, item 4: setting up two-factor in the admin, its recovery codes, turning it off, and the
owner's "Require two-factor for Administrators" on the Security settings screen."""

import time

import pyotp
import pytest
import sqlalchemy as sa

from auth import two_factor
from auth.models import RecoveryCode, User
from auth.roles import EDITOR, MODERATOR
from blog.settings import get_setting, save_settings
from extensions import db
from tests.support.admin import make_user
from tests.support.helpers import form_fields, login_as, page_soup

SCREEN = "/admin/profile/two-factor"
PASSWORD = "correct horse battery"


def _send(client, page, action_ends: str, **fields):
    """Fill in and send the form of `page` whose action ends with `action_ends`, as a browser would."""
    action, hidden = form_fields(page, f"form[action$='{action_ends}']")
    return client.post(action, data=hidden | fields)


def _secret_shown(page) -> str:
    return page_soup(page).select_one("#totp-secret").get_text().replace(" ", "")


def _enrol(client) -> list[str]:
    """Set up two-factor through the screens; returns the recovery codes shown."""
    _send(client, client.get(SCREEN), "/two-factor/start")
    page = client.get(SCREEN)
    done = _send(client, page, "/two-factor/confirm", **{"confirm-code": pyotp.TOTP(_secret_shown(page)).now()})
    assert done.status_code == 200
    return [code.get_text() for code in page_soup(done).select(".recovery-codes code")]


@pytest.fixture
def owner(admin_user):
    admin_user.set_password(PASSWORD)
    db.session.commit()
    return admin_user


def _reloaded(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_setting_up_shows_a_local_qr_code_and_the_secret_then_the_codes_once(admin_client, owner):
    first = admin_client.get(SCREEN)
    assert first.status_code == 200 and "Two-factor authentication is off" in first.get_data(as_text=True)
    assert _send(admin_client, first, "/two-factor/start").status_code == 303
    assert not two_factor.is_on(_reloaded(owner))  # not before a code proves the app holds the secret
    page = admin_client.get(SCREEN)
    soup = page_soup(page)
    assert soup.select_one("svg.qr-code path") is not None and soup.select("img") == []
    secret = _secret_shown(page)
    assert secret == _reloaded(owner).totp_secret
    wrong = _send(admin_client, page, "/two-factor/confirm", **{"confirm-code": "12345"})
    assert wrong.status_code == 400 and not two_factor.is_on(_reloaded(owner))
    done = _send(admin_client, page, "/two-factor/confirm", **{"confirm-code": pyotp.TOTP(secret).now()})
    codes = [code.get_text() for code in page_soup(done).select(".recovery-codes code")]
    assert done.status_code == 200 and len(codes) == 10
    assert two_factor.is_on(_reloaded(owner))
    after = admin_client.get(SCREEN).get_data(as_text=True)
    assert "Two-factor authentication is on" in after and "<strong>10</strong> unused" in after
    assert not any(code in after for code in codes)


def test_a_wrong_code_or_password_does_not_turn_two_factor_off(admin_client, owner):
    _enrol(admin_client)
    refused = _send(admin_client, admin_client.get(SCREEN), "/two-factor/off", **{"off-proof": "not my password"})
    assert refused.status_code == 401 and "neither a current code" in refused.get_data(as_text=True)
    assert two_factor.is_on(_reloaded(owner))


def test_the_password_turns_two_factor_off_and_forgets_the_codes(admin_client, owner):
    _enrol(admin_client)
    off = _send(admin_client, admin_client.get(SCREEN), "/two-factor/off", **{"off-proof": PASSWORD})
    assert off.status_code == 303
    user = _reloaded(owner)
    assert not two_factor.is_on(user) and user.totp_secret is None
    assert db.session.scalars(sa.select(RecoveryCode).filter_by(user_id=user.id)).all() == []


def test_a_later_code_from_the_app_turns_two_factor_off(admin_client, owner):
    _enrol(admin_client)
    later = pyotp.TOTP(_reloaded(owner).totp_secret).at(time.time() + 30)  # the code confirming it is used up
    off = _send(admin_client, admin_client.get(SCREEN), "/two-factor/off", **{"off-proof": later})
    assert off.status_code == 303 and not two_factor.is_on(_reloaded(owner))


def test_new_recovery_codes_replace_the_old_ones(app, admin_client, owner):
    old = _enrol(admin_client)
    renewed = _send(admin_client, admin_client.get(SCREEN), "/two-factor/recovery-codes", **{"codes-proof": PASSWORD})
    new = [code.get_text() for code in page_soup(renewed).select(".recovery-codes code")]
    assert renewed.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    with app.test_request_context():
        user = _reloaded(owner)
        assert not two_factor.accept(user, old[0])
        assert two_factor.accept(user, new[0])


def test_every_staff_role_may_set_up_two_factor_and_a_subscriber_may_not(app):
    for role, status in ((MODERATOR, 200), (EDITOR, 200), (None, 403)):
        user = make_user(False, f"User {role}", f"{role}@example.com", role=role)
        client = app.test_client()
        login_as(client, user)
        assert client.get(SCREEN).status_code == status, role


def test_the_requirement_cannot_be_turned_on_by_an_owner_without_two_factor(admin_client):
    page = admin_client.get("/admin/settings/security")
    assert page.status_code == 200
    assert page_soup(page).select_one(f".notice a[href='{SCREEN}']") is not None
    action, hidden = form_fields(page, "form.settings-form")
    refused = admin_client.post(action, data=hidden | {"require_two_factor_for_admins": "y"})
    assert refused.status_code == 400 and "for your own account first" in refused.get_data(as_text=True)
    assert get_setting("require_two_factor_for_admins") is False


def test_an_owner_with_two_factor_turns_the_requirement_on(admin_client, owner):
    _enrol(admin_client)
    page = admin_client.get("/admin/settings/security")
    action, hidden = form_fields(page, "form.settings-form")
    saved = admin_client.post(action, data=hidden | {"require_two_factor_for_admins": "y"})
    assert saved.status_code == 303
    db.session.expire_all()
    assert get_setting("require_two_factor_for_admins") is True
    screen = admin_client.get(SCREEN)
    assert "so it stays on" in screen.get_data(as_text=True)
    assert page_soup(screen).select("form[action$='/two-factor/off']") == []
    _action, hidden = form_fields(screen, "form[action$='/two-factor/recovery-codes']")
    refused = admin_client.post(f"{SCREEN}/off", data={"off-csrf_token": hidden["codes-csrf_token"],
                                                       "off-proof": PASSWORD})
    assert refused.status_code == 403 and two_factor.is_on(_reloaded(owner))


def test_only_administrators_open_the_security_settings(app):
    editor = make_user(False, "Ed", "ed@example.com", role=EDITOR)
    client = app.test_client()
    login_as(client, editor)
    assert client.get("/admin/settings/security").status_code == 403


def test_while_required_an_administrator_without_two_factor_reaches_only_the_enrolment(app, admin_client):
    save_settings({"require_two_factor_for_admins": True})
    db.session.commit()
    for path in ("/admin/", "/admin/comments", "/admin/settings/security", "/admin/account"):
        response = admin_client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == SCREEN, path
    screen = admin_client.get(SCREEN)
    assert screen.status_code == 200 and "requires Administrators to log in with two-factor" in screen.get_data(
        as_text=True)
    _enrol(admin_client)
    assert admin_client.get("/admin/").status_code == 200
    editor = make_user(False, "Ed", "ed@example.com", role=EDITOR)  # the requirement is for Administrators
    client = app.test_client()
    login_as(client, editor)
    assert client.get("/admin/").headers.get("Location") != SCREEN


def test_the_profile_says_whether_two_factor_is_on_and_links_its_screen(admin_client, owner):
    def state():
        section = page_soup(admin_client.get("/admin/profile")).select_one("[data-two-factor-state]")
        return section.get_text(" ", strip=True), section.select_one("a")["href"]

    assert state() == ("Off. Set up two-factor authentication", SCREEN)
    _enrol(admin_client)
    text, href = state()
    assert text.startswith("On:") and href == SCREEN


def test_a_subscriber_profile_offers_no_two_factor(client):
    reader = make_user(False, "Rae", "rae@example.com")
    login_as(client, reader)
    page = client.get("/admin/profile")
    assert page.status_code == 200 and page_soup(page).select_one("[data-two-factor-state]") is None
