"""Which of a file's posts and authors are already here: imported before, or this blog's own.

A post is known by its guid, which WordPress never changes, and which this blog's export gives
its own posts in WordPress's form (<home>/?p=<id>, see mapping.own_guid); failing that, by its
WordPress id, as long as nothing says it is another site's post with the same id. Comments are
matched in wordpress/wxr/comments.py, once their post is known.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from auth.models import User
from blog.models import Post
from extensions import db
from wordpress.wxr import mapping
from wordpress.wxr.reader import WXRItem

posts = Post.__table__
OWN_LOGIN = re.compile(r"user-([0-9]{1,18})")  # what the export writes for a user without a login


# The posts an item may be, in one query built once: an import asks it for every item.
CANDIDATES = (
    sa.select(posts.c.id, posts.c.guid, posts.c.wp_id, posts.c.kind, posts.c.slug, posts.c.published_at)
    .where(
        sa.or_(
            posts.c.guid == sa.bindparam("guid"),
            posts.c.wp_id == sa.bindparam("wp_id"),
            posts.c.id == sa.bindparam("own_id"),  # its guid is checked here: the key alone is fast
        )
    )
    .order_by(posts.c.id)
)


@dataclass(slots=True)
class PostMatch:
    post_id: int | None  # the post this item already is here
    wp_id_taken: bool = False  # another post here holds the item's WordPress id


class PostMatcher:
    def __init__(self, tz: ZoneInfo, home: str):
        self.tz = tz
        self.home = home

    def find(self, rec: WXRItem) -> PostMatch:
        """The post here that this item is: by guid, as a post written here, by WordPress id."""
        guid = (rec.guid or "")[: posts.c.guid.type.length]
        own = mapping.GUID_WITH_ID.fullmatch(guid) if guid else None
        params = {"wp_id": rec.wp_id, "guid": guid or None, "own_id": int(own["id"]) if own else None}
        rows = db.session.execute(CANDIDATES, params).all()
        for row in rows:
            if guid and row.guid == guid:
                return PostMatch(row.id)
        for row in rows:
            if own and row.id == int(own["id"]) and row.guid is None and self.is_own(row, own["home"], rec):
                return PostMatch(row.id)
        for row in rows:
            if row.wp_id == rec.wp_id:
                # Same WordPress id and no guid to tell them apart, or a guid rewritten when the
                # WordPress site moved (its date stays): the same post. Else another site's post.
                if not row.guid or not guid or self.same_instant(row.published_at, rec):
                    return PostMatch(row.id)
                return PostMatch(None, wp_id_taken=True)
        return PostMatch(None)

    def is_own(self, row, home: str, rec: WXRItem) -> bool:
        """Whether this post written here is the one the item exports (guid <home>/?p=<its id>).

        Another WordPress site's guid has the same form, so the post must also agree on its date,
        or on its slug when the guid is on this blog's address (a draft dated when published).
        """
        if row.kind != rec.post_type:
            return False
        same_slug = home == self.home and row.slug == unquote(rec.post_name)
        return same_slug or self.same_instant(row.published_at, rec)

    def same_instant(self, published_at: datetime, rec: WXRItem) -> bool:
        """Published at the second the item says (WXR dates have no fractions of a second)."""
        at = mapping.utc_from_wp(rec.post_date_gmt, rec.post_date, self.tz)
        return at is not None and published_at.replace(microsecond=0) == at


def own_login_less_user(login: str, display_name: str, email: str) -> int | None:
    """The user without a login that this blog's export named `user-<id>`, if it is this one."""
    match = OWN_LOGIN.fullmatch(login)
    if match is None:
        return None
    user = db.session.get(User, int(match[1]))
    if user is None or user.login is not None:
        return None
    if user.display_name == display_name or (email and user.email == email):
        return user.id
    return None
