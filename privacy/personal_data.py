"""Everything the blog stores about an email address and its accounts: exported as a stream, or erased.

Callers: this package's request links and admin screen, and a reader's own account page. Exports
read rows in batches (never the whole set at once), so an address with any number of comments
streams in bounded memory; callers wrap the iterators in stream_with_context.
"""

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, g, has_app_context, url_for
from flask_babel import force_locale

from auth.models import Identity, User
from blog.content_version import bump_content_version, bump_likes_version
from blog.models import Comment, CommentLike, CommentRevision, ModerationLog, Post, PostLike, text_hash
from blog.moderation import PENDING_LINES
from blog.permalinks import post_url
from blog.spam.models import CommentReport
from core.dbtypes import utcnow
from core.i18n import N_, gettext, in_language, ngettext, pgettext
from extensions import db
from notify.mailer import normalize_email
from notify.models import InboundMail, MailAddress, OutboxMessage, Subscription
from privacy import ladder_data

BATCH = 500  # rows read and written out at a time
# What an erasure writes in place of a name and a text: in the site's language when it runs, as
# WordPress writes its own; these English ones in an English blog.
ANONYMOUS = N_("Anonymous")
ERASED_TEXT = N_("[This comment's text was removed at its author's request.]")
HELD_STATUSES = ("pending", "spam")  # awaiting a moderator's decision: their text is kept as evidence


def email_hash(email: str) -> str:
    """The SHA-256 of the lower-cased address: finds a person's requests once the address is erased."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


def account_ids(email: str) -> list[int]:
    """Accounts that hold this address as verified, on the account or on a log-in identity; for the
    request links, whose mail proves the reader controls the address."""
    email = normalize_email(email)
    if not email:
        return []
    users = sa.select(User.id).where(sa.func.lower(User.email) == email, User.email_verified)
    identities = sa.select(Identity.user_id).where(sa.func.lower(Identity.email) == email, Identity.email_verified)
    return sorted(set(db.session.scalars(sa.union(users, identities))))


def _held_by(email_column, user_id_column, email: str, user_ids: list[int]) -> sa.ColumnElement[bool]:
    """Rows with this address (any case) or of these accounts; an empty address matches none."""
    email = normalize_email(email)
    clauses = [sa.func.lower(email_column) == email] if email else []
    if user_ids:
        clauses.append(user_id_column.in_(user_ids))
    return sa.or_(*clauses) if clauses else sa.false()


def _comments_of(email: str, user_ids: list[int]) -> sa.ColumnElement[bool]:
    """The comments written with this address or by these accounts."""
    return _held_by(Comment.author_email, Comment.user_id, email, user_ids)


def _subscriptions_of(email: str, user_ids: list[int]) -> sa.ColumnElement[bool]:
    return _held_by(Subscription.email, Subscription.user_id, email, user_ids)


def _identities_of(email: str, user_ids: list[int]) -> sa.ColumnElement[bool]:
    return _held_by(Identity.email, Identity.user_id, email, user_ids)


def _reports_of(email: str, user_ids: list[int]) -> sa.ColumnElement[bool]:
    """The reports of comments made with this address or by these accounts."""
    return _held_by(CommentReport.reporter_email, CommentReport.reporter_id, email, user_ids)


def _mails_to(email: str) -> sa.ColumnElement[bool]:
    email = normalize_email(email)
    return sa.func.lower(OutboxMessage.to_addr) == email if email else sa.false()


# ---- export -------------------------------------------------------------------------------------

COMMENT_COLUMNS = (Comment.id, Comment.post_id, Comment.parent_id, Comment.status, Comment.created_at,
                   Comment.edited_at, Comment.author_name, Comment.author_email, Comment.author_url,
                   Comment.author_ip, Comment.user_agent, Comment.user_id, Comment.provider, Comment.body)


def _batches(statement: sa.Select) -> Iterator[list[dict]]:
    """The statement's rows as dicts, BATCH at a time, from a cursor that never holds them all."""
    result = db.session.execute(statement.execution_options(yield_per=BATCH))
    for partition in result.mappings().partitions():
        yield [dict(row) for row in partition]


