"""Verifying a received mention (W3C Webmention, "Request Verification"): fetch the source, check
that it links the target, and turn it into a comment or a reaction through blog.remote_replies."""

import sqlalchemy as sa

from blog.discussion import CommentRefused
from blog.models import RemoteReaction
from blog.remote_replies import add_reaction, comment_from_source, domain_blocked, receive_reply, remove_source
from blog.settings import get_settings
from core.clean_input import host_of
from core.safe_fetch import FetchRefused, fetch
from extensions import db
from webmention.models import Webmention
from webmention.outcome import Outcome, refused_fetch, retry
from webmention.parse import UnreadableSource, read_source
from webmention.targets import target_of


def _accepted_before(source: str) -> bool:
    """Whether something on the blog came from this source (a comment not in the trash, a reaction)."""
    comment = comment_from_source(source)
    if comment is not None and comment.status != "trash":
        return True
    return db.session.scalar(sa.select(RemoteReaction.id).where(RemoteReaction.source_url == source)
                             .limit(1)) is not None


def _gone(row: Webmention, status: str, reason: str) -> Outcome:
    """The source went away, or stopped linking the target: what came of it leaves the blog."""
    if _accepted_before(row.source):
        remove_source(row.source, actor=f"Webmention from {host_of(row.source)}")
    return Outcome(status, reason)


def verify(row: Webmention) -> Outcome:
    """Fetch a received mention's source and record what it is; the caller records the Outcome."""
    settings = get_settings()
    target = target_of(row.target)
    if target is None or target.post.password:
        return Outcome("rejected", "the target is no longer a post that takes mentions")
    try:
        fetched = fetch(row.source, headers={"Accept": "text/html"})
    except FetchRefused as refused:
        return refused_fetch(refused, "rejected", "the source could not be fetched")
    if fetched.status == 410 or (fetched.status == 404 and _accepted_before(row.source)):
        return _gone(row, "deleted", f"the source answered {fetched.status}: it was deleted")
    if fetched.status >= 500 or fetched.status == 429:
        return retry(f"the source answered {fetched.status}")
    if not 200 <= fetched.status < 300:
        return Outcome("rejected", f"the source answered {fetched.status}")
    if domain_blocked(fetched.url, settings):
        return Outcome("rejected", "the source redirected to a blocked domain")
    try:
        said = read_source(fetched.text, fetched.url, row.target)
    except UnreadableSource as unreadable:
        return Outcome("rejected", f"the source could not be read: {unreadable}")
    if said is None:
        return _gone(row, "rejected", "the source does not link the target")
    return _accept(row, target, said, settings)


def _accept(row: Webmention, target, said, settings: dict) -> Outcome:
    """Store a verified mention as a reaction or a comment (held or not, as the discussion rules say)."""
    post = target.post
    if said.kind in ("like", "repost"):
        add_reaction(post, kind=said.kind, protocol="webmention", source_url=row.source, author=said.author)
        return Outcome("accepted", values={"kind": said.kind})
    try:
        comment = receive_reply(post, protocol="webmention", source_url=row.source, author=said.author,
                                html=said.html, settings=settings, parent=target.comment, ip=row.sender_ip)
    except CommentRefused as refused:
        return Outcome("rejected", refused.message[:500], {"kind": said.kind})
    return Outcome("accepted", values={"kind": said.kind, "comment_id": comment.id})
