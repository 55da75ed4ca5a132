"""The worker's pass over the inbox: each queued activity (its signature verified at the door) is
done, ignored, refused or failed, one commit each, in the order they arrived.

Follow and Undo Follow keep the followers; a Create of a Note answering one of our posts or
comments becomes a comment held like any other (blog.remote_replies); Like and Announce count as
reactions; Update and Delete change only what their own actor wrote. Nothing here fetches what an
activity points to: a reply to something we do not hold is ignored, however long its chain.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from activitypub import targets
from activitypub.actors import remote_actor
from activitypub.keys import actor_url
from activitypub.models import Activity, Delivery, Follower, InboundActivity, RemoteActor
from activitypub.objects import activity, activity_id
from blog.discussion import CommentRefused
from blog.models import Comment, Post, RemoteReaction
from blog.remote_replies import RemoteAuthor, add_reaction, comment_from_source, receive_reply, remove_source
from blog.settings import get_settings
from core.dbtypes import insert_or_ignore, utcnow
from extensions import db

BATCH = 50
# How long a processed activity stays on record (the admin's trail, and the replay check's memory,
# which needs no more than ACTIVITYPUB_SIGNATURE_MAX_AGE: an older Date is refused anyway).
KEEP_PROCESSED = timedelta(days=30)
INTERRUPTED = "interrupted while processing"
Outcome = tuple[str, str]  # (status, result)


def inbox_pass(batch: int = BATCH) -> str | None:
    """Process up to `batch` queued activities, oldest first; a line to report, or None when idle."""
    ids = list(db.session.scalars(sa.select(InboundActivity.id).where(InboundActivity.status == "queued")
                                  .order_by(InboundActivity.id).limit(batch)))
    db.session.rollback()
    outcomes: dict[str, int] = {}
    for row_id in ids:
        status = _process_one(row_id)
        if status:
            outcomes[status] = outcomes.get(status, 0) + 1
    forget_processed()
    if not outcomes:
        return None
    return "activitypub inbox: " + ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))


def forget_processed() -> int:
    """Delete processed activities older than KEEP_PROCESSED (one index range); how many went."""
    keep = max(KEEP_PROCESSED, timedelta(seconds=2 * current_app.config["ACTIVITYPUB_SIGNATURE_MAX_AGE"]))
    gone = db.session.execute(sa.delete(InboundActivity).where(
        InboundActivity.received_at < utcnow() - keep, InboundActivity.status != "queued")).rowcount
    db.session.commit()
    return gone


def _process_one(row_id: int) -> str | None:
    """Claim one queued row (another worker may have), handle it, record the outcome; commits."""
    claimed = db.session.execute(sa.update(InboundActivity).where(
        InboundActivity.id == row_id, InboundActivity.status == "queued").values(
        status="failed", result=INTERRUPTED, processed_at=utcnow())).rowcount
    db.session.commit()
    if not claimed:
        return None
    row = db.session.get(InboundActivity, row_id)
    try:
        status, result = handle(row.type, row.payload, row.actor_uri)
    except Exception as error:  # one bad activity must not stop the queue
        db.session.rollback()
        current_app.logger.exception("activitypub: activity %s failed", row_id)
        status, result = "failed", f"{type(error).__name__}: {error}"
    db.session.execute(sa.update(InboundActivity).where(InboundActivity.id == row_id).values(
        status=status, result=result[:255], processed_at=utcnow()))
    db.session.commit()
    return status


def handle(kind: str, item: dict, actor_uri: str) -> Outcome:
    """Do what one activity asks; (status, what was done or why not)."""
    handler = HANDLERS.get(kind)
    if handler is None:
        return "ignored", f"{kind} activities are not handled"
    actor = remote_actor(actor_uri)
    if actor is None:
        return "failed", "the actor could not be fetched"
    return handler(item, actor)


def _follow(item: dict, actor: RemoteActor) -> Outcome:
    """Add the follower and queue the Accept to their inbox."""
    if targets.object_id(item.get("object")) != actor_url():
        return "ignored", "a Follow of someone else"
    insert_or_ignore(Follower, remote_actor_id=actor.id, follow_activity_id=item["id"][:500], created_at=utcnow())
    db.session.execute(sa.update(Follower).where(Follower.remote_actor_id == actor.id)
                       .values(follow_activity_id=item["id"][:500]))
    follow = {"id": item["id"], "type": "Follow", "actor": actor.uri, "object": actor_url()}
    accept = Activity(type="Accept", payload={}, public=False)
    db.session.add(accept)
    db.session.flush()
    accept.payload = {**activity("Accept", follow, [actor.uri], []), "id": activity_id(accept.id)}
    db.session.add(Delivery(activity_id=accept.id, inbox=actor.inbox, status="queued", next_attempt_at=utcnow()))
    db.session.commit()
    return "done", f"{actor.handle or actor.uri} follows; Accept {accept.id} queued"


def _undo(item: dict, actor: RemoteActor) -> Outcome:
    """Undo a Follow, a Like or an Announce of this actor's."""
    undone = item.get("object")
    undone_id = targets.object_id(undone)
    kind = undone.get("type") if isinstance(undone, dict) else None
    if isinstance(undone, dict) and targets.object_id(undone.get("actor")) not in (None, actor.uri):
        return "refused", "an Undo of another actor's activity"
    if kind == "Follow" or (kind is None and _follower_by_activity(undone_id)):
        gone = db.session.execute(sa.delete(Follower).where(Follower.remote_actor_id == actor.id)).rowcount
        db.session.commit()
        return ("done", "unfollowed") if gone else ("ignored", "was not following")
    if undone_id:
        from blog.remote_replies import remove_reactions

        gone = remove_reactions(RemoteReaction.activity_id == undone_id, RemoteReaction.source_url == actor.uri)
        db.session.commit()
        if gone:
            return "done", f"{gone} reaction(s) removed"
    return "ignored", "nothing to undo"


