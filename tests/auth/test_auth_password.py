"""Owner accounts: the create-admin commands and the rate-limited password log-in at /login."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from werkzeug.security import generate_password_hash

from auth.models import User
from auth.roles import ADMINISTRATOR, SUBSCRIBER
from auth.services import DEMO_ADMIN_EMAIL, save_admin
from config import Config, DevelopmentConfig, ProductionConfig, TestConfig
from extensions import db
from tests.support.oauth import csrf_token_from

PASSWORD = "correct horse battery"


def _post_login(client, email: str, password: str, next_url: str = "", ip: str = "127.0.0.1"):
    data = {
        "csrf_token": csrf_token_from(client),
        "email": email,
        "password": password,
        "next": next_url,
    }
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip})


def _page_message(response) -> str:
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return " ".join(p.get_text(" ", strip=True) for p in page.select("main .notice, main h1"))


@pytest.fixture
def owner(app):
    user, _created = save_admin("owner@example.com", PASSWORD)
    return user


def test_create_admin_command_makes_an_administrator_with_a_scrypt_hash(app, runner):
    result = runner.invoke(args=["create-admin", "Owner@Example.com", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Administrator Owner@example.com created" in result.output
    user = db.session.scalars(sa.select(User)).one()
    assert user.role == ADMINISTRATOR and user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash and user.check_password(PASSWORD)


def test_create_admin_again_updates_the_password(app, runner, owner):
    result = runner.invoke(
        args=["create-admin", "owner@example.com", "--password", "a new password"]
    )
    assert "updated" in result.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    assert owner.check_password("a new password") and not owner.check_password(PASSWORD)


def test_create_admin_prompts_for_a_hidden_password_when_omitted(app, runner):
    result = runner.invoke(
        args=["create-admin", "owner@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert db.session.scalars(sa.select(User)).one().check_password(PASSWORD)


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["create-admin", "not-an-email", "--password", PASSWORD], "Invalid value for 'EMAIL'"),
        (["create-admin", "owner@example.com", "--password", "short"], "at least 8 characters"),
    ],
)
def test_create_admin_refuses_bad_input(app, runner, args, complaint):
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and complaint in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_demo_admin_is_created_once_and_its_password_works(app, runner, client):
    first = runner.invoke(args=["create-demo-admin"])
    assert first.exit_code == 0 and DEMO_ADMIN_EMAIL in first.output
    password = first.output.split("password: ")[1].split()[0]
    second = runner.invoke(args=["create-demo-admin"])
    assert "already exists" in second.output and "password:" not in second.output
    assert _post_login(client, DEMO_ADMIN_EMAIL, password).status_code == 302


def test_demo_admin_is_refused_in_production(app_factory):
    app = app_factory(ENV_NAME="production")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["create-demo-admin"])
        assert result.exit_code == 1 and "for development" in result.output
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_login_page_has_labelled_fields(client):
    page = BeautifulSoup(client.get("/login").get_data(as_text=True), "html.parser")
    for field in ("email", "password"):
        assert page.find("label", attrs={"for": field}) and page.find(id=field)
    assert page.find("input", attrs={"name": "csrf_token"})


def test_password_log_in_goes_to_next_on_this_site(client, owner):
    response = _post_login(client, "OWNER@example.com", PASSWORD, next_url="/admin/")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    with client.session_transaction() as session:
        assert session["_user_id"] == owner.get_id() and "identity_id" not in session


def test_password_log_in_ignores_next_on_another_site(client, owner):
    response = _post_login(client, "owner@example.com", PASSWORD, next_url="https://evil.example/")
    assert response.headers["Location"] == "/admin/"  # staff land on the dashboard


def test_a_reader_without_the_admin_lands_on_the_home_page(client, owner):
    owner.role = SUBSCRIBER
    db.session.commit()
    response = _post_login(client, "owner@example.com", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_unknown_email_and_wrong_password_get_the_same_answer(client, owner):
    unknown = _post_login(client, "nobody@example.com", PASSWORD)
    wrong = _post_login(client, "owner@example.com", "wrong password")
    assert unknown.status_code == wrong.status_code == 401
    assert _page_message(unknown) == _page_message(wrong)
    assert "The email address or password is incorrect." in _page_message(wrong)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_hash_made_with_older_settings_is_replaced_at_the_next_log_in(client, owner):
    owner.password_hash = generate_password_hash(PASSWORD, method="scrypt:32768:8:1")  # Werkzeug's default
    db.session.commit()
    assert _post_login(client, "owner@example.com", "wrong password").status_code == 401
    db.session.refresh(owner)
    assert owner.password_hash.startswith("scrypt:32768:8:1$")  # a wrong password changes nothing
    assert _post_login(client, "owner@example.com", PASSWORD).status_code == 302
    db.session.refresh(owner)
    assert owner.password_hash.startswith(client.application.config["PASSWORD_HASH_METHOD"] + "$")
    assert owner.check_password(PASSWORD)


def test_every_environment_but_the_tests_hashes_with_owasps_scrypt_setting():
    assert {config.PASSWORD_HASH_METHOD for config in (Config, DevelopmentConfig, ProductionConfig)} \
        == {"scrypt:8192:8:10"}
    assert TestConfig.PASSWORD_HASH_METHOD.startswith("scrypt:")  # the same code path, cheaper


def test_login_post_without_csrf_is_refused(client, owner):
    response = client.post("/login", data={"email": "owner@example.com", "password": PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_failed_attempts_on_one_account_are_limited_from_any_address(app_factory):
    app = app_factory(LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    with app.app_context():
        save_admin("owner@example.com", PASSWORD)
    client = app.test_client()
    for n in range(3):
        assert (
            _post_login(client, "owner@example.com", "guess", ip=f"10.0.0.{n}").status_code == 401
        )
    blocked = _post_login(client, "owner@example.com", PASSWORD, ip="10.0.0.99")
    assert blocked.status_code == 429
    assert "Too many log-in attempts" in blocked.get_data(as_text=True)
    # An unknown address is limited alike, so the limit tells nothing about who has an account.
    for _ in range(3):
        _post_login(client, "nobody@example.com", "guess", ip="10.0.1.1")
    assert _post_login(client, "nobody@example.com", "guess", ip="10.0.1.2").status_code == 429
    assert _post_login(client, "other@example.com", "guess", ip="10.0.0.99").status_code == 401


def test_successful_log_ins_do_not_use_up_the_account_limit(app_factory):
    app = app_factory(LOGIN_LIMIT_PER_ACCOUNT="2 per minute")
    with app.app_context():
        save_admin("owner@example.com", PASSWORD)
    for _ in range(4):
        assert _post_login(app.test_client(), "owner@example.com", PASSWORD).status_code == 302


def test_attempts_from_one_address_are_limited(app_factory):
    app = app_factory(LOGIN_LIMIT_PER_IP="3 per minute")
    client = app.test_client()
    for n in range(3):
        assert (
            _post_login(client, f"user{n}@example.com", "guess", ip="10.9.9.9").status_code == 401
        )
    assert _post_login(client, "user9@example.com", "guess", ip="10.9.9.9").status_code == 429
    assert _post_login(client, "user9@example.com", "guess", ip="10.9.9.8").status_code == 401
    assert client.get("/login", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200
