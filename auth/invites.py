"""Invitations to join the staff: a signed, expiring link to an account that has no way in yet.

The link carries the account's id and a fingerprint of its session token and password hash, both of
which change when the invitation is accepted: a link works once. It expires after INVITE_EXPIRY_DAYS.
Opening it proves the invitee reads mail at the address, so accepting verifies the email.
"""

import hashlib

from flask import current_app, session
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from auth import accounts, services
from auth.models import User, new_session_token
from core.i18n import gettext as _
from extensions import db

SALT = "user-invite"


class InviteError(Exception):
    """An invitation link that cannot be used; `status` is the answer's HTTP status."""

    status = 400


class InviteExpired(InviteError):
    status = 410


class InviteUsed(InviteError):
    status = 410


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    seal = f"{user.session_token}:{user.password_hash or ''}"
    return hashlib.sha256(seal.encode()).hexdigest()[:32]


def invite(email: str, role: str, display_name: str | None = None) -> User:
    """The invitee's new account (role set, no password, email unverified); the caller commits."""
    return accounts.create_user(email, role, display_name=display_name)


def renew(user: User) -> None:
    """Void the links sent so far (a new session token), before a new one is mailed; the caller commits."""
    user.session_token = new_session_token()


def token_for(user: User) -> str:
    """The signed token of the invitation link; valid until accepted or expired."""
    return _serializer().dumps([user.id, _fingerprint(user)])


def invitee(token: str) -> User:
    """The account a valid, unused, unexpired invitation names, or InviteError saying why not."""
    max_age = current_app.config["INVITE_EXPIRY_DAYS"] * 86400
    try:
        user_id, fingerprint = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise InviteExpired(_("This invitation has expired. Ask the blog's owner to invite you again.")) from None
    except (BadSignature, ValueError, TypeError):
        raise InviteError(_("This invitation link is not valid. Check that you copied all of it.")) from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or fingerprint != _fingerprint(user):
        raise InviteUsed(_("This invitation was already used or withdrawn. Log in instead, or ask the "
                           "blog's owner for a new one."))
    return user


def accept_with_password(user: User, password: str) -> None:
    """The invitee's password is set and their email verified; this browser is logged in."""
    user.set_password(accounts.check_password(password))
    user.email_verified = True
    _log_in_once(user)


def verify_before_provider(user: User) -> None:
    """Opening the link proved the address: a provider log-in with the same verified address then
    joins this account (auth.services.identity_for_profile)."""
    user.email_verified = True
    db.session.commit()


def accept_linked(user: User) -> None:
    """The invitee came back logged in through a provider: the invitation is spent."""
    identity_id = session.get(services.IDENTITY_KEY)
    _log_in_once(user)
    if identity_id is not None:
        session[services.IDENTITY_KEY] = identity_id


def _log_in_once(user: User) -> None:
    user.end_all_sessions(services.REVOKED_BY_ACCEPTING)  # a new session token: the link stops working
    db.session.commit()
    services.start_session(user)
