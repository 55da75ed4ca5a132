"""Comment submission and WordPress's discussion rules: the one place they live.

Views (public and admin) call these; nothing here reads the request.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.sql.functions import FunctionElement

from auth.models import Identity, User
from auth.roles import may_moderate_comments_on
from blog import signals
from blog.content_version import bump_content_version
from blog.counters import count_approved
from blog.models import Comment, Post, text_hash
from blog.spam import checks
from blog.spam.standings import NO_STANDING, Standing, standing_for
from core.dbtypes import utcnow
from core.i18n import gettext as _
from extensions import db

# WordPress counts each http(s):// once, whether bare or inside an href.
LINK = re.compile(r"""(?:href\s*=\s*['"]?)?https?://""", re.IGNORECASE)


class CommentRefused(Exception):
    """A submission the rules refuse outright; carries the HTTP status and the reader's message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CommentInput:
    """What a commenter sent, and from where."""

    body: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    parent_id: int = 0
    ip: str = ""
    user_agent: str = ""
    honeypot: str = ""
    user: User | None = None
    provider: str | None = None
    avatar_url: str | None = None
    # What the commenter asked to follow: {"comments": "instant"|..., "posts": ...} or None.
    subscriptions: dict | None = None
    # The hash of the secret the writing browser keeps for this comment (blog.commenters).
    author_key_hash: str | None = None
    # False when the site keeps no IPs (comment_ip_retention_days 0): ip still serves this request's checks.
    store_ip: bool = True
    # A reply from another site (blog.remote_replies): "webmention" or "activitypub", the page or
    # fediverse object it came from, and its author's fediverse handle.
    comment_type: str = "comment"
    source_url: str | None = None
    author_handle: str | None = None
    # Held for this reason whatever the rules say (a mailed reply whose DKIM signature failed).
    hold_reason: str | None = None


def comments_closed(post: Post, settings: dict) -> bool:
    """Closed by hand, or automatically once the post is older than the setting allows."""
    if not post.comments_open:
        return True
    if settings["close_comments_for_old_posts"]:
        age_limit = timedelta(days=int(settings["close_comments_days_old"]))
        return post.published_at + age_limit < utcnow()
    return False


@dataclass(frozen=True)
class Submitted:
    """A stored comment, and what the receivers of comment_submitted tell its author."""

    comment: Comment
    notices: list[str]


def submit_comment(post: Post, data: CommentInput, settings: dict) -> Submitted:
    """Store a comment with the status the discussion rules (`settings`) give it, and commit; or raise
    CommentRefused.

    comment_submitted's receivers (notify's mail and subscriptions) run in this transaction and get
    the same settings.
    """
    if comments_closed(post, settings):
        raise CommentRefused(403, _("Comments are closed."))
    parent = _reply_target(post, data.parent_id, settings)
    # Staff who may moderate this post's comments are not held by the rules meant for readers.
    is_moderator = data.user is not None and may_moderate_comments_on(data.user, post)
    body_hash = text_hash(data.body)  # for the duplicate check and the new row alike
    history = _history(post, parent, data, body_hash, 0 if is_moderator else int(settings["comment_flood_seconds"]),
                       int(settings["new_commenter_hold_count"] or 0))
    if history.duplicate:
        raise CommentRefused(409, _("Duplicate comment detected; it looks as though you’ve already said that!"))
    if history.flooding:
        raise CommentRefused(429, _("You are posting comments too quickly. Slow down."))
    standing = NO_STANDING if is_moderator else standing_for(data.user.id if data.user else None,
                                                             data.author_email, data.ip)
    if refusal := standing.refusal():
        raise CommentRefused(403, refusal)
    if is_moderator:
        screened = checks.Screened("approved", "")
    else:
        status, reason = judge_comment(data, settings, history, standing)
        screened = checks.screen(post, data, settings, status, reason) if not standing.trusted else \
            checks.Screened(status, reason)
    status, reason = screened.status, screened.reason
    if data.hold_reason and status == "approved":
        status, reason = "pending", data.hold_reason
    if standing.shadow:  # filed as spam, yet shown to its author as published (blog.spam.standings)
        status, reason = "spam", "shadow-banned commenter"
    comment = _insert(
        post_id=post.id,
        parent_id=parent.id if parent else None,
        root_id=parent.root_id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=data.author_name,
        author_email=data.author_email,
        author_url=data.author_url,
        author_ip=data.ip if data.store_ip else "",
        user_agent=data.user_agent[:255] if data.store_ip else "",
        user_id=data.user.id if data.user else None,
        provider=data.provider,
        author_avatar_url=data.avatar_url,
        body=data.body,
        body_hash=body_hash,
        status=status,
        status_reason=reason[:255],
        author_key_hash=data.author_key_hash,
        spam_score=screened.score,
        shadow=standing.shadow,
        comment_type=data.comment_type,
        source_url=data.source_url,
        author_handle=data.author_handle,
    )
    notices = signals.send(signals.comment_submitted, comment=comment, subscriptions=data.subscriptions,
                           user=data.user, settings=settings)
    if status == "approved":  # last before the commit: the post's row stays locked for the least time
        count_approved(post.id, +1, threads=comment.depth == 0)
        bump_content_version(db.session)  # the INSERT is SQL the ORM does not see, so the page cache would not
    _commit_keeping_values()
    return Submitted(comment, notices)


class NextCommentId(FunctionElement):
    """The id the next comment gets, as a column of the INSERT that writes it: a top-level comment
    heads its own thread (root_id is its id), known in the same statement, not by an UPDATE after."""

    type = sa.Integer()
    inherit_cache = True


@compiles(NextCommentId, "postgresql")
def _next_comment_id_postgresql(_element, _compiler, **_kw) -> str:
    return "nextval(pg_get_serial_sequence('comments', 'id'))"


@compiles(NextCommentId, "sqlite")
def _next_comment_id_sqlite(_element, _compiler, **_kw) -> str:
    # What SQLite's AUTOINCREMENT picks, read under the INSERT's write lock: past the largest id the
    # table ever had (sqlite_sequence, which an INSERT with this id moves on), not only the largest left.
    return ("(SELECT max(coalesce(max(comments.id), 0), coalesce((SELECT seq FROM sqlite_sequence"
            " WHERE name = 'comments'), 0)) + 1 FROM comments)")


def _insert_comment_statement() -> sa.Insert:
    """INSERT…SELECT of one comment, from bound parameters named after its columns.

    Core, built once and run at once: the ORM's unit of work costs several times what the INSERT
    takes. Numbers are cast to their columns' types, which a SELECT list does not tell PostgreSQL (a
    NULL would arrive as text); texts are not, as a cast would cut a too-long one short where the
    INSERT refuses it.
    """
    table = Comment.__table__
    given = ["post_id", "parent_id", "depth", "author_name", "author_email", "author_url", "author_ip",
             "user_agent", "user_id", "provider", "author_avatar_url", "body", "body_hash", "status", "status_reason",
             "author_key_hash", "spam_score", "shadow", "comment_type", "source_url", "author_handle"]
    new = sa.select(NextCommentId().label("id")).subquery("new")
    values = [sa.bindparam(name) if isinstance(table.c[name].type, sa.String) else
              sa.cast(sa.bindparam(name), table.c[name].type) for name in given]
    root = sa.func.coalesce(sa.cast(sa.bindparam("root_id"), sa.Integer), new.c.id)
    return sa.insert(table).from_select(["id", "root_id", *given], sa.select(new.c.id, root, *values)) \
        .returning(*table.columns)


_INSERT_COMMENT = _insert_comment_statement()


def _insert(**values) -> Comment:
    """INSERT a comment; it comes back as if loaded, in the session (defaults filled in by the statement).

    A pending comment changes no public page; an approved one changes its post's counters too
    (submit_comment counts it and tells the page cache).
    """
    row = db.session.execute(_INSERT_COMMENT, values).one()
    comment = Comment(**row._asdict())
    make_transient_to_detached(comment)  # it is in the database: the session takes it as loaded, not new
    db.session.add(comment)
    return comment


def _commit_keeping_values() -> None:
    """Commit without expiring what the session holds: the redirect that follows reads the new
    comment and its post, and reloading them (a query each) would only return what was just written."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def judge_comment(data: CommentInput, settings: dict, history: "_History",
                  standing: Standing = NO_STANDING) -> tuple[str, str]:
    """The status WordPress's rules give a new comment, and why (empty when approved).

    A guest using a registered user's name or email is held whatever else holds: a refusal would
    tell anyone which addresses have accounts, and holding lets the owner decide.
    """
    if data.honeypot:
        return "spam", "hidden honeypot field was filled in"
    if match := _key_match(settings["disallowed_keys"], data):
        return "trash", f"disallowed list: {match}"
    if history.claims_registered:
        return "pending", "a guest using the name or email of a registered user"
    if settings["comment_moderation"]:
        return "pending", "manual approval of every comment is on"
    if standing.always_hold:
        return "pending", "the commenter is on always hold"
    links = len(LINK.findall(data.body))
    limit = int(settings["comment_max_links"])
    if limit and links >= limit and not standing.trusted:
        return "pending", f"{links} links; limit {limit}"
    if match := _key_match(settings["moderation_keys"], data):
        return "pending", f"moderation list: {match}"
    if not standing.trusted and (reason := _new_commenter_hold(data, settings, history)):
        return "pending", reason
    if settings["comment_previously_approved"] and not history.approved_before:
        return "pending", "first comment from this author"
    return "approved", ""


