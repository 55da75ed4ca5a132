"""The administrator's own account: when its sessions last ended, and ending them all (bp guard)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from admin import bp
from auth import services
from auth.forms import LogOutEverywhereForm


@bp.get("/account")
def account():
    """When and why this account's sessions last ended, and the button that ends them."""
    return render_template("admin/account.html", form=LogOutEverywhereForm(), user=current_user)


@bp.post("/account/log-out-everywhere")
def log_out_everywhere():
    """End every session and remember cookie of this account; this browser gets a new session."""
    if not LogOutEverywhereForm().validate_on_submit():
        abort(400)
    services.log_out_everywhere(current_user._get_current_object())
    flash("Every other session has ended; this browser stays logged in.", "success")
    return redirect(url_for("admin.account"), 303)
