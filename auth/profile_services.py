"""What every account may change about itself: its name, author slug, bio, email, password and
the log-in providers linked to it. Each operation checks its rule, commits, or raises ProfileError."""

import re

import sqlalchemy as sa

from auth.models import Identity, User
from auth.profiles import Profile
from auth.roles import ACCESS_ADMIN
from auth.services import REVOKED_BY_PASSWORD
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db

NICENAME_MAX = 60  # users.nicename's length
NICENAME_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# Session keys: the user a provider round trip links to (auth.social), and "ask this reader's name".
LINK_KEY = "auth_link"
NAME_PROMPT_KEY = "auth_choose_name"


class ProfileError(ValueError):
    """A change the rules refuse; the message is for the user."""


def nicename_problem(nicename: str) -> str | None:
    """Why this author slug cannot be used as written, or None."""
    if len(nicename) > NICENAME_MAX:
        return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", NICENAME_MAX)
    if not NICENAME_PATTERN.fullmatch(nicename):
        return _("Use lowercase letters, digits and single hyphens only (for example ada-lovelace).")
    return None


def _nicename_taken(nicename: str, user: User) -> bool:
    return db.session.scalar(sa.select(User.id).where(User.nicename == nicename, User.id != user.id)) is not None


def default_nicename(display_name: str, user: User) -> str:
    """A free author slug made from the display name: ada-lovelace, then ada-lovelace-2..."""
    from slugify import slugify  # here: its transliteration tables serve only this and the post editor

    base = slugify(display_name, max_length=NICENAME_MAX - 4) or f"author-{user.id}"
    nicename, n = base, 2
    while _nicename_taken(nicename, user):
        nicename, n = f"{base}-{n}", n + 1
    return nicename


def update_about(user: User, display_name: str, nicename: str, bio: str, language: str | None) -> None:
    """Save the public name, author slug and bio. Staff who leave the slug empty get one made from
    their name (their posts' author pages need one); a slug another account holds is refused."""
    if not nicename and user.can(ACCESS_ADMIN):
        nicename = default_nicename(display_name, user)
    if nicename and _nicename_taken(nicename, user):
        raise ProfileError(_nicename_taken_message(nicename))
    user.display_name, user.nicename, user.bio = display_name, nicename or None, bio or ""  # a form sent without it
    user.language = language or None  # None: the site's, whichever it becomes
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # taken by another request between the check and the commit
        db.session.rollback()
        raise ProfileError(_nicename_taken_message(nicename)) from None


def _nicename_taken_message(nicename: str) -> str:
    return _("The author slug “%(slug)s” belongs to another account. Choose another one.", slug=nicename)


def _email_taken_message() -> str:
    return _("That email address belongs to another account.")


def set_display_name(user: User, display_name: str) -> None:
    """The name shown on the user's comments and posts."""
    user.display_name = display_name
    db.session.commit()


def email_taken(email: str, user: User) -> bool:
    """Whether another account has this address (compared without case)."""
    return db.session.scalar(sa.select(User.id).where(
        sa.func.lower(User.email) == email.lower(), User.id != user.id).limit(1)) is not None


def check_new_email(user: User, email: str) -> None:
    """Refuse an address the account already has, or one another account has."""
    if user.email and user.email.lower() == email.lower():
        raise ProfileError(_("That is already your email address."))
    if email_taken(email, user):
        raise ProfileError(_email_taken_message())


def change_email(user: User, email: str) -> None:
    """Store an address whose owner has just proved it (the confirmation link reached them)."""
    if email_taken(email, user):
        raise ProfileError(_email_taken_message())
    user.email, user.email_verified = email, True
    db.session.commit()


def change_password(user: User, current: str | None, new: str) -> None:
    """Set a new password; one already set must be given first. Ends every session of the account
    (the caller starts a new one for this browser)."""
    if user.password_hash and not user.check_password(current or ""):
        raise ProfileError(_("Your current password is not correct."))
    user.set_password(new)
    user.end_all_sessions(REVOKED_BY_PASSWORD)
    db.session.commit()


def has_password_log_in(user: User) -> bool:
    """A password opens the account only together with an email address to log in with."""
    return bool(user.password_hash and user.email)


def link_identity(user: User, profile: Profile) -> Identity:
    """Attach the provider account to `user`; refused when it already logs in another account."""
    identity = db.session.scalar(sa.select(Identity).filter_by(provider=profile.provider, subject=profile.subject))
    if identity is not None and identity.user_id != user.id:
        raise ProfileError(_("That account is already linked to another account on this blog."))
    if identity is None:
        identity = Identity(user=user, provider=profile.provider, subject=profile.subject,
                            display_name=profile.display_name)
        db.session.add(identity)
    identity.email, identity.email_verified = profile.email, profile.email_verified
    identity.avatar_url, identity.profile_url = profile.avatar_url, profile.profile_url
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same identity was linked elsewhere at the same moment
        db.session.rollback()
        raise ProfileError(_("That account is already linked to another account on this blog.")) from None
    return identity


def unlink_identity(user: User, identity_id: int) -> Identity:
    """Remove one of the user's provider accounts, as long as another way in remains."""
    identity = db.session.get(Identity, identity_id)
    if identity is None or identity.user_id != user.id:
        raise ProfileError(_("That log-in is not linked to your account."))
    if len(user.identities) < 2 and not has_password_log_in(user):
        raise ProfileError(_("This is your only way to log in: link another provider or set a password "
                             "(with an email address) first."))
    db.session.delete(identity)
    db.session.commit()
    return identity


def needs_display_name(identity: Identity, profile: Profile) -> bool:
    """Whether a social log-in left the account without a name: the provider gave none and the
    reader has not chosen one since."""
    return not profile.name_given and identity.user.display_name == profile.display_name
