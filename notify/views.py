"""Pages that mail links open: moderation, confirming, unsubscribing, managing subscriptions.

Every link is signed; a GET only shows what the button will do, and the button POSTs.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from blog.models import Post
from blog.moderation import MOVES
from core.i18n import gettext as _
from extensions import csrf, db
from notify import bp, services
from notify.forms import (
    COMMENT_DELIVERY_CHOICES,
    POST_DELIVERY_CHOICES,
    ActionForm,
    CancelSubscriptionForm,
    delivery_word,
)
from notify.links import subscription_refs
from notify.tokens import CONFIRM_MAX_AGE, MODERATION_MAX_AGE, BadLink, read_token

bp.add_app_template_global(COMMENT_DELIVERY_CHOICES, "comment_delivery_choices")
bp.add_app_template_global(POST_DELIVERY_CHOICES, "post_delivery_choices")
bp.add_app_template_global(delivery_word)


def _message(title: str, message: str, status: int = 200):
    return render_template("notify/message.html", title=title, message=message), status


@bp.errorhandler(BadLink)
def _bad_link(error: BadLink):
    return _message(_("This link cannot be used"), str(error), error.status)


@bp.route("/moderate/<token>", methods=["GET", "POST"])
def moderate(token: str):
    """Approve, spam or trash a comment from an owner's mail link, after a confirmation button."""
    link = read_token("moderate", token, MODERATION_MAX_AGE)
    comment = services.comment_named_by(link)
    if comment is None or link.get("action") not in MOVES:
        return _message(_("Comment not found"), _("That comment no longer exists."), 404)
    if services.moderation_needs_login(link) and not services.may_moderate(current_user, comment):
        return _message(_("Log-in needed"), _("Log in as someone who may moderate this comment."), 403)
    post = db.session.get(Post, comment.post_id)
    form = ActionForm()
    if form.validate_on_submit():
        changed = services.moderate_from_link(comment, link, current_user)
        db.session.commit()
        return render_template(
            "notify/moderated.html",
            comment=comment,
            changed=changed,
            action=link["action"],
            comment_post=post,
        )
    return render_template(
        "notify/moderate.html", form=form, comment=comment, action=link["action"], comment_post=post
    )


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Confirm a guest's subscriptions (double opt-in) with the button the mail's link opens."""
    link = read_token("confirm", token, CONFIRM_MAX_AGE)
    refs = subscription_refs(link)
    form = ActionForm()
    if form.validate_on_submit():
        confirmed = services.confirm_subscriptions(refs, link["email"])
        db.session.commit()
        if not confirmed:
            return _message(_("Nothing to confirm"), _("These subscriptions were cancelled."), 410)
        return render_template(
            "notify/confirmed.html",
            email=link["email"],
            subscriptions=confirmed,
            posts=services.posts_by_id(confirmed),
        )
    return render_template("notify/confirm.html", form=form, email=link["email"])


# One-click unsubscribe (RFC 8058): mail providers POST here without cookies, so there is no
# CSRF token to check; the signed token in the URL is itself the proof that cannot be forged.
@csrf.exempt
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Cancel the subscriptions a mail's unsubscribe link names; GET shows the button."""
    refs = subscription_refs(read_token("unsubscribe", token))
    form = ActionForm()
    if form.is_submitted():
        services.unsubscribe(refs)
        db.session.commit()
        return _message(_("Unsubscribed"), _("You will get no more mail from this subscription."))
    return render_template("notify/unsubscribe.html", form=form)


@bp.get("/subscriptions/<token>")
def manage(token: str):
    """List a subscriber's subscriptions, each with a cancel button; the signed link is the key."""
    email = read_token("manage", token)["email"]
    subscriptions = services.subscriptions_of(email)
    return render_template(
        "notify/manage.html",
        email=email,
        token=token,
        subscriptions=subscriptions,
        posts=services.posts_by_id(subscriptions),
        form=CancelSubscriptionForm(),
    )


@bp.post("/subscriptions/<token>/cancel")
def cancel(token: str):
    """Cancel one subscription from the manage page."""
    email = read_token("manage", token)["email"]
    form = CancelSubscriptionForm()
    if not form.validate_on_submit():
        abort(400)
    if services.cancel_subscription(email, form.subscription_id.data):
        db.session.commit()
        flash(_("Subscription cancelled."), "success")
    else:
        flash(_("That subscription was already cancelled."), "info")
    return redirect(url_for("notify.manage", token=token))
