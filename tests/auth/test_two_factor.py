"""Issue 22, item 4: logging in with two-factor on takes a second step, a code from the app or a
recovery code, limited as the password is. Codes are computed with pyotp from the stored secret."""

import time

import pyotp
import pytest
import sqlalchemy as sa

from auth import two_factor
from auth.models import Identity, RecoveryCode, User
from auth.roles import EDITOR
from auth.services import save_admin
from extensions import db
from tests.support.helpers import form_fields
from tests.support.oauth import consent, csrf_token_from, flashed, google_settings, log_in, rows, start_login

EMAIL = "owner@example.com"
PASSWORD = "correct horse battery"


def _turn_on(user: User) -> list[str]:
    """Two-factor on for `user`, as the enrolment screen does it; returns the recovery codes."""
    two_factor.start_enrolment(user)
    codes = two_factor.confirm_enrolment(user, pyotp.TOTP(user.totp_secret).now())
    user.totp_last_step = None  # as if enrolled a while ago: the tests log in with the current code
    db.session.commit()
    return codes


def _code(app, user_id: int, seconds_ahead: int = 0) -> str:
    """The code the user's app shows (or will show), from the secret the database holds."""
    with app.app_context():
        secret = db.session.get(User, user_id).totp_secret
    return pyotp.TOTP(secret).at(time.time() + seconds_ahead)


@pytest.fixture
def owner(app):
    user, _created = save_admin(EMAIL, PASSWORD)
    codes = _turn_on(user)
    return user.id, codes


def _password_step(client, next_url: str = "", ip: str = "198.51.100.7"):
    data = {"csrf_token": csrf_token_from(client), "email": EMAIL, "password": PASSWORD, "next": next_url}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip})


def _code_step(client, code: str, ip: str = "198.51.100.7", path: str = "/login/two-factor"):
    page = client.get(path)
    assert page.status_code == 200, page.headers.get("Location")
    action, hidden = form_fields(page, "form.login-form")
    return client.post(action, data=hidden | {"code": code}, environ_base={"REMOTE_ADDR": ip})


def _logged_in(client) -> bool:
    return client.get("/admin/profile/two-factor").status_code == 200  # open to every staff role


def test_the_password_alone_does_not_log_in_an_account_with_two_factor(app, owner):
    client = app.test_client()
    response = _password_step(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login/two-factor"
    assert not _logged_in(client)


def test_a_code_from_the_app_finishes_the_log_in_where_the_password_step_would_land(app, owner):
    user_id, _codes = owner
    client = app.test_client()
    assert _password_step(client, next_url="/admin/comments").headers["Location"].startswith("/login/two-factor?next=")
    response = _code_step(client, _code(app, user_id), path="/login/two-factor?next=/admin/comments")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/comments"
    assert _logged_in(client)


def test_a_code_from_the_previous_time_step_is_still_accepted(app, owner):
    user_id, _codes = owner
    client = app.test_client()
    _password_step(client)
    response = _code_step(client, _code(app, user_id, seconds_ahead=-30))
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_a_wrong_code_is_refused_with_401_and_logs_nobody_in(app, owner):
    client = app.test_client()
    _password_step(client)
    response = _code_step(client, "000000" if _code(app, owner[0]) != "000000" else "111111")
    assert response.status_code == 401
    assert "That code is not right" in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_wrong_codes_are_rate_limited_like_passwords(app, owner):
    user_id, _codes = owner
    client = app.test_client()
    _password_step(client)
    right = _code(app, user_id)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(5):
        assert _code_step(client, wrong).status_code == 401
    blocked = _code_step(client, wrong)
    assert blocked.status_code == 429
    assert "Too many log-in attempts" in blocked.get_data(as_text=True)
    assert _code_step(client, right).status_code == 429
    assert not _logged_in(client)


def test_a_recovery_code_logs_in_once(app, owner):
    user_id, codes = owner
    first = app.test_client()
    _password_step(first)
    assert _code_step(first, codes[0].upper().replace("-", " ")).headers["Location"] == "/admin/"
    assert _logged_in(first)
    again = app.test_client()
    _password_step(again)
    assert _code_step(again, codes[0]).status_code == 401
    assert _code_step(again, codes[1]).status_code == 302
    with app.app_context():
        assert two_factor.recovery_codes_left(db.session.get(User, user_id)) == 8


def test_only_hashes_of_the_ten_recovery_codes_are_stored(app, owner):
    user_id, codes = owner
    assert len(codes) == 10 == len(set(codes))
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash).filter_by(user_id=user_id)).all()
    assert len(stored) == 10
    assert not {c.replace("-", "") for c in codes} & set(stored) and not set(codes) & set(stored)


def test_a_code_used_in_one_browser_cannot_log_in_another(app, owner):
    user_id, _codes = owner
    code = _code(app, user_id)
    first, second = app.test_client(), app.test_client()
    _password_step(first)
    _password_step(second)
    assert _code_step(first, code).status_code == 302
    assert _code_step(second, code).status_code == 401


def test_a_code_used_to_log_in_cannot_be_used_again(app, owner):
    user_id, _codes = owner
    client = app.test_client()
    _password_step(client)
    code = _code(app, user_id)
    assert _code_step(client, code).status_code == 302
    page = client.get("/admin/profile/two-factor")
    action, hidden = form_fields(page, "form[action$='/two-factor/off']")
    replayed = client.post(action, data=hidden | {"off-proof": code})
    assert replayed.status_code == 401
    with app.app_context():
        assert two_factor.is_on(db.session.get(User, user_id))


def test_an_abandoned_second_step_expires(app, owner):
    user_id, _codes = owner
    client = app.test_client()
    _password_step(client)
    action, hidden = form_fields(client.get("/login/two-factor"), "form.login-form")
    with client.session_transaction() as browser_session:  # six minutes later
        pending = browser_session[two_factor.PENDING_KEY]
        browser_session[two_factor.PENDING_KEY] = pending | {"started": pending["started"] - 360}
    response = client.post(action, data=hidden | {"code": _code(app, user_id)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Please log in again" in " ".join(flashed(client))
    assert not _logged_in(client)
    assert client.get("/login/two-factor").status_code == 302


def test_the_second_step_without_a_first_goes_to_the_log_in_page(client):
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_an_account_without_two_factor_logs_in_with_its_password_alone(app):
    save_admin(EMAIL, PASSWORD)
    client = app.test_client()
    response = _password_step(client)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_a_social_log_in_of_an_account_with_two_factor_takes_the_second_step(social_app, oidc_provider):
    app = social_app(**google_settings(oidc_provider))
    log_in(app.test_client(), "google", sub="ada-sub")  # the account is made at the first log-in
    (identity,) = rows(app, Identity)
    with app.test_request_context():
        user = db.session.get(User, identity.user_id)
        user.role = EDITOR
        _turn_on(user)
    client = app.test_client()
    response = client.get(consent(start_login(client, "google", "/2024/03/04/a-post/"), sub="ada-sub"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/two-factor?next=/2024/03/04/a-post/"
    assert not _logged_in(client)
    finished = _code_step(client, _code(app, identity.user_id), path=response.headers["Location"])
    assert finished.status_code == 302 and finished.headers["Location"] == "/2024/03/04/a-post/"
    assert _logged_in(client)
    with client.session_transaction() as browser_session:
        assert browser_session["identity_id"] == identity.id
