"""Mentions & fediverse: the blog's followers, the Webmentions it received and sent, its deliveries
to fediverse inboxes with Retry on the failed ones (for comment moderators), and the federation
settings (Administrators only)."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from activitypub.models import Activity, Delivery, Follower
from admin import bp, requires
from admin.federation_forms import FederationSettingsForm, RetryForm
from admin.forms import safe_next
from auth.roles import MANAGE_OPTIONS, MODERATE_COMMENTS
from blog.models import Post
from blog.settings import get_settings, save_settings
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db
from webmention.models import Webmention

PER_PAGE = 50
MAX_PAGE = 100_000  # past any real list: keeps the offset a small number for the database
TABS = {"followers": _l("Followers"), "received": _l("Received mentions"), "sent": _l("Sent mentions"),
        "deliveries": _l("Deliveries")}
RETRYABLE = {"webmention": (Webmention, ("failed", "rejected")), "delivery": (Delivery, ("failed",))}


@bp.get("/federation")
@requires(MODERATE_COMMENTS)
def federation():
    """The Mentions & fediverse screen, one list (tab) at a time, newest first, 50 a page."""
    form = FederationSettingsForm(data=get_settings()) if current_user.can(MANAGE_OPTIONS) else None
    return _screen(form)


@bp.post("/federation/settings")
@requires(MANAGE_OPTIONS)
def federation_settings():
    """Save whether Webmention and ActivityPub are on and the blocked domains; Administrators only."""
    form = FederationSettingsForm()
    if not form.validate_on_submit():
        return _screen(form), 400
    save_settings(form.values())
    db.session.commit()
    flash(_("Settings saved."), "success")
    return redirect(url_for("admin.federation"), 303)


@bp.post("/federation/retry/<kind>/<int:item_id>")
@requires(MODERATE_COMMENTS)
def federation_retry(kind: str, item_id: int):
    """Queue a failed Webmention ("webmention") or delivery ("delivery") again, due now, with its
    attempts reset."""
    form = RetryForm()
    if kind not in RETRYABLE:
        abort(404)
    model, retryable = RETRYABLE[kind]
    row = db.get_or_404(model, item_id)
    back = safe_next(form.next.data, url_for("admin.federation"))
    if row.status not in retryable:
        flash(_("Only a failed row can be retried."), "error")
        return redirect(back, 303)
    row.status, row.attempts, row.next_attempt_at, row.last_error = "queued", 0, utcnow(), ""
    db.session.commit()
    flash(_("Queued again: the worker retries it on its next pass."), "success")
    return redirect(back, 303)


def fediverse_handle() -> str:
    """The blog's handle readers follow it by: @<ACTIVITYPUB_USERNAME>@<SITE_URL's host[:port]>."""
    host = urlsplit(current_app.config["SITE_URL"]).netloc.rpartition("@")[2]
    return f"@{current_app.config['ACTIVITYPUB_USERNAME']}@{host}"


def _screen(form: FederationSettingsForm | None):
    """The screen with the tab the query string names, and the settings form (None: not shown)."""
    tab = request.args.get("tab", "followers")
    if tab not in TABS:
        abort(404)
    failed_only = tab in ("sent", "deliveries") and request.args.get("show") == "failed"
    page = db.paginate(_list_query(tab, failed_only), page=min(max(request.args.get("paged", 1, type=int), 1),
                                                                 MAX_PAGE), per_page=PER_PAGE, error_out=False)
    return render_template("admin/federation.html", tab=tab, tabs=TABS, counts=_counts(), page=page,
                           failed_only=failed_only, extras=_extras(tab, page.items), form=form,
                           handle=fediverse_handle(),
                           here=request.full_path.rstrip("?"))


def _list_query(tab: str, failed_only: bool) -> sa.Select:
    """One tab's rows, newest first (a tab of failures: those alone)."""
    if tab == "followers":
        return sa.select(Follower).order_by(Follower.created_at.desc(), Follower.id.desc())
    if tab == "deliveries":
        query = sa.select(Delivery).order_by(Delivery.id.desc())
        return query.where(Delivery.status == "failed") if failed_only else query
    query = sa.select(Webmention).where(Webmention.direction == tab).order_by(Webmention.id.desc())
    return query.where(Webmention.status == "failed") if failed_only else query


def _counts() -> dict[str, int]:
    """Each tab's row count and the failed ones', in one statement."""
    def count(model, *where):
        return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()

    row = db.session.execute(sa.select(
        count(Follower).label("followers"),
        count(Webmention, Webmention.direction == "received").label("received"),
        count(Webmention, Webmention.direction == "sent").label("sent"),
        count(Delivery).label("deliveries"),
        count(Webmention, Webmention.direction == "sent", Webmention.status == "failed").label("sent_failed"),
        count(Delivery, Delivery.status == "failed").label("deliveries_failed"))).one()
    return row._asdict()


def _extras(tab: str, items: list) -> dict[int, object]:
    """What the rows name, read in one query: a mention's post (title), a delivery's activity (type)."""
    if tab == "received":
        ids = {m.post_id for m in items if m.post_id is not None}
        query = sa.select(Post.id, Post.title).where(Post.id.in_(ids))
    elif tab == "deliveries":
        ids = {d.activity_id for d in items}
        query = sa.select(Activity.id, Activity.type).where(Activity.id.in_(ids))
    else:
        return {}
    return dict(db.session.execute(query).all()) if ids else {}
