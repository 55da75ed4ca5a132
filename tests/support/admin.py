"""Admin fixtures: administrators and readers, logged in the way Flask-Login itself records it."""

import pytest

from auth.models import User
from auth.roles import ADMINISTRATOR, ROLE_LABELS, SUBSCRIBER
from extensions import db
from tests.support.helpers import login_as, page_soup


def make_user(is_admin: bool, name: str, email: str, role: str | None = None) -> User:
    """An administrator or a subscriber, or a user with the given role."""
    role = role or (ADMINISTRATOR if is_admin else SUBSCRIBER)
    user = User(display_name=name, email=email, email_verified=True, role=role)
    db.session.add(user)
    db.session.commit()
    return user


def staff_user(role: str, name: str | None = None) -> User:
    """A user with this role (auth.roles), named after it unless `name` says otherwise."""
    name = name or f"Sam {ROLE_LABELS[role]}"
    return make_user(False, name, f"{name.lower().replace(' ', '.')}@example.com", role=role)


def client_as(app, user):
    """A test client logged in as `user`."""
    client = app.test_client()
    login_as(client, user)
    return client


def csrf_token_from(response) -> str:
    """The CSRF token a rendered page carries (the admin layout has it in a meta tag)."""
    soup = page_soup(response)
    meta = soup.select_one("meta[name=csrf-token]")
    if meta is not None:
        return meta["content"]
    return soup.select_one("input[name=csrf_token]")["value"]


@pytest.fixture
def admin_user(app) -> User:
    return make_user(True, "Blog Owner", "owner@example.com")


@pytest.fixture
def reader_user(app) -> User:
    return make_user(False, "Plain Reader", "reader@example.com")


@pytest.fixture
def admin_client(app, admin_user):
    client = app.test_client()
    login_as(client, admin_user)
    return client


@pytest.fixture
def admin_token(admin_client) -> str:
    return csrf_token_from(admin_client.get("/admin/"))


def admin_post(client, url: str, token: str, json: bool = False, **data):
    """POST an admin form as the browser would (with the token); as fetch does when json=True."""
    headers = {"Accept": "application/json"} if json else {}
    return client.post(url, data={"csrf_token": token, **data}, headers=headers)
