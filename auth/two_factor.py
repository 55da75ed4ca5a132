"""Two-factor log-in: TOTP codes from an authenticator app (RFC 6238) and single-use recovery codes.

A user has two-factor on once they proved their app holds the secret (`totp_enabled_at`). After
their password or provider, the log-in waits in the session for the second step, for a few minutes.
"""

import hashlib
import secrets
import time
from base64 import b32encode
from typing import NamedTuple

import pyotp
import sqlalchemy as sa
from flask import current_app, session
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from auth.models import RecoveryCode, User
from auth.services import IDENTITY_KEY, start_session
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db

DRIFT_STEPS = 1  # also the code before and after this one: phone clocks run a little fast or slow
RECOVERY_CODE_COUNT = 10
SECOND_STEP_SECONDS = 300  # an abandoned second step expires
PENDING_KEY = "two_factor_pending"


class CodeForm(FlaskForm):
    code = StringField(
        _l("Authentication code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=64, message=_l("That is not a code."))],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Verify"))


def is_on(user: User) -> bool:
    """Whether this user logs in with a second step."""
    return user.totp_enabled_at is not None and bool(user.totp_secret)


# Enrolment: a secret waits on the user until a code from their app confirms it.


def start_enrolment(user: User) -> None:
    """Give `user` a new secret to scan (two-factor stays off until confirmed); the caller commits."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None


def provisioning_uri(user: User) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    totp = pyotp.TOTP(user.totp_secret)
    return totp.provisioning_uri(name=user.email or user.display_name, issuer_name=current_app.config["BLOG_TITLE"])


def qr_code_svg(text: str) -> Markup:
    """`text` as a QR code in an inline SVG, drawn here: no image service sees the secret."""
    # Imported here: qrcode loads lxml, which a worker otherwise never needs for serving pages.
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(text, image_factory=SvgPathImage, box_size=8, border=2)
    svg = image.get_image()
    svg.attrib.pop("width")
    svg.attrib.pop("height")
    svg.set("class", "qr-code")
    svg.set("role", "img")
    svg.set("aria-label", _("QR code for your authenticator app"))
    return Markup(image.to_string(encoding="unicode"))


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Turn two-factor on when `code` comes from the new secret; returns the recovery codes to show
    once, or None. The caller commits."""
    if not user.totp_secret or is_on(user) or not _accept_totp(user, code):
        return None
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(user)


def turn_off(user: User) -> None:
    """Forget the secret and the recovery codes; the caller commits."""
    user.totp_secret = None
    user.totp_enabled_at = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; only their hashes are kept. The caller commits."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # 80 random bits each: an unsalted hash of so large a space cannot be reversed by guessing.
    codes = [b32encode(secrets.token_bytes(10)).decode().lower() for _code in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return ["-".join(code[i : i + 4] for i in range(0, len(code), 4)) for code in codes]


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# Checking a code


def accept(user: User, code: str) -> bool:
    """Whether `code` proves the second factor: a current app code not used before, or an unused
    recovery code, which is used up. The caller commits."""
    if not is_on(user):
        return False
    if _normalized(code).isdigit():
        return _accept_totp(user, code)
    return _use_recovery_code(user, code)


def _accept_totp(user: User, code: str) -> bool:
    try:
        step = pyotp.TOTP(user.totp_secret).verify_and_get_timecode(_normalized(code), valid_window=DRIFT_STEPS)
    except pyotp.exceptions.OTPVerificationError:
        return False
    # A code is good once: its time step must be newer than the last one accepted, in any browser.
    # One conditional UPDATE, so two requests racing with the same code cannot both use it.
    newer = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return newer.rowcount == 1


def _use_recovery_code(user: User, code: str) -> bool:
    # One UPDATE, so two requests racing with the same code cannot both use it.
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return used.rowcount == 1


def _normalized(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _hash(code: str) -> str:
    return hashlib.sha256(_normalized(code).encode()).hexdigest()


def proves_identity(user: User, proof: str) -> bool:
    """A current app code, or the account's password: what turning two-factor off asks for."""
    if _normalized(proof).isdigit() and _accept_totp(user, proof):
        return True
    return user.check_password(proof)


# The log-in that waits for its second step


class PendingLogin(NamedTuple):
    user: User
    remember: bool
    identity_id: int | None  # the provider identity of a social log-in


def await_second_step(user: User, remember: bool = False, identity_id: int | None = None) -> None:
    """Keep the log-in of `user` waiting in this session for the second step (not logged in yet);
    where it then lands travels in the second step's `next`, as in the log-in form's."""
    session[PENDING_KEY] = {"user": user.id, "remember": remember, "identity": identity_id,
                            "started": int(time.time())}


def pending_login() -> PendingLogin | None:
    """The log-in waiting for its second step in this session, unless it expired."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    user = db.session.get(User, pending.get("user", 0))
    if time.time() - pending.get("started", 0) > SECOND_STEP_SECONDS or user is None or not is_on(user):
        session.pop(PENDING_KEY)
        return None
    return PendingLogin(user, pending["remember"], pending["identity"])


def pending_user_id() -> int | None:
    """The id of the account waiting at the second step (for its rate limits), without a query."""
    pending = session.get(PENDING_KEY)
    return pending.get("user") if isinstance(pending, dict) else None


def complete_second_step(pending: PendingLogin) -> None:
    """Log the waiting user in on a new session."""
    start_session(pending.user, remember=pending.remember)
    if pending.identity_id is not None:
        session[IDENTITY_KEY] = pending.identity_id
