"""The Users screen, as WordPress's users.php and user-new.php: list, invite, change role, remove.

Every view needs MANAGE_USERS; the rules (last Administrator, not oneself, who gets the posts) are
auth.accounts', which the `flask users` commands share.
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

from admin import bp, requires
from auth import accounts, invites
from auth.models import User
from auth.roles import EDIT_POSTS, MANAGE_USERS, ROLE_LABELS, SUBSCRIBER
from blog import authors
from core.clean_input import stripped
from core.i18n import gettext as _
from core.i18n import in_language
from core.i18n import lazy_gettext as _l
from extensions import db
from notify import mailer

USERS_PER_PAGE = 50
ROLE_CHOICES = list(ROLE_LABELS.items())


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[stripped], validators=[
        DataRequired(_l("Enter the address to send the invitation to.")),
        Email(_l("Enter a valid email address.")), Length(max=100)])
    display_name = StringField(_l("Name (optional)"), filters=[stripped], validators=[Optional(), Length(max=250)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="editor")
    submit = SubmitField(_l("Send invitation"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    submit = SubmitField(_l("Update role"))


class ResendForm(FlaskForm):
    resend = SubmitField(_l("Send the invitation again"))


class RemoveForm(FlaskForm):
    heir = SelectField(_l("Attribute all their posts to"), coerce=int, validate_choice=False,
                       validators=[Optional()])
    submit = SubmitField(_l("Confirm removal"))


@bp.get("/users")
@requires(MANAGE_USERS)
def users():
    """Every account with its role and posts, filtered by role (?role=editor) and searched (?s=)."""
    role = request.args.get("role") or None
    if role not in (None, *ROLE_LABELS):
        role = None
    search = request.args.get("s", "").strip()[:100]
    page = db.paginate(accounts.users_with_role(role, search), page=request.args.get("paged", 1, type=int),
                       per_page=USERS_PER_PAGE, error_out=False)
    counts = accounts.role_counts()
    ids = [u.id for u in page.items]
    return render_template("admin/users.html", page=page, role=role, search=search, counts=counts,
                           total=sum(counts.values()),
                           labels=ROLE_LABELS, posts=authors.post_counts(ids), invited=accounts.invited(ids))


@bp.route("/users/new", methods=["GET", "POST"])
@requires(MANAGE_USERS)
def user_new():
    """Invite someone by email with a role: their account waits for them to accept the mailed link."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user = invites.invite(form.email.data, form.role.data, form.display_name.data)
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
            return render_template("admin/user_new.html", form=form), error.status
        _send_invitation(user)
        db.session.commit()
        flash(_("Invitation sent to %(email)s (%(role)s).", email=user.email, role=ROLE_LABELS[user.role]), "success")
        return redirect(url_for("admin.users"), 303)
    return render_template("admin/user_new.html", form=form), 400 if form.errors else 200


def _invite_days() -> str:
    return f"{current_app.config['INVITE_EXPIRY_DAYS']:g}"


def _send_invitation(user: User) -> None:
    with in_language(user.language):  # the site's, until the invitee chooses theirs
        role = str(ROLE_LABELS[user.role])
        subject = _("[%(blog)s] You are invited to join as %(role)s", blog=current_app.config["BLOG_TITLE"],
                    role=role)
        mailer.enqueue(
            user.email, subject,
            "invite", invite_url=url_for("auth.accept_invite", token=invites.token_for(user), _external=True),
            inviter=current_user.display_name, role=role, days=_invite_days())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_USERS)
def user_edit(user_id: int):
    """Change a user's role (not one's own; never the last Administrator's), or send a waiting
    invitee a new link."""
    user = db.get_or_404(User, user_id)
    resend = ResendForm()
    if resend.resend.data and resend.validate_on_submit():
        return _reinvite(user)
    form = RoleForm(data={"role": user.role} if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            accounts.set_role(user, form.role.data, acting=current_user._get_current_object())
        except accounts.AccountError as error:
            db.session.rollback()
            form.role.errors.append(str(error))
            status = error.status
        else:
            flash(_("%(name)s is now %(role)s.", name=user.display_name, role=ROLE_LABELS[user.role]), "success")
            return redirect(url_for("admin.users"), 303)
    elif form.errors:
        status = 400
    return render_template("admin/user_edit.html", user=user, form=form, labels=ROLE_LABELS, resend=resend,
                           invited=user.id in accounts.invited([user.id]), invite_days=_invite_days()), status


def _reinvite(user: User):
    """Mail a new invitation link to an account still waiting for one; the links sent before stop working."""
    if user.id not in accounts.invited([user.id]):
        flash(_("%(name)s has already accepted their invitation.", name=user.display_name), "error")
        return redirect(url_for("admin.user_edit", user_id=user.id), 303)
    invites.renew(user)
    _send_invitation(user)
    db.session.commit()
    flash(_("A new invitation was sent to %(email)s; the earlier links no longer work.", email=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id), 303)


@bp.route("/users/<int:user_id>/remove", methods=["GET", "POST"])
@requires(MANAGE_USERS)
def user_remove(user_id: int):
    """Remove a user after asking who gets their posts; their comments stay, unlinked."""
    user = db.get_or_404(User, user_id)
    owned = authors.post_counts([user.id]).get(user.id, 0)
    form = RemoveForm()
    form.heir.choices = _heirs(user)
    error = None
    if form.validate_on_submit():
        try:
            heir = _heir(form)
            name = user.display_name
            accounts.remove_user(user, heir, acting=current_user._get_current_object())
        except accounts.AccountError as refused:
            db.session.rollback()
            error = refused
        else:
            flash(_("%(name)s was removed. Their posts now belong to %(heir)s.", name=name, heir=heir.display_name)
                  if owned else _("%(name)s was removed.", name=name), "success")
            return redirect(url_for("admin.users"), 303)
    elif form.errors:
        error = accounts.AccountError(_("The form was not sent correctly; please try again."))
    elif user.id == current_user.id:
        error = accounts.AccountError(_("You cannot remove your own account: ask another Administrator."), 403)
    page = render_template("admin/user_remove.html", user=user, form=form, owned=owned, error=error)
    return page, error.status if error else 200


def _heir(form: RemoveForm) -> User | None:
    """The account the form names to take over the posts: one of those it offered, or none."""
    if not form.heir.data:
        return None
    if form.heir.data not in dict(form.heir.choices):
        raise accounts.AccountError(_("Attribute the posts to someone who may write posts."))
    return db.session.get(User, form.heir.data)


def _heirs(leaving: User) -> list[tuple[int, str]]:
    """Who may take over the posts: every other account whose role writes posts."""
    staff = db.session.scalars(accounts.users_with_role().where(User.id != leaving.id, User.role != SUBSCRIBER))
    return [(u.id, f"{u.display_name} ({u.email})") for u in staff if u.can(EDIT_POSTS)]
