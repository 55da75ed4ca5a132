"""The commenter page: one comment's author on the ladder (blog.spam.standings), reachable from any
of their comments. The ladder holds for the whole blog, so it needs MODERATE_COMMENTS."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp, requires
from admin.commenter_forms import LEVEL_NAMES, StandingForm, until_day
from auth.models import User
from auth.roles import MODERATE_COMMENTS
from blog.models import Comment
from blog.spam.models import STANDING_KINDS
from blog.spam.standings import (
    Commenter,
    comments_by_author,
    histories_for,
    history_of,
    set_standing,
    standings_of,
    suspension_end,
)
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db

KIND_NAMES = {"account": _l("Account"), "email": _l("Email"), "ip": _l("IP address")}


@bp.route("/comments/<int:comment_id>/commenter", methods=["GET", "POST"])
@requires(MODERATE_COMMENTS)
def commenter(comment_id: int):
    """Show a comment's author with their history and rungs, and put any of their keys on a rung."""
    comment = db.get_or_404(Comment, comment_id)
    who = Commenter.of(comment)
    current = standings_of(who)
    forms = _forms(who, current)
    kind, sent = next(((kind, form) for kind, form in forms.items() if form.submit.data), (None, None))
    if request.method == "POST" and sent is None:
        abort(400, description=_("Choose the account, email or IP address to act on."))
    if sent is not None and sent.validate():
        level = sent.level.data or None
        set_standing(kind, who.keys[kind], level, sent.until_moment(), sent.note.data or "",
                     current_user._get_current_object())
        db.session.commit()
        flash(_("%(kind)s %(key)s: %(rung)s.", kind=KIND_NAMES[kind], key=who.keys[kind],
                rung=str(LEVEL_NAMES[level or "none"]).lower()), "success")
        return redirect(url_for("admin.commenter", comment_id=comment_id), 303)
    return render_template(
        "admin/commenter.html", comment=comment, who=who, current=current, forms=forms,
        account=db.session.get(User, comment.user_id) if comment.user_id else None,
        history=histories_for([comment])[comment.id], comments=comments_by_author(comment),
        actions=history_of(who), kind_names=KIND_NAMES, level_names=LEVEL_NAMES, now=utcnow(),
        suspension_end=suspension_end), 400 if sent is not None else 200


def _forms(who: Commenter, current: dict) -> dict[str, StandingForm]:
    """A form per key the commenter has; the one sent reads the request, the others show the rungs."""
    forms = {}
    for kind in (k for k in STANDING_KINDS if k in who.keys):
        standing = current.get(kind)
        form = StandingForm(prefix=kind)
        if not form.submit.data:
            form = StandingForm(formdata=None, prefix=kind, level=standing.level if standing else "",
                                until=until_day(standing.until) if standing else None,
                                note=standing.note if standing else "")
        forms[kind] = form
    return forms