class _PostLinks:
    """Titles and addresses of the posts a person commented on, loaded a batch at a time."""

    def __init__(self) -> None:
        self.known: dict[int, tuple[str, str]] = {}

    def add(self, rows: list[dict]) -> None:
        missing = {row["post_id"] for row in rows} - self.known.keys()
        if missing:
            for post in db.session.scalars(sa.select(Post).where(Post.id.in_(missing))):
                self.known[post.id] = (post.title, post_url(post, _external=True))

    def title(self, post_id: int) -> str:
        return self.known.get(post_id, ("", ""))[0]

    def url(self, post_id: int) -> str:
        return self.known.get(post_id, ("", ""))[1]


def comment_batches(email: str, user_ids: list[int]) -> Iterator[list[dict]]:
    """The person's comments, oldest first, BATCH at a time, each with its post's title and address."""
    links = _PostLinks()
    statement = sa.select(*COMMENT_COLUMNS).where(_comments_of(email, user_ids)).order_by(Comment.id)
    for rows in _batches(statement):
        links.add(rows)
        for row in rows:
            row["post_title"] = links.title(row["post_id"])
            row["post_url"] = links.url(row["post_id"])
            row["comment_url"] = f"{row['post_url']}#comment-{row['id']}" if row["post_url"] else ""
        yield rows


def revision_batches(email: str, user_ids: list[int]) -> Iterator[list[dict]]:
    """Earlier texts of the person's comments (kept by edits), BATCH at a time."""
    statement = (sa.select(CommentRevision.comment_id, CommentRevision.created_at, CommentRevision.editor_name,
                           CommentRevision.editor_role, CommentRevision.body)
                 .join(Comment, Comment.id == CommentRevision.comment_id)
                 .where(_comments_of(email, user_ids)).order_by(CommentRevision.id))
    return _batches(statement)


def accounts(user_ids: list[int]) -> list[dict]:
    if not user_ids:
        return []
    return [dict(row) for row in db.session.execute(
        sa.select(User.id, User.display_name, User.email, User.email_verified, User.login, User.role,
                  User.nicename, User.bio, User.avatar_url, User.profile_url, User.created_at)
        .where(User.id.in_(user_ids)).order_by(User.id)).mappings()]


def identities(email: str, user_ids: list[int]) -> list[dict]:
    return [dict(row) for row in db.session.execute(
        sa.select(Identity.provider, Identity.subject, Identity.display_name, Identity.email,
                  Identity.email_verified, Identity.avatar_url, Identity.profile_url, Identity.created_at,
                  Identity.last_login_at)
        .where(_identities_of(email, user_ids)).order_by(Identity.id)).mappings()]


def subscriptions(email: str, user_ids: list[int]) -> list[dict]:
    return [dict(row) for row in db.session.execute(
        sa.select(Subscription.email, Subscription.scope, Subscription.post_id, Subscription.comment_id,
                  Subscription.delivery, Subscription.confirmed_at, Subscription.created_at)
        .where(_subscriptions_of(email, user_ids)).order_by(Subscription.id)).mappings()]


def mails(email: str) -> list[dict]:
    """The mails the blog sent or will send to the address (the outbox keeps them after sending)."""
    return [dict(row) for row in db.session.execute(
        sa.select(OutboxMessage.subject, OutboxMessage.status, OutboxMessage.created_at, OutboxMessage.sent_at)
        .where(_mails_to(email)).order_by(OutboxMessage.id)).mappings()]


def reports(email: str, user_ids: list[int]) -> list[dict]:
    """The comments the person reported to the moderators, and what became of each report."""
    return [dict(row) for row in db.session.execute(
        sa.select(CommentReport.comment_id, CommentReport.reason, CommentReport.explanation,
                  CommentReport.reporter_name, CommentReport.reporter_email, CommentReport.created_at,
                  CommentReport.resolved_at, CommentReport.outcome)
        .where(_reports_of(email, user_ids)).order_by(CommentReport.id)).mappings()]


