"""People: accounts and the social identities that log them in."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from auth.roles import SUBSCRIBER, role_can
from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, utcnow
from extensions import db


def password_method() -> str:
    """How passwords are hashed (config.py's PASSWORD_HASH_METHOD); a hash made otherwise is redone
    at the next log-in."""
    return current_app.config["PASSWORD_HASH_METHOD"]


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = NEVER_REUSE_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(100), index=True)
    email_verified: Mapped[bool] = mapped_column(default=False)
    display_name: Mapped[str] = mapped_column(sa.String(250))
    login: Mapped[str | None] = mapped_column(sa.String(60), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # auth.roles: what the account may do; every reader who logs in to comment is a Subscriber.
    role: Mapped[str] = mapped_column(sa.String(20), default=SUBSCRIBER, server_default=SUBSCRIBER)
    # The public author slug (/author/<nicename>/), as WordPress's user_nicename; set for staff.
    nicename: Mapped[str | None] = mapped_column(sa.String(60), unique=True)
    bio: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    # Two-factor log-in (TOTP): the shared secret, and when the user proved their app holds it.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()  # the newest code accepted: none is good twice
    avatar_url: Mapped[str | None] = mapped_column(sa.String(500))
    profile_url: Mapped[str | None] = mapped_column(sa.String(500))
    # The admin's language for this person (core.i18n); None: the site's.
    language: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Flask-Login's alternative id: sessions and remember cookies carry it, so a new one ends them all.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    sessions_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sessions_revoked_reason: Mapped[str | None] = mapped_column(sa.String(60))

    identities: Mapped[list["Identity"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    recovery_codes: Mapped[list["RecoveryCode"]] = relationship(cascade="all, delete-orphan")

    def can(self, capability: str) -> bool:
        """Whether this user's role holds the capability (auth.roles)."""
        return role_can(self.role, capability)

    def get_id(self) -> str:
        """What sessions and remember cookies hold for this user (the session token, not the id)."""
        if self.session_token is None:
            self.session_token = new_session_token()
        return self.session_token

    def end_all_sessions(self, reason: str) -> None:
        """Invalidate every session and remember cookie of this user; the caller commits."""
        self.session_token = new_session_token()
        self.sessions_revoked_at = utcnow()
        self.sessions_revoked_reason = reason

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_method())

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def password_needs_rehash(self) -> bool:
        """Whether the stored hash was made with other settings than password_method()'s."""
        return not (self.password_hash or "").startswith(password_method() + "$")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.display_name!r}>"


class Identity(db.Model):
    """One account at a log-in provider; keyed on (provider, subject), never on email."""

    __tablename__ = "identities"
    __table_args__ = (sa.UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(250))
    email: Mapped[str | None] = mapped_column(sa.String(100))
    email_verified: Mapped[bool] = mapped_column(default=False)
    avatar_url: Mapped[str | None] = mapped_column(sa.String(500))
    profile_url: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="identities")


class RecoveryCode(db.Model):
    """One of a user's single-use two-factor recovery codes; only its hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
