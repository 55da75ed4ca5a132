"""How a change reaches every reader of cached pages: listeners on the app's own database session.

A flush that changes what a public page shows (a post, a setting, a term, a like, a comment moving
into or out of "approved") bumps the content version in its own transaction, so stored pages are
stale the moment it commits.

The commit then waits PAGE_CACHE_VERSION_LEASE_MS before the request goes on to answer. A worker
reads the version once per lease, not once per page; waiting one lease after the commit means every
lease that began before it has ended by the time anyone can have heard of the change (from that
answer, or from whoever saw it), so a request sent after that reads the new version on every app
server. Only commits that bumped the version wait; reads and private changes do not.
"""

import time

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, scoped_session

from blog.content_version import VERSION_BUMPED, bump_content_version
from blog.media.models import Media
from blog.models import Comment, CommentLike, Post, PostLike, Setting, Term
from core.db_connections import listen_once

PUBLIC_MODELS = (Post, Setting, Term, PostLike, CommentLike, Media)


def listen_to(session: scoped_session) -> None:
    """Attach the listeners to `session` (the app's db.session) once, however many apps share it.

    SQLAlchemy applies a listener on a scoped_session to its sessionmaker's own Session subclass,
    so sessions made elsewhere (another library's, a script's) are left alone.
    """
    listen_once(session, (("after_flush", bump_version_on_public_change),
                          ("after_commit", outwait_version_leases),
                          ("after_rollback", forget_rolled_back_bump)))


def version_lease_seconds() -> float:
    """PAGE_CACHE_VERSION_LEASE_MS of the running app, in seconds."""
    return current_app.config["PAGE_CACHE_VERSION_LEASE_MS"] / 1000


def bump_version_on_public_change(session: Session, _flush_context) -> None:
    """In the flushing transaction, bump the version when a public page's content changed."""
    changed = list(session.new) + list(session.dirty) + list(session.deleted)
    if any(_shows_on_public_pages(obj) for obj in changed):
        bump_content_version(session)


def outwait_version_leases(session: Session) -> None:
    """After a commit that bumped the version, let every worker's lease on the old version run out."""
    if session.info.pop(VERSION_BUMPED, False):
        time.sleep(version_lease_seconds())


def forget_rolled_back_bump(session: Session) -> None:
    session.info.pop(VERSION_BUMPED, None)


def _shows_on_public_pages(obj) -> bool:
    if isinstance(obj, PUBLIC_MODELS):
        return True
    if isinstance(obj, Comment):
        history = sa.inspect(obj).attrs.status.history
        return "approved" in (list(history.added or []) + list(history.deleted or []) + [obj.status])
    return False
