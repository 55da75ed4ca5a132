"""Signed links for mails: tamper-proof, optionally expiring, optionally single-use."""

import secrets

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core.dbtypes import insert_or_ignore, utcnow
from core.i18n import gettext as _
from extensions import db
from notify.models import UsedToken

MODERATION_MAX_AGE = 7 * 24 * 3600
CONFIRM_MAX_AGE = 7 * 24 * 3600


class BadLink(Exception):
    """A link that cannot be honoured; the message is shown to the reader with this status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def new_token_id() -> str:
    """An id for single-use tokens; several links of one mail may share it, spending all at once."""
    return secrets.token_urlsafe(16)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # The purpose is the salt, so a token made for one kind of link is refused by every other.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"notify.{purpose}")


def make_token(purpose: str, data: dict, *, single_use: bool = False) -> str:
    """Sign data for a link; single-use tokens carry an id that spend_token records."""
    if single_use and "jti" not in data:
        data = {**data, "jti": new_token_id()}
    return _serializer(purpose).dumps(data)


def read_token(purpose: str, token: str, max_age: int | None = None) -> dict:
    """The signed data, or BadLink when the link was altered, has expired or was spent."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadLink(_("This link has expired."), 410) from None
    except BadSignature:
        raise BadLink(_("This link is not valid.")) from None
    if not isinstance(data, dict):
        raise BadLink(_("This link is not valid."))
    if "jti" in data and is_spent(data):
        raise BadLink(_("This link has already been used."), 410)
    return data


def is_spent(data: dict) -> bool:
    query = sa.select(UsedToken.token_id).where(UsedToken.token_id == data["jti"])
    return db.session.scalar(query) is not None


def spend_token(data: dict) -> None:
    """Record a single-use token as used, in the caller's transaction.

    The insert is atomic, so of two concurrent uses only one succeeds.
    """
    if not insert_or_ignore(UsedToken, token_id=data["jti"], used_at=utcnow()):
        raise BadLink(_("This link has already been used."), 410)
