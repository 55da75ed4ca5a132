"""Log-in rules: owner accounts, social identities and who is an administrator.

The round trip to a social provider lives in auth/social.py, loaded only when one is used.
"""

import functools
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Response, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from auth.accounts import find_by_email
from auth.models import Identity, User, password_method
from auth.profiles import Profile
from auth.roles import ACCESS_ADMIN, ADMINISTRATOR
from core.dbtypes import utcnow
from core.i18n import lazy_gettext as _l
from extensions import db

IDENTITY_KEY = "identity_id"
NEXT_KEY = "auth_next"
PROVIDER_PAGE_KEY = "auth_provider_page"  # the provider page the continue page goes to, once
DEMO_ADMIN_EMAIL = "demo-admin@example.com"
# Why all of an account's sessions ended: the value stored with them, and its words for a person.
REVOKED_BY_LOGOUT = "logged out"
REVOKED_BY_PASSWORD = "password changed"
REVOKED_BY_OWNER = "logged out everywhere"
REVOKED_BY_ACCEPTING = "invitation accepted"
REVOKED_REASON_LABELS = {
    REVOKED_BY_LOGOUT: _l("logged out"),
    REVOKED_BY_PASSWORD: _l("password changed"),
    REVOKED_BY_OWNER: _l("logged out everywhere"),
    REVOKED_BY_ACCEPTING: _l("invitation accepted"),
}


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so both failures cost the same time."""
    return generate_password_hash(secrets.token_hex(8), method=method)


def sessions_ended_reason(reason: str | None) -> str:
    """The stored reason an account's sessions all ended, in the reader's language (unknown: as stored)."""
    label = REVOKED_REASON_LABELS.get(reason or "")
    return str(label) if label is not None else reason or ""


def landing_for(user: User) -> str:
    """Where a log-in lands without a `next`: staff in the admin, everyone else on the home page."""
    return url_for("admin.dashboard") if user.can(ACCESS_ADMIN) else url_for("blog.index")


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


def pop_next() -> str:
    """Where the reader was before starting a social log-in (home when unknown)."""
    return safe_next(session.pop(NEXT_KEY, None))


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
        identity.user.role = ADMINISTRATOR
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


def start_session(user: User, remember: bool = False) -> None:
    """Log `user` in on a brand-new session (and CSRF secret), so no value planted before survives."""
    session.clear()  # the comment flow keeps nothing here: a guest's own comments are in a cookie
    login_user(user, remember=remember)


def log_out() -> None:
    """End the reader's session, whichever way they logged in, and every other one of theirs:
    the session token changes, so no copy of this session or of its remember cookie opens again."""
    if current_user.is_authenticated:
        current_user.end_all_sessions(REVOKED_BY_LOGOUT)
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it marks the remember cookie for deletion in the new session


def log_out_everywhere(user: User) -> None:
    """End every session of `user` but keep this browser logged in on a new one."""
    user.end_all_sessions(REVOKED_BY_OWNER)
    db.session.commit()
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    start_session(user, remember=remembered)


def authenticate(email: str, password: str) -> User | None:
    """The owner account with this email and password, or None (same cost either way)."""
    user = db.session.scalars(
        sa.select(User)
        .where(sa.func.lower(User.email) == email.strip().lower(), User.password_hash.is_not(None))
        .order_by(User.id)
    ).first()
    if user is None:
        check_password_hash(_dummy_hash(password_method()), password)
        return None
    if not user.check_password(password):
        return None
    if user.password_needs_rehash():  # made with older settings: store it under today's from now on
        user.set_password(password)
        db.session.commit()
    return user


def log_in_with_password(user: User, remember: bool) -> None:
    """Log an owner account in (no social identity attached to this session)."""
    start_session(user, remember=remember)


def save_admin(email: str, password: str) -> tuple[User, bool]:
    """Create the administrator with this email, or reset its password; returns (user, created)."""
    email = email.strip()
    user = find_by_email(email)  # an invitee's account too: one account per address
    created = user is None
    if created:
        user = User(email=email, display_name=email.split("@")[0])
        db.session.add(user)
    user.role = ADMINISTRATOR
    user.set_password(password)
    if not created:
        user.end_all_sessions(REVOKED_BY_PASSWORD)
    db.session.commit()
    return user, created


def create_demo_admin() -> tuple[str, str] | None:
    """Make a demo administrator when the blog has none; returns (email, password) or None."""
    if db.session.scalar(sa.select(User.id).where(User.role == ADMINISTRATOR).limit(1)):
        return None
    password = secrets.token_urlsafe(12)
    save_admin(DEMO_ADMIN_EMAIL, password)
    return DEMO_ADMIN_EMAIL, password


def via_continue_page(log_in_url: str, provider_name: str) -> Response:
    """Send a form's submission on to a log-in with a provider through a page of ours.

    The CSP lets forms send only to this site, and browsers hold every redirect of a submission to
    that too: the provider's page must be a new navigation (auth.continue_to_provider), not a
    redirect of the form's.
    """
    session[PROVIDER_PAGE_KEY] = log_in_url
    return redirect(url_for("auth.continue_to_provider", name=provider_name), 303)


def start_link(provider, user: User, back: str) -> Response:
    """Go through `provider`'s log-in to attach its account to `user`'s, coming back to `back`
    (the reason is flashed there when it cannot start); for a logged-in user's own form."""
    from auth import social  # Authlib loads at the first social log-in only

    try:
        to_provider = social.begin_link(provider, user, back, url_for("auth.callback", name=provider.name,
                                                                      _external=True))
    except social.LoginFailed as failure:
        flash(str(failure), "error")
        return redirect(back, 303)
    return via_continue_page(to_provider.headers["Location"], provider.name)
