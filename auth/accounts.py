"""Staff accounts: create one with a role, change a role, remove one; for the Users screen and the CLI.

The rules live here once: a role must be one of auth.roles', an email names one account, nobody
removes themselves, and the blog always keeps an Administrator. What a removed user leaves behind
in other parts (their posts, comments, likes) is handed over by those parts, which receive
`user_removing`: auth knows nothing of posts.
"""

import sqlalchemy as sa
from blinker import Namespace
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from auth.models import User
from auth.roles import ADMINISTRATOR, ROLE_LABELS
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024

_signals = Namespace()
# Sent inside the removing transaction, before the user's row goes. Keywords: user, heir (the User
# who takes over what must survive, or None). A receiver moves or detaches what its part keeps of
# the user, or raises AccountError (before changing anything) when it needs an heir and has none.
user_removing = _signals.signal("user-removing")


class AccountError(Exception):
    """A request the account rules refuse; the message is for the person who asked, `status` the
    HTTP status a screen answers with (400: bad input, 403: not for you, 409: the blog's state)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def normalized_email(email: str) -> str:
    """The address in its standard form, or AccountError saying what is wrong with it."""
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError(_("“%(email)s” is not a valid email address: %(reason)s", email=email,
                             reason=str(error))) from None


def check_role(role: str) -> str:
    if role not in ROLE_LABELS:
        raise AccountError(_("“%(role)s” is not a role. Roles: %(roles)s.", role=role, roles=", ".join(ROLE_LABELS)))
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(ngettext("Use a password of at least %(num)d character.",
                                    "Use a password of at least %(num)d characters.", MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(ngettext("Use a password of at most %(num)d character.",
                                    "Use a password of at most %(num)d characters.", MAX_PASSWORD_LENGTH))
    return password


def find_by_email(email: str) -> User | None:
    """The account this address names: one its owner proved (verified), one with a password, or one
    made here for it (an invitee's, which has no provider identity).

    A provider's unverified claim to an address is not an account of that address, so it can
    neither block an invitation nor be mistaken for the invitee.
    """
    return db.session.scalars(
        sa.select(User)
        .where(sa.func.lower(User.email) == email.strip().lower(),
               sa.or_(User.email_verified.is_(True), User.password_hash.is_not(None), ~User.identities.any()))
        .order_by(User.id)
    ).first()


def user_by_email(email: str) -> User:
    """As find_by_email, or AccountError when no account has that address."""
    user = find_by_email(email)
    if user is None:
        raise AccountError(_("No account has the email address %(email)s.", email=email))
    return user


def create_user(email: str, role: str, password: str | None = None, display_name: str | None = None) -> User:
    """A new account with this role (and password, when given); the caller commits.

    Without a password the account cannot log in until its owner accepts an invitation.
    """
    email = normalized_email(email)
    check_role(role)
    if find_by_email(email) is not None:
        raise AccountError(_("%(email)s already has an account: change its role instead.", email=email), 409)
    name = (display_name or "").strip() or email.split("@")[0]
    user = User(email=email, display_name=name[:250], role=role)
    if password is not None:
        user.set_password(check_password(password))
    db.session.add(user)
    db.session.flush()
    return user


def set_role(user: User, role: str, acting: User | None = None) -> None:
    """Give `user` this role and commit; `acting` (None from the CLI) may not change their own."""
    check_role(role)
    if acting is not None and acting.id == user.id:
        raise AccountError(_("You cannot change your own role: ask another Administrator."), 403)
    if user.role == ADMINISTRATOR and role != ADMINISTRATOR:
        _keep_an_administrator(user)
    user.role = role  # read on every request: the next page already follows the new role
    db.session.commit()


def remove_user(user: User, heir: User | None, acting: User | None = None) -> None:
    """Remove `user` and commit: their sessions and log-in identities go with the account, and each
    part hands over what it keeps of them (user_removing); `heir` gets their posts."""
    if acting is not None and acting.id == user.id:
        raise AccountError(_("You cannot remove your own account: ask another Administrator."), 403)
    if heir is not None and heir.id == user.id:
        raise AccountError(_("Choose someone else to take over the posts of the account you remove."))
    if user.role == ADMINISTRATOR:
        _keep_an_administrator(user)
    app = current_app._get_current_object()
    if not user_removing.has_receivers_for(app):  # fail closed: never drop a user's posts unreceived
        raise RuntimeError("No part of the blog receives user_removing; refusing to remove accounts.")
    try:
        user_removing.send(app, user=user, heir=heir)
    except AccountError:
        db.session.rollback()
        raise
    db.session.delete(user)  # its session token goes with it, so every session and remember cookie ends
    db.session.commit()


def _keep_an_administrator(leaving: User) -> None:
    """Refuse when `leaving` is the blog's only Administrator; locks the Administrators' rows so two
    owners demoting each other at once cannot both succeed."""
    others = db.session.scalars(
        sa.select(User.id).where(User.role == ADMINISTRATOR, User.id != leaving.id).with_for_update()
    ).all()
    if not others:
        raise AccountError(_("%(name)s is the only Administrator: make someone else an Administrator first.",
                             name=leaving.display_name), 409)


def invited(user_ids) -> set[int]:
    """Those of these accounts still waiting for their owner to accept an invitation: an address
    nobody has proved yet, no password, no provider identity (an account without an address, as a
    demo or imported author's, was never invited)."""
    return set(db.session.scalars(
        sa.select(User.id).where(User.id.in_(list(user_ids)), User.email.is_not(None), User.email != "",
                                 User.password_hash.is_(None), User.email_verified.is_(False),
                                 ~User.identities.any())))


def role_counts() -> dict[str, int]:
    """How many accounts hold each role (roles nobody holds are left out)."""
    rows = db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role))
    return {role: count for role, count in rows}


def users_with_role(role: str | None = None, search: str = "") -> sa.Select:
    """Accounts (of one role, or all; whose name or email contains `search`), by name: what the
    Users screen and `users list` show."""
    query = sa.select(User).order_by(sa.func.lower(User.display_name), User.id)
    if search:
        needle = search.lower()
        query = query.where(sa.or_(sa.func.lower(User.display_name).contains(needle, autoescape=True),
                                   sa.func.lower(User.email).contains(needle, autoescape=True)))
    return query.where(User.role == role) if role else query
