"""Receiving a Webmention: the cheap checks the endpoint makes before it answers, and the queued row
the worker verifies later (webmention.verify). Nothing here fetches."""


import sqlalchemy as sa

from blog.discussion import comments_closed
from blog.permalinks import on_this_site
from blog.remote_replies import domain_blocked
from blog.settings import get_settings
from core.clean_input import web_address
from core.dbtypes import compiled_once, utcnow
from extensions import db
from webmention.models import Webmention
from webmention.targets import Target, target_of

MAX_URL = 500  # the columns' length


class MentionRefused(Exception):
    """A mention the endpoint refuses at once; the message says what is wrong (for a 400)."""


def _check_url(name: str, url: str) -> None:
    """Refuse a missing, overlong or not absolute http(s) URL."""
    if not url:
        raise MentionRefused(f"The {name} is missing.")
    if len(url) > MAX_URL:
        raise MentionRefused(f"The {name} is longer than {MAX_URL} characters.")
    if web_address(url) is None:
        raise MentionRefused(f"The {name} must be an absolute http or https URL.")


def check_mention(source: str, target: str) -> Target:
    """The post (and comment) a mention names, when the blog takes it; else MentionRefused."""
    _check_url("source", source)
    _check_url("target", target)
    if source == target:
        raise MentionRefused("The source and the target are the same.")
    if not on_this_site(target):
        raise MentionRefused("The target is not on this site.")
    found = target_of(target)  # reads the settings along with a post permalink's post
    settings = get_settings()
    if not settings["webmention_enabled"]:
        raise MentionRefused("This site does not accept Webmentions.")
    if domain_blocked(source, settings):
        raise MentionRefused("The source's domain is blocked here.")
    if found is None:
        raise MentionRefused("The target is not a post on this site.")
    post = found.post
    if post.password or post.status != "published":
        raise MentionRefused("The target does not accept Webmentions.")
    if comments_closed(post, settings):
        raise MentionRefused("The target's comments are closed.")
    return found


COLUMNS = ("direction", "source", "target", "post_id", "status", "kind", "endpoint", "attempts", "next_attempt_at",
           "last_error", "sender_ip", "created_at", "updated_at")
REQUEUED = ("post_id", "status", "attempts", "next_attempt_at", "last_error", "sender_ip", "updated_at")


def _upsert() -> sa.TextClause:
    """INSERT ... ON CONFLICT DO UPDATE (a re-sent mention is queued again), compiled once."""
    def build(insert):
        statement = insert(Webmention.__table__).values({name: sa.bindparam(name) for name in COLUMNS})
        return statement.on_conflict_do_update(index_elements=["direction", "source", "target"],
                                               set_={name: statement.excluded[name] for name in REQUEUED})

    return compiled_once(("requeue",), Webmention.__table__, COLUMNS, build)


def queue_mention(direction: str, source: str, target: str, post_id: int | None, *, ip: str = "",
                  due=None) -> None:
    """Queue a mention to verify (received) or to send (sent), or queue an existing one again from
    scratch; one statement in the caller's transaction."""
    now = utcnow()
    db.session.execute(_upsert(), {
        "direction": direction, "source": source, "target": target, "post_id": post_id, "status": "queued",
        "kind": "", "endpoint": "", "attempts": 0, "next_attempt_at": due or now, "last_error": "",
        "sender_ip": ip[:100], "created_at": now, "updated_at": now})


def receive(source: str, target: str, ip: str) -> None:
    """Check a mention and queue it for the worker; commits. Raises MentionRefused."""
    found = check_mention(source, target)
    queue_mention("received", source, target, found.post.id, ip=ip)
    db.session.commit()