def _new_commenter_hold(data: CommentInput, settings: dict, history: "_History") -> str | None:
    """Why the new-commenter rules hold this comment (Comentario's and Coral's), or None: the first
    N comments of an author are held, and so are authors at the listed email domains."""
    if history.approved_count is None:  # an edit: the comment met these rules when it was written
        return None
    count = int(settings["new_commenter_hold_count"] or 0)
    if count and history.approved_count < count:
        return f"new commenter: first {count} comments are held"
    domain = data.author_email.strip().rpartition("@")[2].casefold().rstrip(".")
    lines = settings["new_commenter_hold_domains"].splitlines()
    listed = {line.strip().casefold().lstrip("@").rstrip(".") for line in lines}
    if domain and domain in listed:
        return f"new commenter rule: email domain {domain}"
    return None


def judge_edit(data: CommentInput, settings: dict) -> tuple[str, str]:
    """The rules for a comment's edited text: as for a new comment from an author already approved
    (the comment was judged when it was written), so only its words and links can hold it again."""
    return judge_comment(data, settings, _History(duplicate=False, flooding=False, approved_before=True,
                                                  claims_registered=False))


def replied_comment(post: Post, parent_id: int | None) -> Comment | None:
    """The comment a reply names, if one may reply to it: approved, on this post; else None."""
    if not parent_id:
        return None
    parent = db.session.get(Comment, parent_id)
    return parent if parent is not None and parent.post_id == post.id and parent.status == "approved" else None


