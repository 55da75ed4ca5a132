"""What the blog publishes to the fediverse: its posts (Create, Update, Delete of an Article) and the
owner's replies to remote comments (Create Note), each stored as an Activity with one Delivery per
inbox, in the caller's transaction. The worker's delivery pass (activitypub.delivery) sends them.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import g
from sqlalchemy.dialects import postgresql, sqlite

from activitypub import objects
from activitypub.models import Activity, Delivery, Follower, RemoteActor
from blog.models import Comment, Post
from blog.remote_replies import domain_blocked
from blog.settings import get_settings
from core.dbtypes import insert_or_ignore, utcnow
from extensions import db

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
POST_TYPES = ("Create", "Update", "Delete")
CATCH_UP = timedelta(days=1)  # a scheduled post whose date passed longer ago is not announced late


def federated(post: Post) -> bool:
    """Whether the fediverse may see the post: a public, published, unprotected post whose date has come."""
    return objects.is_federated(post)


def enabled() -> bool:
    """Whether the owner keeps the blog a fediverse actor (the Mentions & fediverse screen)."""
    return bool(get_settings()["activitypub_enabled"])


def post_published(post: Post) -> Activity | None:
    """A post was published: announce it (Create) unless it is protected, private or scheduled (the
    delivery pass announces a scheduled post once its date has come)."""
    if not enabled() or not federated(post) or _last_post_activity(post.id) in ("Create", "Update"):
        return None
    return _publish_post(post, "Create")


def post_updated(post: Post) -> Activity | None:
    """A published post was saved again: Update it where it was announced, announce it when it has
    just become public, or Delete it when it is now protected."""
    if not enabled():
        return None
    announced = _last_post_activity(post.id) in ("Create", "Update")
    if federated(post):
        return _publish_post(post, "Update" if announced else "Create")
    return post_withdrawn(post) if announced and post.published_at <= utcnow() else None


def post_withdrawn(post: Post) -> Activity | None:
    """A post stopped being public (draft, private, trash, deleted): Delete it where it was announced."""
    if not enabled() or _last_post_activity(post.id) not in ("Create", "Update"):
        return None
    tombstone = {"id": objects.post_object_id(post.id), "type": "Tombstone", "formerType": "Article"}
    return _store("Delete", tombstone, [PUBLIC], [objects.followers_url()], post_id=post.id)


def publish_due_posts() -> int:
    """Announce the scheduled posts whose date has come (within the last day) and that were never
    announced; commits. How many."""
    if not enabled():
        return 0
    now = utcnow()
    announced = sa.select(Activity.id).where(Activity.post_id == Post.id).exists()
    due = db.session.scalars(sa.select(Post).where(
        Post.kind == "post", Post.status == "published", Post.password == "",
        Post.published_at <= now, Post.published_at > now - CATCH_UP, ~announced).order_by(Post.id))
    count = sum(_publish_post(post, "Create") is not None for post in due)
    if count:
        db.session.commit()
    return count


def reply_published(comment: Comment) -> Activity | None:
    """The blog's staff replied to a fediverse comment: send the reply (Create Note) to the remote
    author's inbox and the followers'. Anything else (a guest's comment, a held one) is not sent."""
    if comment.status != "approved" or comment.parent_id is None or not enabled():
        return None
    parent = db.session.get(Comment, comment.parent_id)
    if parent is None or parent.comment_type != "activitypub" or not parent.source_url:
        return None
    if not objects.is_federated_comment(comment) or _reply_sent(comment.id):
        return None
    note = objects.note(comment)
    author = _mentioned_actor(note)
    to = [author.uri] if author is not None else []
    activity = _store("Create", note, [*to, PUBLIC], [objects.followers_url()], post_id=comment.post_id,
                      comment_id=comment.id)
    if author is not None and not domain_blocked(author.domain, get_settings()):
        now = utcnow()
        insert_or_ignore(Delivery, activity_id=activity.id, inbox=author.inbox, status="queued", attempts=0,
                         next_attempt_at=now, last_error="", created_at=now, updated_at=now)
    return activity


def _mentioned_actor(note: dict) -> RemoteActor | None:
    """The remote author the Note answers, as objects.note found and mentioned them (their RemoteActor)."""
    uris = [tag["href"] for tag in note.get("tag", []) if tag.get("type") == "Mention" and tag.get("href")]
    if not uris:
        return None
    return db.session.scalars(sa.select(RemoteActor).where(RemoteActor.uri == uris[0])).first()


def _publish_post(post: Post, type_: str) -> Activity:
    article = objects.article(post)
    return _store(type_, article, [PUBLIC], [objects.followers_url()], post_id=post.id)


def _store(type_: str, obj: dict, to: list[str], cc: list[str], *, post_id: int,
           comment_id: int | None = None) -> Activity:
    """The Activity (public, in the outbox) and its deliveries to every follower's inbox."""
    activity = Activity(type=type_, post_id=post_id, comment_id=comment_id, payload={}, public=True,
                        created_at=utcnow())
    db.session.add(activity)
    db.session.flush()  # its id names it in its payload
    activity.payload = {**objects.activity(type_, obj, to, cc), "id": objects.activity_id(activity.id)}
    fan_out(activity.id)
    return activity


def fan_out(activity_id: int) -> int:
    """Queue the activity for every follower's inbox, a server's shared inbox once for all its
    followers, leaving out blocked domains: one INSERT ... SELECT, however many followers. How many."""
    now = utcnow()
    inbox = sa.func.coalesce(sa.func.nullif(RemoteActor.shared_inbox, ""), RemoteActor.inbox)
    inboxes = (sa.select(inbox.label("inbox")).join(Follower, Follower.remote_actor_id == RemoteActor.id)
               .where(inbox != "", *_not_blocked(RemoteActor.domain)).distinct().subquery("inboxes"))
    # The WHERE: SQLite parses an INSERT ... SELECT ... ON CONFLICT only when the SELECT has one.
    rows = sa.select(sa.literal(activity_id, sa.Integer), inboxes.c.inbox, sa.literal("queued"), sa.literal(0),
                     _now(now), sa.literal(""), _now(now), _now(now)).where(sa.true())
    columns = ["activity_id", "inbox", "status", "attempts", "next_attempt_at", "last_error", "created_at",
               "updated_at"]
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[db.session.get_bind().dialect.name]
    statement = insert(Delivery.__table__).from_select(columns, rows).on_conflict_do_nothing()
    return db.session.execute(statement).rowcount


def _now(now) -> sa.ColumnElement:
    return sa.literal(now, Delivery.__table__.c.created_at.type)


def _blocked_domains() -> list[str]:
    return [line.strip().lower().lstrip("*.").rstrip(".")
            for line in str(get_settings()["federation_blocked_domains"]).splitlines() if line.strip()]


def _not_blocked(domain: sa.ColumnElement) -> list[sa.ColumnElement[bool]]:
    """SQL conditions keeping a domain off the blocked list, and off its subdomains."""
    return [sa.and_(sa.func.lower(domain) != blocked, ~sa.func.lower(domain).like(f"%.{blocked}"))
            for blocked in _blocked_domains()]


def _last_post_activity(post_id: int) -> str | None:
    """The type of the last Create, Update or Delete of the post's Article (replies left out)."""
    return db.session.scalar(sa.select(Activity.type).where(
        Activity.post_id == post_id, Activity.comment_id.is_(None), Activity.type.in_(POST_TYPES))
        .order_by(Activity.id.desc()).limit(1))


def _reply_sent(comment_id: int) -> bool:
    return db.session.scalar(sa.select(Activity.id).where(Activity.comment_id == comment_id).limit(1)) is not None


def fresh_settings() -> None:
    """Forget the settings this app context read, so a long-running worker sees the owner's changes."""
    g.pop("settings", None)
