"""Privacy requests: made from the "Your data" form or by the owner, confirmed and carried out
through a signed link that names one request.

Callers: privacy.views (readers' links) and admin.privacy_views (the owner's screen).
"""

import sqlalchemy as sa
from flask import current_app, url_for

from auth.models import Identity, User
from blog.models import Comment
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import in_language
from core.i18n import lazy_gettext as _l
from extensions import db
from notify import mailer
from notify.mailer import normalize_email
from notify.models import Subscription
from notify.tokens import BadLink, make_token, read_token
from privacy import personal_data
from privacy.models import PrivacyRequest

LINK_MAX_AGE = 24 * 3600
NOT_VALID = _l("This link is not valid. Please ask for a new one on the “Your data” page.")
ALREADY_USED = _l("This link has already been used: the erasure is done.")
READER = "Reader (signed link)"  # the moderation log's name for a step a mailed link made
ASKER = "Reader (Your data page)"  # and for a request made on the page


def holds_data(email: str) -> bool:
    """Whether anything is stored about the address (comments, subscriptions, identities, accounts)."""
    email = normalize_email(email)
    finds = (sa.select(Comment.id).where(sa.func.lower(Comment.author_email) == email),
             sa.select(Subscription.id).where(sa.func.lower(Subscription.email) == email),
             sa.select(Identity.id).where(sa.func.lower(Identity.email) == email),
             sa.select(User.id).where(sa.func.lower(User.email) == email))
    return bool(email) and any(db.session.scalar(query.limit(1)) is not None for query in finds)


def new_request(email: str, kind: str, erase_text: bool, source: str) -> PrivacyRequest:
    """A request row for the address, added to the session (the caller commits)."""
    request_row = PrivacyRequest(kind=kind, email=normalize_email(email),
                                 email_hash=personal_data.email_hash(email), erase_text=erase_text and kind == "erase",
                                 source=source, status="pending")
    db.session.add(request_row)
    db.session.flush()  # its id goes into the link and the log
    return request_row


def ask_by_mail(email: str, kind: str, erase_text: bool) -> PrivacyRequest | None:
    """A reader's request: when data is held about the address, a pending request and a mail with
    its link (the caller commits both together); nothing otherwise. The reader is told the same."""
    if not holds_data(email):
        return None
    request_row = new_request(email, kind, erase_text, "reader")
    with in_language(None):  # a reader: the site's language, even when the owner asks for them
        mailer.enqueue(request_row.email, _subject(kind), "privacy_link", link=link_url(request_row),
                       kind=kind, erase_text=request_row.erase_text, hours=LINK_MAX_AGE // 3600)
    personal_data.log_step("privacy-request", f"{kind} asked, link mailed", ASKER, request_id=request_row.id)
    return request_row


def _subject(kind: str) -> str:
    blog = current_app.config["BLOG_TITLE"]
    if kind == "export":
        return _("Your data at %(blog)s: your copy", blog=blog)
    return _("Your data at %(blog)s: confirm the erasure", blog=blog)


def link_url(request_row: PrivacyRequest) -> str:
    """The request's signed link, on SITE_URL; it names the request by id and link_secret."""
    token = make_token(f"privacy-{request_row.kind}", {"r": request_row.id, "k": request_row.link_secret})
    with mailer.site_links():
        return url_for(f"privacy.{request_row.kind}", token=token, _external=True)


def request_named_by(token: str, kind: str) -> PrivacyRequest:
    """The request a link names, or BadLink (tampered, expired, for another request or kind)."""
    data = read_token(f"privacy-{kind}", token, LINK_MAX_AGE)
    request_id, secret = data.get("r"), data.get("k")
    if not isinstance(request_id, int) or not isinstance(secret, str):
        raise BadLink(str(NOT_VALID))
    request_row = db.session.get(PrivacyRequest, request_id)
    if request_row is None or request_row.link_secret != secret or request_row.kind != kind:
        raise BadLink(str(NOT_VALID))
    return request_row


def confirm(request_row: PrivacyRequest) -> None:
    """Opening the link proves the reader holds the address: a pending request becomes confirmed."""
    if request_row.status == "pending":
        request_row.status, request_row.confirmed_at = "confirmed", utcnow()
        personal_data.log_step("privacy-confirm", "link opened", READER, request_id=request_row.id)


def mark_downloaded(request_row: PrivacyRequest, fmt: str) -> None:
    """The first download of an export finishes its request; later ones (within the link's life) are
    not logged again."""
    confirm(request_row)
    if request_row.status != "done":
        request_row.status, request_row.completed_at = "done", utcnow()
        request_row.outcome = f"export downloaded as {fmt}"
        personal_data.log_step("privacy-export", request_row.outcome, READER, request_id=request_row.id)


def claim_erasure(request_row: PrivacyRequest) -> bool:
    """Mark the request done unless another use of its link did first (one UPDATE: a race has one
    winner)."""
    claimed = db.session.execute(
        sa.update(PrivacyRequest).where(PrivacyRequest.id == request_row.id, PrivacyRequest.status != "done")
        .values(status="done", completed_at=utcnow()).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(request_row)
    return claimed == 1


def carry_out_erasure(request_row: PrivacyRequest, actor: str, moderator: User | None = None
                      ) -> personal_data.Erasure:
    """Erase what the request's address holds and forget the address; the caller commits."""
    email = request_row.email or ""
    if request_row.confirmed_at is None:
        request_row.confirmed_at = utcnow()
    erasure = personal_data.erase_counted(email, personal_data.account_ids(email), request_row.erase_text, actor,
                                          request_id=request_row.id, moderator=moderator)
    request_row.email, request_row.status, request_row.outcome = None, "done", erasure.record()[:255]
    request_row.completed_at = request_row.completed_at or utcnow()
    return erasure


def erase_by_link(request_row: PrivacyRequest) -> personal_data.Erasure:
    """The erasure link's button: once only, then the address is gone from the request too."""
    if request_row.status == "done" or not claim_erasure(request_row):
        raise BadLink(str(ALREADY_USED), 410)
    return carry_out_erasure(request_row, READER)


def run_by_admin(email: str, kind: str, erase_text: bool, admin: User) -> PrivacyRequest:
    """The owner's export or erasure for an address: a request row with source "admin", done now
    (an export is done once its download starts); the caller commits."""
    request_row = new_request(email, kind, erase_text, "admin")
    request_row.status, request_row.confirmed_at = "confirmed", utcnow()
    if kind == "erase":
        carry_out_erasure(request_row, admin.display_name, admin)
    else:
        request_row.status, request_row.completed_at, request_row.outcome = "done", utcnow(), "export downloaded"
        personal_data.log_step("privacy-export", "export run by the owner", admin.display_name,
                               request_id=request_row.id, moderator=admin)
    return request_row


def requests_by_status(status: str, limit: int = 50) -> list[PrivacyRequest]:
    """The latest requests in one status, for the admin's Privacy screen."""
    return list(db.session.scalars(
        sa.select(PrivacyRequest).where(PrivacyRequest.status == status)
        .order_by(PrivacyRequest.created_at.desc(), PrivacyRequest.id.desc()).limit(limit)))