def _reply_target(post: Post, parent_id: int, settings: dict) -> Comment | None:
    """The comment being replied to, moved up so the reply fits the thread depth setting."""
    if not parent_id:
        return None
    parent = replied_comment(post, parent_id)
    if parent is None:
        raise CommentRefused(400, _("The comment you are replying to does not exist or is not approved."))
    if not settings["thread_comments"]:
        return None
    max_depth = max(1, int(settings["thread_comments_depth"]))
    while parent is not None and parent.depth + 1 >= max_depth:
        parent = db.session.get(Comment, parent.parent_id) if parent.parent_id else None
    return parent


@dataclass(frozen=True)
class _History:
    """What the comments table already says about a submission."""

    duplicate: bool  # WordPress's rule: the same text under the same parent from the same author
    flooding: bool  # this address or email left a comment within the flood interval
    approved_before: bool  # this account, or else this name and email as a guest, has an approved comment
    claims_registered: bool  # a guest gave the name or email of a registered user
    # The author's approved comments, counted up to the new-commenter hold (None: not asked, as for an edit).
    approved_count: int | None = None


def _history_query(by_account: bool) -> sa.Select:
    """The duplicate, flood and previously-approved facts, in one statement.

    A logged-in author is known by their account alone; a guest by name, or by email when given (a
    None email matches nothing), and only earlier guest comments count as theirs for "previously
    approved": a registered user's name and email prove nothing about a guest. Each subquery reads
    one index: an OR across two indexes can lead a planner to walk every comment.
    """
    name, email = sa.bindparam("name"), sa.bindparam("email")
    if by_account:
        account = Comment.user_id == sa.bindparam("user_id")
        same_author, approved_author = account, [account]
    else:
        same_author = sa.or_(Comment.author_name == name, Comment.author_email == email)
        approved_author = [Comment.author_email == email, Comment.author_name == name, Comment.user_id.is_(None)]
    since = sa.bindparam("since")  # None when flood control is off: nothing is newer than NULL

    def recent_from(column, key: str) -> sa.ScalarSelect:
        # Counted rather than EXISTS: a count is costed for every row it reads, so no plan walks the
        # whole table hoping to stop at a first match. The interval is asked as (column, created_at)
        # >= (value, since), which only an index on both (column first) can serve: PostgreSQL's
        # statistics, older than the busy minute, took `created_at >= since` for empty and walked
        # every recent comment of the blog through the created_at index.
        value = sa.bindparam(key)
        return sa.select(sa.func.count()).where(
            column == value, sa.tuple_(column, Comment.created_at) >= sa.tuple_(value, since)).scalar_subquery()

    return sa.select(
        sa.exists().where(
            Comment.post_id == sa.bindparam("post_id"),
            Comment.body_hash == sa.bindparam("body_hash"),  # the index narrows to equal texts first
            Comment.body == sa.bindparam("body"),
            # Wrapped, so no planner walks the parent_id index instead: most comments have no parent,
            # which its statistics (an average per value) do not tell.
            sa.func.coalesce(Comment.parent_id, 0) == sa.bindparam("parent_id"),
            same_author,
        ).label("duplicate"),
        sa.or_(recent_from(Comment.author_ip, "ip") > 0, recent_from(Comment.author_email, "flood_email") > 0)
        .label("flooding"),
        sa.exists().where(*approved_author, Comment.status == "approved").label("approved_before"),
        (sa.false() if by_account else _registered_name_or_email()).label("claims_registered"),
        # Counted up to the hold's size only (LIMIT 0 when it is off), so a prolific author costs no more.
        sa.select(sa.func.count()).select_from(
            sa.select(sa.literal(1)).where(*approved_author, Comment.status == "approved")
            .limit(sa.bindparam("hold_count")).subquery()).scalar_subquery().label("approved_count"),
    )


