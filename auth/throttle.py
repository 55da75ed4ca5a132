"""Password-guessing limits that a stranger cannot turn against the owner.

Failed log-ins count per (account, client) under a tight limit and per account under a much
higher ceiling. A browser that logged in to the account before carries a signed "known device"
cookie: it is counted on its own (a stolen one still gets few guesses) and never against the
account's ceiling, so strangers using that ceiling up do not lock the owner out.
"""

import secrets

import sqlalchemy as sa
from flask import Response, current_app, g, request, url_for
from flask_limiter.util import get_remote_address
from itsdangerous import BadData, URLSafeTimedSerializer

from auth.models import User
from auth.two_factor import pending_user_id
from extensions import db

KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_DAYS = 365


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def attempted_email() -> str:
    # Read before the view runs, so from the raw form: the limits apply to the attempted
    # account whether or not it exists (so they reveal nothing about who has one).
    return request.form.get("email", "").strip().lower()[:254]


def account_key() -> str:
    return "login-account:" + attempted_email()


def account_client_key() -> str:
    device = known_device()
    if device:
        return "login-device:" + device
    return f"login-account-ip:{get_remote_address()}:{attempted_email()}"


def failed(response: Response) -> bool:
    return response.status_code in (400, 401)


def known_device() -> str | None:
    """This browser's device id when it logged in before to the account the form names."""
    if "known_device" not in g:
        g.known_device = _known_device_for_attempt()
    return g.known_device


def _known_device_for_attempt() -> str | None:
    if _cookie_payload() is None or not attempted_email():
        return None
    owner_id = db.session.scalar(
        sa.select(User.id)
        .where(sa.func.lower(User.email) == attempted_email(), User.password_hash.is_not(None))
        .order_by(User.id)
        .limit(1)
    )
    return _device_of(owner_id)


def _device_of(user_id: int | None) -> str | None:
    payload = _cookie_payload()
    return payload["device"] if payload is not None and user_id is not None and payload["user"] == user_id else None


# The second log-in step (auth.two_factor) is limited as the password is, for the account waiting at it.


def second_step_account_key() -> str:
    return f"two-factor-account:{pending_user_id()}"


def second_step_client_key() -> str:
    device = _device_of(pending_user_id())
    if device:
        return "two-factor-device:" + device
    return f"two-factor-account-ip:{get_remote_address()}:{pending_user_id()}"


def second_step_known_device() -> bool:
    return _device_of(pending_user_id()) is not None


def _cookie_payload() -> dict | None:
    raw = request.cookies.get(KNOWN_DEVICE_COOKIE)
    if not raw:
        return None
    try:
        payload = _serializer().loads(raw, max_age=KNOWN_DEVICE_DAYS * 86400)
    except BadData:
        return None
    valid = isinstance(payload, dict) and isinstance(payload.get("device"), str)
    return payload if valid and isinstance(payload.get("user"), int) else None


def remember_device(response: Response, user: User) -> None:
    """Mark this browser as one that logged in to `user` (sent back to the log-in page only)."""
    payload = _cookie_payload()
    same_user = payload is not None and payload["user"] == user.id
    device = payload["device"] if same_user else secrets.token_urlsafe(16)
    response.set_cookie(
        KNOWN_DEVICE_COOKIE,
        _serializer().dumps({"user": user.id, "device": device}),
        max_age=KNOWN_DEVICE_DAYS * 86400,
        path=url_for("auth.login"),
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
