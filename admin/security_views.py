"""Security settings: whether Administrators must log in with two-factor; and holding an Administrator
without it at the enrolment screen while that is required."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import ValidationError

from admin import bp, requires
from auth import two_factor
from auth.roles import ADMINISTRATOR, MANAGE_OPTIONS
from blog.settings import get_setting, get_settings, save_settings
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db

REQUIRED_KEY = "require_two_factor_for_admins"


class SecuritySettingsForm(FlaskForm):
    require_two_factor_for_admins = BooleanField(
        _l("Require two-factor authentication for Administrators"),
        description=_l("An Administrator without it is sent to set it up at their next visit to the admin, "
                       "and can open nothing else there until they have."),
    )

    def validate_require_two_factor_for_admins(self, field):
        if field.data and not two_factor.is_on(current_user):
            raise ValidationError(_("Set up two-factor authentication for your own account first, so that you "
                                    "are not locked out."))


def two_factor_required(user) -> bool:
    """Whether the blog requires this user to log in with two-factor (Administrators, when turned on)."""
    return user.role == ADMINISTRATOR and bool(get_setting(REQUIRED_KEY))


def enrolment_first(user, endpoint: str):
    """The guard's last step: an Administrator without two-factor, while it is required, may open only
    the enrolment screen (a redirect there); anyone else passes (None)."""
    if user.role != ADMINISTRATOR or two_factor.is_on(user) or endpoint.startswith("admin.two_factor"):
        return None
    if not two_factor_required(user):
        return None
    return redirect(url_for("admin.two_factor"), 303)


@bp.route("/settings/security", methods=["GET", "POST"], endpoint="security_settings")
@requires(MANAGE_OPTIONS)
def security_settings():
    """The blog's security settings; turning the two-factor requirement on needs it on one's own account."""
    form = SecuritySettingsForm(data=get_settings() if request.method == "GET" else None)
    if form.validate_on_submit():
        save_settings({REQUIRED_KEY: form.require_two_factor_for_admins.data})
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("admin.security_settings"), 303)
    enrolled = two_factor.is_on(current_user)
    return render_template("admin/security_settings.html", form=form, enrolled=enrolled), 400 if form.errors else 200
