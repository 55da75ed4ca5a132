"""Issue 19, item 5: sessions and remember-me cookies end when they should, and the owner sees it.

Every session and remember cookie carries the user's session token (Flask-Login's alternative
id); logging out, changing the password and "Log out all sessions" replace it.
"""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app import create_app
from auth.models import User
from auth.services import save_admin
from extensions import db
from tests.conftest import make_config
from tests.core.test_migrations import empty_database_url  # noqa: F401  (fixture)
from tests.support.helpers import page_soup
from tests.support.oauth import csrf_token_from, google_settings, log_in

EMAIL = "owner@example.com"
PASSWORD = "correct horse battery"
SESSION = "blog_session"
REMEMBER = "remember_token"


@pytest.fixture
def owner(app) -> User:
    user, _created = save_admin(EMAIL, PASSWORD)
    return user


def _log_in(client, remember: bool = False):
    data = {"csrf_token": csrf_token_from(client), "email": EMAIL, "password": PASSWORD, "next": "/admin/"}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    return response


def _log_out(client, token: str | None = None):
    return client.post("/auth/logout", data={"csrf_token": token or csrf_token_from(client), "next": "/"})


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def _opens_admin(app, **cookies) -> bool:
    """Whether a fresh browser holding only these cookies gets into /admin/."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/admin/").status_code == 200


def test_after_logout_the_old_session_and_remember_cookies_no_longer_open_admin(app, owner):
    client = app.test_client()
    _log_in(client, remember=True)
    old_session, old_remember = _cookie(client, SESSION), _cookie(client, REMEMBER)
    assert _opens_admin(app, **{SESSION: old_session}) and _opens_admin(app, **{REMEMBER: old_remember})

    assert _log_out(client).status_code == 302
    assert client.get("/admin/").status_code == 302
    assert not _opens_admin(app, **{SESSION: old_session})
    assert not _opens_admin(app, **{REMEMBER: old_remember})


def test_a_password_change_from_the_cli_ends_every_session_and_says_so(app, owner, runner):
    client = app.test_client()
    _log_in(client, remember=True)
    old_session, old_remember = _cookie(client, SESSION), _cookie(client, REMEMBER)

    result = runner.invoke(args=["create-admin", EMAIL, "--password", "a brand new password"])
    assert result.exit_code == 0, result.output
    assert client.get("/admin/").status_code == 302
    assert not _opens_admin(app, **{SESSION: old_session})
    assert not _opens_admin(app, **{REMEMBER: old_remember})

    db.session.expire_all()
    assert db.session.get(User, owner.id).sessions_revoked_reason == "password changed"
    data = {"csrf_token": csrf_token_from(client), "email": EMAIL, "password": "a brand new password"}
    assert client.post("/login", data=data).status_code == 302
    notice = page_soup(client.get("/admin/")).select_one("[data-sessions-ended]")
    assert notice is not None and "All sessions ended at" in notice.get_text()
    assert "(password changed)" in notice.get_text()


def test_log_in_starts_a_new_session_so_a_planted_one_and_its_csrf_token_are_void(app, owner):
    client = app.test_client()
    planted_token = csrf_token_from(client)  # the session (and CSRF secret) a fixer would plant
    planted_cookie = _cookie(client, SESSION)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    _log_in(client)
    assert _cookie(client, SESSION) != planted_cookie
    with client.session_transaction() as session:
        assert "planted" not in session
    refused = _log_out(client, token=planted_token)
    assert refused.status_code == 400
    assert client.get("/admin/").status_code == 200


def test_a_social_log_in_starts_a_new_session_too(social_app, oidc_provider):
    app = social_app(SITE_URL="http://127.0.0.1", **google_settings(oidc_provider))
    client = app.test_client()
    planted_token = csrf_token_from(client)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    assert log_in(client, "google", sub="ada-sub").status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session and "_user_id" in session and "identity_id" in session
    assert _log_out(client, token=planted_token).status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" in session


def test_a_remember_cookie_from_before_a_rotation_fails_and_a_new_one_works(app, owner):
    client = app.test_client()
    _log_in(client, remember=True)
    before = _cookie(client, REMEMBER)
    owner.end_all_sessions("test")
    db.session.commit()
    assert not _opens_admin(app, **{REMEMBER: before})
    again = app.test_client()
    _log_in(again, remember=True)
    assert _cookie(again, REMEMBER) != before
    assert _opens_admin(app, **{REMEMBER: _cookie(again, REMEMBER)})


def test_a_session_from_before_the_session_token_holds_only_the_id_and_is_refused(app, owner):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(owner.id), True
    assert browser.get("/admin/").status_code == 302


def test_remember_cookie_lasts_thirty_days_not_a_year(app, owner):
    client = app.test_client()
    _log_in(client, remember=True)
    days_left = (client.get_cookie(REMEMBER).expires - datetime.now(UTC)).days
    assert 29 <= days_left <= 30


def test_every_user_has_a_distinct_session_token(app, owner):
    other, _created = save_admin("second@example.com", PASSWORD)
    tokens = db.session.scalars(sa.select(User.session_token)).all()
    assert len(tokens) == len(set(tokens)) == 2 and all(len(t) >= 40 for t in tokens)


def test_the_migration_gives_every_existing_user_a_distinct_token(empty_database_url):  # noqa: F811
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=empty_database_url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0005_comment_email_created"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as conn:
            for n in range(3):
                conn.execute(
                    sa.text(
                        "INSERT INTO users (email_verified, display_name, is_admin, created_at) "
                        "VALUES (false, :name, false, CURRENT_TIMESTAMP)"
                    ),
                    {"name": f"user {n}"},
                )
        db.engine.dispose()
    result = runner.invoke(args=["db", "upgrade", "0006_user_session_token"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            tokens = conn.execute(sa.text("SELECT session_token FROM users")).scalars().all()
        db.engine.dispose()
    assert len(tokens) == len(set(tokens)) == 3 and all(tokens)
    downgrade = runner.invoke(args=["db", "downgrade", "0005_comment_email_created"])
    assert downgrade.exit_code == 0, downgrade.output