def _registered_name_or_email() -> sa.ColumnElement[bool]:
    """Whether the guest's name or email (any case) is an account's or one of its log-in identities'.

    Both sides go through the database's lower(): SQLite's folds ASCII letters only, so the two
    must be folded alike to compare at all.
    """
    name, email = sa.func.lower(sa.bindparam("claimed_name")), sa.func.lower(sa.bindparam("email"))
    return sa.or_(
        sa.exists().where(sa.or_(sa.func.lower(User.email) == email, sa.func.lower(User.display_name) == name,
                                 sa.func.lower(User.login) == name)),
        sa.exists().where(sa.or_(sa.func.lower(Identity.email) == email,
                                 sa.func.lower(Identity.display_name) == name)),
    )


# Built once, with parameters: building a statement per submission costs SQLAlchemy more
# (construction, then its cache key) than SQLite takes to run it.
_HISTORY = {by_account: _history_query(by_account) for by_account in (False, True)}


def _history(post: Post, parent: Comment | None, data: CommentInput, body_hash: int, flood_seconds: int,
             hold_count: int = 0) -> _History:
    """What the comments table says about this submission; flood_seconds 0 turns flood control off,
    hold_count is how far the author's approved comments are counted (the new-commenter hold)."""
    author = {"user_id": data.user.id} if data.user else {
        "name": data.author_name, "email": data.author_email or None, "claimed_name": data.author_name.strip() or None}
    row = db.session.execute(_HISTORY[data.user is not None], {
        "post_id": post.id, "body_hash": body_hash, "body": data.body,
        "parent_id": parent.id if parent else 0, "ip": data.ip or None, "flood_email": data.author_email or None,
        "since": utcnow() - timedelta(seconds=flood_seconds) if flood_seconds > 0 else None,
        "hold_count": hold_count, **author}).one()
    return _History(bool(row.duplicate), bool(row.flooding), bool(row.approved_before), bool(row.claims_registered),
                    int(row.approved_count or 0))


def _key_match(keys: str, data: CommentInput) -> str | None:
    """The first line of a moderation or disallowed list found in any field, as WordPress checks."""
    fields = [data.author_name, data.author_email, data.author_url, data.body, data.ip, data.user_agent]
    haystack = "\n".join(fields).lower()
    for key in (line.strip() for line in keys.splitlines()):
        if key and key.lower() in haystack:
            return key
    return None
