"""Two-factor log-in on one's own account: set it up with an authenticator app, new recovery codes,
turning it off. For every account that may open the admin."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from admin import bp, requires
from admin.security_views import two_factor_required
from auth import throttle, two_factor
from auth.roles import ACCESS_ADMIN
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db, limiter

NOT_PROVEN = _l("That is neither a current code from your app nor your password.")
STILL_REQUIRED = _l("This blog requires two-factor authentication for Administrators, so it stays on.")


class ActionForm(FlaskForm):
    submit = SubmitField()


class ProofForm(FlaskForm):
    """What changing two-factor asks for: a code from the app, or the password."""

    proof = PasswordField(
        _l("A current code from your app, or your password"),
        validators=[DataRequired(_l("Enter a code or your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField()


def _limit_proofs(view):
    """Wrong codes and passwords here count as log-in failures do, per account."""
    return limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_CLIENT"],
        key_func=lambda: f"two-factor-proof:{current_user.id}",
        deduct_when=throttle.failed,
        error_message=lambda: _("Too many wrong codes or passwords. Please wait a few minutes and try again."),
    )(view)


def _me():
    return current_user._get_current_object()


def _screen(code_form=None, off_form=None, codes_form=None, status: int = 200):
    """The two-factor screen in its current state, with the forms given (fresh ones otherwise)."""
    user = _me()
    on = two_factor.is_on(user)
    enrolling = bool(user.totp_secret) and not on
    return render_template(
        "admin/two_factor.html",
        on=on,
        enrolling=enrolling,
        qr_code=two_factor.qr_code_svg(two_factor.provisioning_uri(user)) if enrolling else None,
        secret=user.totp_secret if enrolling else None,
        codes_left=two_factor.recovery_codes_left(user) if on else 0,
        required=two_factor_required(user),
        start_form=ActionForm(prefix="start"),
        code_form=code_form or two_factor.CodeForm(prefix="confirm"),
        off_form=off_form or ProofForm(prefix="off"),
        codes_form=codes_form or ProofForm(prefix="codes"),
    ), status


def _codes_shown_once(codes: list[str]):
    return render_template("admin/two_factor_codes.html", codes=codes)


@bp.get("/profile/two-factor", endpoint="two_factor")
@requires(ACCESS_ADMIN)
def two_factor_screen():
    """Whether two-factor is on for one's account, and setting it up, renewing codes or turning it off."""
    return _screen()


@bp.post("/profile/two-factor/start", endpoint="two_factor_start")
@requires(ACCESS_ADMIN)
def two_factor_start():
    """Make a new secret to scan; two-factor turns on only once a code from it is entered."""
    if two_factor.is_on(_me()) or not ActionForm(prefix="start").validate_on_submit():
        return _screen(status=400)
    two_factor.start_enrolment(_me())
    db.session.commit()
    return redirect(url_for("admin.two_factor"), 303)


@bp.post("/profile/two-factor/confirm", endpoint="two_factor_confirm")
@requires(ACCESS_ADMIN)
def two_factor_confirm():
    """Turn two-factor on with a code from the new secret; shows the recovery codes, this once."""
    form = two_factor.CodeForm(prefix="confirm")
    if not form.validate_on_submit():
        return _screen(code_form=form, status=400)
    codes = two_factor.confirm_enrolment(_me(), form.code.data)
    if codes is None:
        form.code.errors.append(_("That code is not right. Check your app shows this blog's new entry, then try "
                                  "again."))
        return _screen(code_form=form, status=400)
    db.session.commit()
    flash(_("Two-factor authentication is on."), "success")
    return _codes_shown_once(codes)


@bp.post("/profile/two-factor/recovery-codes", endpoint="two_factor_codes")
@requires(ACCESS_ADMIN)
@_limit_proofs
def two_factor_codes():
    """Replace the recovery codes with ten new ones (shown this once); the old ones stop working."""
    form = ProofForm(prefix="codes")
    if not two_factor.is_on(_me()) or not form.validate_on_submit():
        return _screen(codes_form=form, status=400)
    if not two_factor.proves_identity(_me(), form.proof.data):
        form.proof.errors.append(str(NOT_PROVEN))
        return _screen(codes_form=form, status=401)
    codes = two_factor.new_recovery_codes(_me())
    db.session.commit()
    flash(_("New recovery codes made: the old ones no longer work."), "success")
    return _codes_shown_once(codes)


@bp.post("/profile/two-factor/off", endpoint="two_factor_off")
@requires(ACCESS_ADMIN)
@_limit_proofs
def two_factor_off():
    """Turn two-factor off (not while the blog requires it of this account)."""
    form = ProofForm(prefix="off")
    if not form.validate_on_submit():
        return _screen(off_form=form, status=400)
    if two_factor_required(_me()):
        form.proof.errors.append(str(STILL_REQUIRED))
        return _screen(off_form=form, status=403)
    if not two_factor.proves_identity(_me(), form.proof.data):
        form.proof.errors.append(str(NOT_PROVEN))
        return _screen(off_form=form, status=401)
    two_factor.turn_off(_me())
    db.session.commit()
    flash(_("Two-factor authentication is off: your password alone logs you in."), "success")
    return redirect(url_for("admin.two_factor"), 303)
