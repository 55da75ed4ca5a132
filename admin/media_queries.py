"""What the Media Library and the editor's Featured image box read: the library's filtered list,
its months, the posts an image may be attached to, the images a post may feature."""

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from auth.models import User
from auth.roles import EDIT_OTHERS_POSTS
from blog.media.models import Media
from blog.models import Post
from core.i18n import gettext as _
from extensions import db

TYPES = {"jpeg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png"), "gif": ("GIF", "image/gif"),
         "webp": ("WebP", "image/webp"), "avif": ("AVIF", "image/avif")}
MAX_MONTHS = 240  # the month filter's menu; older months stay reachable by address
RECENT_FEATURED = 50  # the Featured image box offers this many recent images after the post's own
POST_CHOICES = 100  # the Attach box's posts, newest first
SEARCH_MAX = 200


@dataclass(frozen=True)
class LibraryFilter:
    """The library's search and filters, from the query string (anything unknown is ignored)."""

    search: str = ""
    type: str = ""  # a key of TYPES
    month: str = ""  # "yyyy-mm"
    attached: str = ""  # "attached", "unattached" or ""

    @classmethod
    def from_args(cls, args) -> "LibraryFilter":
        month = args.get("m", "")
        return cls(search=args.get("s", "").strip()[:SEARCH_MAX],
                   type=args.get("type", "") if args.get("type", "") in TYPES else "",
                   month=month if month_range(month) else "",
                   attached=args.get("attached", "") if args.get("attached") in ("attached", "unattached") else "")

    def args(self) -> dict[str, str]:
        """The non-empty filters, as query-string arguments (for paging links)."""
        return {name: value for name, value in (("s", self.search), ("type", self.type), ("m", self.month),
                                                ("attached", self.attached)) if value}


def month_range(month: str) -> tuple[datetime, datetime] | None:
    """The UTC start and end of "yyyy-mm", or None when it is not one."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        return None
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


def library_query(chosen: LibraryFilter) -> sa.Select:
    """The library's images matching the filters, newest first."""
    query = sa.select(Media).order_by(Media.uploaded_at.desc(), Media.id.desc())
    if chosen.search:
        pattern = "%" + chosen.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(*(column.ilike(pattern, escape="\\") for column in (
            Media.title, Media.original_name, Media.path, Media.alt_text))))
    if chosen.type:
        query = query.where(Media.mime_type == TYPES[chosen.type][1])
    if chosen.month:
        start, end = month_range(chosen.month)
        query = query.where(Media.uploaded_at >= start, Media.uploaded_at < end)
    if chosen.attached:
        query = query.where(Media.post_id.is_not(None) if chosen.attached == "attached" else Media.post_id.is_(None))
    return query


def upload_months() -> list[str]:
    """The months ("yyyy-mm") with uploads, newest first: one index seek per month."""
    months, before = [], None
    for _month in range(MAX_MONTHS):
        query = sa.select(sa.func.max(Media.uploaded_at))
        if before is not None:
            query = query.where(Media.uploaded_at < before)
        newest = db.session.scalar(query)
        if newest is None:
            break
        newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
        months.append(newest.astimezone(UTC).strftime("%Y-%m"))
        before = month_range(months[-1])[0]
    return months


def post_titles(post_ids: set[int]) -> dict[int, str]:
    """The titles of the posts images are attached to, by id."""
    if not post_ids:
        return {}
    return dict(db.session.execute(sa.select(Post.id, Post.title).where(Post.id.in_(post_ids))).all())


def author_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(user_ids))).all())


def attachable_posts(user, current_id: int | None) -> list[tuple[int, str]]:
    """The posts and pages this user may attach an image to (their own, or everyone's for Editors),
    newest first, with the one it is attached to now."""
    query = sa.select(Post.id, Post.title, Post.kind).order_by(Post.id.desc()).limit(POST_CHOICES)
    if not user.can(EDIT_OTHERS_POSTS):
        query = query.where(Post.author_id == user.id)
    rows = db.session.execute(query).all()
    if current_id is not None and current_id not in {row.id for row in rows}:
        rows += db.session.execute(sa.select(Post.id, Post.title, Post.kind).where(Post.id == current_id)).all()
    untitled = _("(no title)")
    return [(row.id, _("%(title)s (page)", title=row.title or untitled) if row.kind == "page"
             else row.title or untitled) for row in rows]


def featured_choices(post_id: int | None, current_id: int | None) -> list[Media]:
    """The images the Featured image box offers: the post's own, then the most recent ready ones,
    and the one featured now."""
    ready = sa.select(Media).where(Media.status == "ready")
    own = db.session.scalars(ready.where(Media.post_id == post_id).order_by(Media.id.desc())).all() if post_id else []
    recent = db.session.scalars(ready.order_by(Media.uploaded_at.desc(), Media.id.desc()).limit(RECENT_FEATURED)).all()
    chosen, seen = [], set()
    for media in [*own, *recent]:
        if media.id not in seen:
            seen.add(media.id)
            chosen.append(media)
    if current_id and current_id not in seen:
        current = db.session.get(Media, current_id)
        if current is not None and current.ready:
            chosen.insert(0, current)
    return chosen