def likes(user_ids: list[int]) -> dict[str, list[dict]]:
    """The posts and comments these accounts liked (guests cannot like)."""
    if not user_ids:
        return {"posts": [], "comments": []}
    posts = db.session.execute(
        sa.select(PostLike.post_id, Post.title, PostLike.created_at).join(Post, Post.id == PostLike.post_id)
        .where(PostLike.user_id.in_(user_ids)).order_by(PostLike.created_at)).mappings()
    comments = db.session.execute(
        sa.select(CommentLike.comment_id, Comment.post_id, CommentLike.created_at)
        .join(Comment, Comment.id == CommentLike.comment_id)
        .where(CommentLike.user_id.in_(user_ids)).order_by(CommentLike.created_at)).mappings()
    return {"posts": [dict(row) for row in posts], "comments": [dict(row) for row in comments]}


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _dumps(value) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def _json_list(batches: Iterable[list[dict]]) -> Iterator[str]:
    """A JSON array written one batch (one chunk) at a time."""
    yield "["
    first = True
    for rows in batches:
        if rows:
            yield ("" if first else ",") + ",".join(_dumps(row) for row in rows)
            first = False
    yield "]"


def export_json(email: str, user_ids: list[int]) -> Iterator[str]:
    """Everything stored about the address and accounts, as one JSON document in chunks; for
    the export link, the admin's export and the reader's account page."""
    header = {"email": normalize_email(email), "site": current_app.config["SITE_URL"],
              "generated_at": utcnow(), "accounts": accounts(user_ids),
              "identities": identities(email, user_ids), "subscriptions": subscriptions(email, user_ids),
              "likes": likes(user_ids), "mails": mails(email), "reports": reports(email, user_ids),
              "commenter_standing": ladder_data.standings(email, user_ids, _comments_of(email, user_ids))}
    yield _dumps(header)[:-1] + ', "comments": '
    yield from _json_list(comment_batches(email, user_ids))
    yield ', "comment_revisions": '
    yield from _json_list(revision_batches(email, user_ids))
    yield "}\n"


def export_html(email: str, user_ids: list[int]) -> Iterator[str]:
    """The same data as a readable page (templates/privacy/export.html), rendered as it streams."""
    template = current_app.jinja_env.get_template("privacy/export.html")
    return template.generate(
        email=normalize_email(email), site_title=current_app.config.get("BLOG_TITLE", ""),
        home_url=url_for("blog.index", _external=True), generated_at=utcnow(),
        accounts=accounts(user_ids), identities=identities(email, user_ids),
        subscriptions=subscriptions(email, user_ids), likes=likes(user_ids), mails=mails(email),
        reports=reports(email, user_ids), ladder=ladder_data.standings(email, user_ids, _comments_of(email, user_ids)),
        comment_batches=comment_batches(email, user_ids), revision_batches=revision_batches(email, user_ids))


# ---- erasure ------------------------------------------------------------------------------------

def _erase_comments(email: str, user_ids: list[int], erase_text: bool) -> tuple[int, int, int]:
    """Anonymise the person's comments (and blank their text when asked, except on held ones).

    Returns (anonymised, texts removed, held texts kept). The text goes first: anonymising removes
    what finds the comments.
    """
    mine = _comments_of(email, user_ids)
    removed = kept = 0
    with in_language(None):
        anonymous, erased_text = gettext(ANONYMOUS), gettext(ERASED_TEXT)
    if erase_text:
        editable = sa.select(Comment.id).where(mine, Comment.status.not_in(HELD_STATUSES))
        db.session.execute(sa.delete(CommentRevision).where(CommentRevision.comment_id.in_(editable))
                           .execution_options(synchronize_session=False))
        removed = db.session.execute(
            sa.update(Comment).where(mine, Comment.status.not_in(HELD_STATUSES))
            .values(body=erased_text, body_hash=text_hash(erased_text))
            .execution_options(synchronize_session=False)).rowcount
        kept = db.session.scalar(sa.select(sa.func.count()).where(mine, Comment.status.in_(HELD_STATUSES)))
    db.session.execute(
        sa.update(CommentRevision).where(CommentRevision.editor_role == "author",
                                         CommentRevision.comment_id.in_(sa.select(Comment.id).where(mine)))
        .values(editor_name=anonymous, editor_id=None).execution_options(synchronize_session=False))
    anonymised = db.session.execute(
        sa.update(Comment).where(mine)
        .values(author_name=anonymous, author_email="", author_url="", author_ip="", user_agent="",
                author_avatar_url=None, user_id=None, provider=None, author_key_hash=None)
        .execution_options(synchronize_session=False)).rowcount
    return anonymised, removed, kept


