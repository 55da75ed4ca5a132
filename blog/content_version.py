"""The content version: one row (SiteState) whose numbers change with anything a public page shows.

Writers bump it in their own transaction; the page cache (page_cache/) reads it to tell a stored
page from a stale one. Likes count apart, so that a burst of likes empties the cache once per
PAGE_CACHE_LIKES_DELAY_SECONDS rather than once per click.
"""

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import Session

from blog.models import SiteState
from extensions import db

_CURRENT = sa.select(SiteState.content_version).where(SiteState.id == 1)

# Set in session.info by a bump, so that the page cache can let version leases run out after the commit.
VERSION_BUMPED = "blog.content_version.bumped"


def bump_content_version(session: Session) -> None:
    """Mark every cached page stale, in the caller's transaction (for writes the ORM does not see)."""
    session.connection().execute(
        sa.update(SiteState).where(SiteState.id == 1)
        .values(content_version=SiteState.content_version + 1, changed_at=sa.func.now())
    )
    session.info[VERSION_BUMPED] = True


def bump_likes_version(session: Session) -> None:
    """Let cached pages pick up new like counts within PAGE_CACHE_LIKES_DELAY_SECONDS, in the
    caller's transaction; nothing waits (see HeldCounter)."""
    session.connection().execute(
        sa.update(SiteState).where(SiteState.id == 1).values(likes_version=SiteState.likes_version + 1))


def current_content_version() -> int:
    """The content version, read once a request: what public pages compute once per version (the
    menu and widgets, the categories' addresses) is cached under it."""
    if "content_version" not in g:
        g.content_version = db.session.scalar(_CURRENT) or 0
    return g.content_version


def remember_content_version(version: int) -> None:
    """Keep for this request a content version another query read (the page cache's)."""
    g.content_version = version
