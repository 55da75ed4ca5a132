"""Log-in rules: social log-in, owner accounts and who is an administrator."""

import logging
import secrets
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import current_app, session
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from auth import providers
from auth.models import Identity, User
from auth.profiles import Profile
from dbtypes import utcnow
from extensions import db

log = logging.getLogger(__name__)

IDENTITY_KEY = "identity_id"
NEXT_KEY = "auth_next"
DEMO_ADMIN_EMAIL = "demo-admin@example.com"
# Checked against when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method="scrypt")


class LoginFailed(Exception):
    """A social log-in that did not complete; the message is for the reader."""


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` when it is a path on this site, else `default` (never another site)."""
    if not target or not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return default
    # Browsers drop tabs and newlines inside URLs and read a backslash as a slash.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def begin_login(provider: providers.Provider, next_url: str, redirect_uri: str):
    """Redirect response to the provider's consent page (state, nonce and PKCE kept in session)."""
    # One log-in in flight per browser: drop the state of abandoned attempts so the
    # session cookie cannot grow with every click (Authlib keys them "_state_<name>_<state>").
    for key in [k for k in session if k.startswith("_state_")]:
        session.pop(key)
    session[NEXT_KEY] = next_url
    try:
        return providers.get_client(provider.name).authorize_redirect(redirect_uri)
    except Exception as error:
        raise _failure(provider, error) from error


def pop_next() -> str:
    """Where the reader was before starting a social log-in (home when unknown)."""
    return safe_next(session.pop(NEXT_KEY, None))


def complete_login(provider: providers.Provider) -> Identity:
    """Finish the provider's callback: verify it, fetch the profile, log the reader in."""
    client = providers.get_client(provider.name)
    try:
        token = client.authorize_access_token(**_id_token_checks(provider, client))
        profile = provider.fetch_profile(client, token)
    except Exception as error:
        raise _failure(provider, error) from error
    identity = identity_for_profile(profile)
    login_user(identity.user)
    session[IDENTITY_KEY] = identity.id
    log.info("log-in with %s: user %s identity %s", provider.name, identity.user_id, identity.id)
    return identity


def _id_token_checks(provider: providers.Provider, client) -> dict:
    """Claims the ID token must carry. Authlib checks signature, expiry and nonce itself but
    the audience only when asked to, so both issuer and audience are required here."""
    if not provider.openid:
        return {}
    issuer = client.load_server_metadata()["issuer"]
    return {
        "claims_options": {
            "iss": {"essential": True, "values": [issuer]},
            "aud": {"essential": True, "values": [client.client_id]},
        }
    }


def _failure(provider: providers.Provider, error: Exception) -> LoginFailed:
    """The reader-facing message for a failed log-in; the cause goes to the log."""
    label = provider.label
    if isinstance(error, MismatchingStateError):
        message = f"That {label} log-in had expired or was already used. Please try again."
    elif isinstance(error, OAuthError) and error.error == "access_denied":
        message = f"You did not allow the log-in with {label}, so you are not logged in."
    elif isinstance(error, requests.Timeout):
        message = f"{label} did not answer in time. Please try again in a moment."
    elif isinstance(error, requests.ConnectionError):
        message = f"{label} could not be reached. Please try again later."
    elif isinstance(error, requests.HTTPError):
        message = f"{label} had a problem completing the log-in. Please try again later."
    elif isinstance(
        error,
        (
            AuthlibBaseError,
            requests.RequestException,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ),
    ):
        message = f"{label}'s answer could not be verified, so you are not logged in."
    else:
        raise error  # a bug of ours, not the provider's: let the 500 handler log it
    log.warning("log-in with %s failed: %s: %s", provider.name, type(error).__name__, error)
    return LoginFailed(message)


def identity_for_profile(profile: Profile) -> Identity:
    """The Identity (and User) for a provider profile, created on first log-in.

    Users are found by (provider, subject). A new identity joins an existing user only when
    both the provider and that user have a verified copy of the same email address.
    """
    identity = db.session.scalar(
        sa.select(Identity).filter_by(provider=profile.provider, subject=profile.subject)
    )
    if identity is None:
        user = _user_with_verified_email(profile.email) if profile.email_verified else None
        if user is None:
            user = User(
                display_name=profile.display_name,
                email=profile.email,
                email_verified=profile.email_verified,
                avatar_url=profile.avatar_url,
                profile_url=profile.profile_url,
            )
            db.session.add(user)
        identity = Identity(user=user, provider=profile.provider, subject=profile.subject)
        db.session.add(identity)
    identity.display_name = profile.display_name
    identity.email = profile.email
    identity.email_verified = profile.email_verified
    identity.avatar_url = profile.avatar_url
    identity.profile_url = profile.profile_url
    identity.last_login_at = utcnow()
    if profile.email_verified and is_admin_email(profile.email):
        identity.user.is_admin = True
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # The same first log-in finished twice at once: the other request created it.
        db.session.rollback()
        return db.session.scalars(
            sa.select(Identity).filter_by(provider=profile.provider, subject=profile.subject)
        ).one()
    return identity


def _user_with_verified_email(email: str | None) -> User | None:
    if not email:
        return None
    return db.session.scalars(
        sa.select(User)
        .where(sa.func.lower(User.email) == email.lower(), User.email_verified.is_(True))
        .order_by(User.id)
    ).first()


def is_admin_email(email: str | None) -> bool:
    """Whether ADMIN_EMAILS names this address (case-insensitive)."""
    listed = {e.strip().lower() for e in current_app.config.get("ADMIN_EMAILS", "").split(",")}
    return bool(email) and email.strip().lower() in listed - {""}


def current_identity() -> Identity | None:
    """The identity the current reader logged in with, or None (password log-in, anonymous)."""
    identity_id = session.get(IDENTITY_KEY)
    if not current_user.is_authenticated or not isinstance(identity_id, int):
        return None
    identity = db.session.get(Identity, identity_id)
    return identity if identity is not None and identity.user_id == current_user.id else None


def log_out() -> None:
    """End the reader's session, whichever way they logged in."""
    logout_user()
    session.pop(IDENTITY_KEY, None)


def authenticate(email: str, password: str) -> User | None:
    """The owner account with this email and password, or None (same cost either way)."""
    user = db.session.scalars(
        sa.select(User)
        .where(sa.func.lower(User.email) == email.strip().lower(), User.password_hash.is_not(None))
        .order_by(User.id)
    ).first()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


def log_in_with_password(user: User, remember: bool) -> None:
    """Log an owner account in (no social identity attached to this session)."""
    session.pop(IDENTITY_KEY, None)
    login_user(user, remember=remember)


def save_admin(email: str, password: str) -> tuple[User, bool]:
    """Create the administrator with this email, or reset its password; returns (user, created)."""
    email = email.strip()
    user = db.session.scalars(
        sa.select(User)
        .where(sa.func.lower(User.email) == email.lower(), User.password_hash.is_not(None))
        .order_by(User.id)
    ).first()
    created = user is None
    if created:
        user = User(email=email, display_name=email.split("@")[0])
        db.session.add(user)
    user.is_admin = True
    user.set_password(password)
    db.session.commit()
    return user, created


def create_demo_admin() -> tuple[str, str] | None:
    """Make a demo administrator when the blog has none; returns (email, password) or None."""
    if db.session.scalar(sa.select(User.id).where(User.is_admin.is_(True)).limit(1)):
        return None
    password = secrets.token_urlsafe(12)
    save_admin(DEMO_ADMIN_EMAIL, password)
    return DEMO_ADMIN_EMAIL, password