def _follower_by_activity(follow_id: str | None) -> bool:
    return bool(follow_id) and db.session.scalar(
        sa.select(Follower.id).where(Follower.follow_activity_id == follow_id)) is not None


def _create(item: dict, actor: RemoteActor) -> Outcome:
    """A reply to one of our posts or comments becomes a comment awaiting the rules' judgement."""
    note = item.get("object")
    if not isinstance(note, dict):
        return "ignored", "the object was given by reference (not fetched)"
    problem = targets.authored_note_problem(note, actor)
    if problem:
        return "refused" if "attributed" in problem or "host" in problem else "ignored", problem
    post, parent = targets.reply_target(note.get("inReplyTo"))
    if post is None:
        return "ignored", "not a reply to anything here"
    return _store_reply(post, parent, note, actor)


def _store_reply(post: Post, parent: Comment | None, note: dict, actor: RemoteActor) -> Outcome:
    try:
        comment = receive_reply(post, protocol="activitypub", source_url=note["id"], author=author_of(actor),
                                html=targets.note_html(note), parent=parent, settings=get_settings())
    except CommentRefused as refused:
        db.session.rollback()
        return "refused", refused.message
    return "done", f"comment {comment.id} ({comment.status})"


def _update(item: dict, actor: RemoteActor) -> Outcome:
    """A Note the actor edited updates its comment; an actor's own profile is fetched again."""
    changed = item.get("object")
    if targets.object_id(changed) == actor.uri:
        remote_actor(actor.uri, refresh=True)
        return "done", "actor refreshed"
    if not isinstance(changed, dict):
        return "ignored", "the object was given by reference (not fetched)"
    problem = targets.authored_note_problem(changed, actor)
    if problem:
        return "refused", problem
    comment = comment_from_source(changed["id"])
    if comment is None:
        return "ignored", "no comment came from this object"
    if comment.author_handle != actor.handle:
        return "refused", "an Update of another actor's comment"
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    return _store_reply(db.session.get(Post, comment.post_id), parent, changed, actor)


def _delete(item: dict, actor: RemoteActor) -> Outcome:
    """A deleted Note takes its comment to the trash; a deleted actor stops following."""
    gone_id = targets.object_id(item.get("object"))
    if gone_id == actor.uri:
        db.session.execute(sa.delete(Follower).where(Follower.remote_actor_id == actor.id))
        db.session.commit()
        return "done", "actor deleted; no longer a follower"
    comment = comment_from_source(gone_id) if gone_id else None
    if comment is None:
        return "ignored", "no comment came from this object"
    if comment.author_handle != actor.handle:
        return "refused", "a Delete of another actor's comment"
    return "done", f"{remove_source(gone_id, actor=actor.handle or actor.uri)} removed"


def _react(kind: str):
    def react(item: dict, actor: RemoteActor) -> Outcome:
        """A Like or an Announce of one of our posts counts once per actor."""
        post = targets.local_post(targets.object_id(item.get("object")))
        if post is None:
            return "ignored", "not a post of ours"
        added = add_reaction(post, kind=kind, protocol="activitypub", source_url=actor.uri,
                             author=author_of(actor), activity_id=item["id"][:500])
        return ("done", f"{kind} of post {post.id}") if added else ("ignored", f"already a {kind}")

    return react


def author_of(actor: RemoteActor) -> RemoteAuthor:
    """The actor as a remote reply's or reaction's author."""
    return RemoteAuthor(name=actor.name or actor.handle, url=actor.profile_url or actor.uri,
                        photo=actor.avatar_url, handle=actor.handle)


HANDLERS = {"Follow": _follow, "Undo": _undo, "Create": _create, "Update": _update, "Delete": _delete,
            "Like": _react("like"), "Announce": _react("repost")}
