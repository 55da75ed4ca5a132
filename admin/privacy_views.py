"""The Privacy screen: readers' data requests by status, and the owner's own export or erasure for
an address (each a request with source "admin"). Administrators only (MANAGE_OPTIONS)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from admin import bp, requires
from admin.stored_labels import PRIVACY_OUTCOME
from auth.roles import MANAGE_OPTIONS
from core.i18n import gettext as _
from extensions import db
from notify.mailer import normalize_email
from privacy import personal_data, requests
from privacy.forms import AdminPrivacyForm
from privacy.models import REQUEST_STATUSES
from privacy.views import data_response


def _screen(form: AdminPrivacyForm, status: int = 200):
    lists = {name: requests.requests_by_status(name) for name in REQUEST_STATUSES}
    return render_template("admin/privacy.html", form=form, lists=lists), status


@bp.get("/privacy")
@requires(MANAGE_OPTIONS)
def privacy():
    """Readers' requests (pending, confirmed, done) and the form to run one for an address."""
    return _screen(AdminPrivacyForm())


@bp.post("/privacy")
@requires(MANAGE_OPTIONS)
def privacy_run():
    """Run an export (a download) or a confirmed erasure for an address, as the owner."""
    form = AdminPrivacyForm()
    if not form.validate_on_submit():
        return _screen(form, 400)
    email, admin = normalize_email(form.email.data), current_user._get_current_object()
    request_row = requests.run_by_admin(email, form.kind.data, form.erase_text.data, admin)
    db.session.commit()
    if form.kind.data == "export":
        response = data_response(email, personal_data.account_ids(email), "json")
        response.headers["Cache-Control"] = "no-store"
        return response
    flash(_("Privacy request %(id)s: %(outcome)s.", id=request_row.id, outcome=PRIVACY_OUTCOME(request_row.outcome)),
          "success")
    return redirect(url_for("admin.privacy"), 303)