def _erase_likes(user_ids: list[int]) -> int:
    """Take back these accounts' likes, each liked row's count lowered by as many as go."""
    if not user_ids:
        return 0
    post_likes = sa.select(sa.func.count()).where(PostLike.post_id == Post.id, PostLike.user_id.in_(user_ids))
    comment_likes = sa.select(sa.func.count()).where(CommentLike.comment_id == Comment.id,
                                                     CommentLike.user_id.in_(user_ids))
    liked_posts = sa.select(PostLike.post_id).where(PostLike.user_id.in_(user_ids))
    liked_comments = sa.select(CommentLike.comment_id).where(CommentLike.user_id.in_(user_ids))
    db.session.execute(sa.update(Post).where(Post.id.in_(liked_posts))
                       .values(like_count=Post.like_count - post_likes.scalar_subquery(),
                               updated_at=Post.updated_at)
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.update(Comment).where(Comment.id.in_(liked_comments))
                       .values(like_count=Comment.like_count - comment_likes.scalar_subquery(),
                               updated_at=Comment.updated_at)
                       .execution_options(synchronize_session=False))
    gone = db.session.execute(sa.delete(PostLike).where(PostLike.user_id.in_(user_ids))).rowcount
    gone += db.session.execute(sa.delete(CommentLike).where(CommentLike.user_id.in_(user_ids))).rowcount
    if gone:
        bump_likes_version(db.session)
    return gone


def _erase_mail_received(email: str) -> int:
    """The log of mail received from the address (replies by mail) and its bounce record."""
    email = normalize_email(email)
    if not email:
        return 0
    db.session.execute(sa.delete(MailAddress).where(MailAddress.email == email)
                       .execution_options(synchronize_session=False))
    return db.session.execute(sa.delete(InboundMail).where(sa.func.lower(InboundMail.from_addr) == email)
                              .execution_options(synchronize_session=False)).rowcount


@dataclass(frozen=True)
class Erasure:
    """What an erasure did, in counts: comments anonymised and their texts removed or kept, rows deleted."""

    erase_text: bool
    anonymised: int
    removed: int
    kept: int
    subscriptions: int
    likes: int
    identities: int
    mails: int
    received: int
    reports: int
    unranked: int
    ranked: int

    def summary(self) -> str:
        """The counts in the current language, for the person who asked (the erasure link's page)."""
        parts = [ngettext("%(num)d comment anonymised", "%(num)d comments anonymised", self.anonymised)]
        if self.erase_text:
            parts.append(ngettext("%(num)d text removed", "%(num)d texts removed", self.removed))
            if self.kept:
                parts.append(ngettext("%(num)d text kept: awaiting moderation",
                                      "%(num)d texts kept: awaiting moderation", self.kept))
        parts += [ngettext("%(num)d subscription deleted", "%(num)d subscriptions deleted", self.subscriptions),
                  ngettext("%(num)d like deleted", "%(num)d likes deleted", self.likes),
                  ngettext("%(num)d identity unlinked", "%(num)d identities unlinked", self.identities),
                  ngettext("%(num)d mail deleted", "%(num)d mails deleted", self.mails)]
        if self.received:
            parts.append(ngettext("%(num)d received mail deleted", "%(num)d received mails deleted", self.received))
        if self.reports:
            parts.append(ngettext("%(num)d report anonymised", "%(num)d reports anonymised", self.reports))
        if self.unranked:
            parts.append(ngettext("%(num)d commenter standing deleted", "%(num)d commenter standings deleted",
                                  self.unranked))
        if self.ranked:
            parts.append(ngettext("%(num)d commenter standing kept: suspensions and bans outlast erasure",
                                  "%(num)d commenter standings kept: suspensions and bans outlast erasure",
                                  self.ranked))
        return pgettext("list separator", ", ").join(parts)

    def record(self) -> str:
        """The counts in English, as the request row, the moderation log and the server log keep them."""
        with force_locale("en"):
            return self.summary()


def erase(email: str, user_ids: list[int], erase_text: bool, actor: str, *, request_id: int | None = None,
          moderator: User | None = None) -> str:
    """Erase what the blog stores about the address and accounts (see erase_counted); returns the
    outcome in counts, in English, as the moderation log also records it."""
    return erase_counted(email, user_ids, erase_text, actor, request_id=request_id, moderator=moderator).record()


def erase_counted(email: str, user_ids: list[int], erase_text: bool, actor: str, *, request_id: int | None = None,
                  moderator: User | None = None) -> Erasure:
    """Erase what the blog stores about the address and accounts, in the caller's transaction (the
    caller commits), and log the step; what was done, in counts."""
    anonymised, removed, kept = _erase_comments(email, user_ids, erase_text)
    subs = db.session.execute(sa.delete(Subscription).where(_subscriptions_of(email, user_ids))
                              .execution_options(synchronize_session=False)).rowcount
    liked = _erase_likes(user_ids)
    # Only the identities that carry this address: an account's others may be its way to log in.
    unlinked = db.session.execute(sa.delete(Identity).where(_identities_of(email, []))
                                  .execution_options(synchronize_session=False)).rowcount
    mailed = db.session.execute(sa.delete(OutboxMessage).where(_mails_to(email))
                                .execution_options(synchronize_session=False)).rowcount
    received = _erase_mail_received(email)
    # A report stays for the moderators' records (its reason and explanation); who made it goes.
    reported = db.session.execute(sa.update(CommentReport).where(_reports_of(email, user_ids))
                                  .values(reporter_name="", reporter_email="", reporter_id=None)
                                  .execution_options(synchronize_session=False)).rowcount
    unranked, ranked = ladder_data.erase_standings(email, user_ids)
    if anonymised or liked:
        bump_content_version(db.session)  # names, avatars, texts and like counts on public pages
    erasure = Erasure(erase_text=erase_text, anonymised=anonymised, removed=removed, kept=kept, subscriptions=subs,
                      likes=liked, identities=unlinked, mails=mailed, received=received, reports=reported,
                      unranked=unranked, ranked=ranked)
    log_step("privacy-erase", erasure.record(), actor, request_id=request_id, moderator=moderator)
    return erasure


def log_step(action: str, detail: str, actor: str, *, request_id: int | None = None,
             moderator: User | None = None) -> None:
    """A step of a privacy request in the moderation log: counts and the request's number, never
    the address or what was erased."""
    prefix = f"privacy request {request_id}: " if request_id else ""
    name = (moderator.display_name if moderator else actor)[:250]
    db.session.add(ModerationLog(
        comment_id=None, moderator_id=moderator.id if moderator else None, moderator_name=name, action=action,
        from_status=None, to_status=None, detail=(prefix + detail)[:255]))
    # As every moderation step: one JSON line for the server log once committed (blog.moderation_log).
    db.session.info.setdefault(PENDING_LINES, []).append(json.dumps({
        "event": "privacy", "request_id": g.get("request_id") if has_app_context() else None,
        "moderator_id": moderator.id if moderator else None, "moderator": name, "action": action,
        "privacy_request": request_id, "detail": detail}, ensure_ascii=False))
