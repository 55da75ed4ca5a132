"""Write one item's comments with their threads: parents first, a batch per depth."""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from blog.counters import approved_comments
from blog.models import Comment, Post
from core.dbtypes import utcnow
from core.i18n import gettext as _
from extensions import db
from wordpress.wxr import mapping
from wordpress.wxr.reader import WXRComment, WXRError, WXRItem

comments = Comment.__table__
posts = Post.__table__


def _fit(value: str, column: sa.Column) -> str:
    return (value or "")[: column.type.length]


def _approved(comment: WXRComment) -> bool:
    return mapping.COMMENT_STATUS.get(comment.approved) == "approved"


class CommentWriter:
    def __init__(self, report, tz: ZoneInfo, users_by_wp_id: dict[int, int], orphans: str):
        if orphans not in ("error", "top-level"):
            raise ValueError("orphans must be 'error' or 'top-level'")
        self.report = report
        self.tz = tz
        self.users_by_wp_id = users_by_wp_id
        self.orphans = orphans

    def write(self, item: WXRItem, post_id: int, new_post: bool) -> None:
        """Add the item's comments that are not here yet, then recount the approved ones."""
        if not item.comments:
            return
        # file's comment id -> (id, root_id, depth) here, for the comments already here
        placed, fresh = self.match(item.comments, [] if new_post else self.existing(post_id))
        if not fresh:
            return
        depths = self.depths(fresh, placed)
        for depth in sorted(set(depths.values())):
            batch = [c for c in fresh.values() if depths[c.wp_id] == depth]
            self.insert_level(post_id, batch, depth, placed)
        self.report.imported["comments"] += len(fresh)
        self.count(post_id, new_post, fresh, depths)

    def match(self, file_comments: list[WXRComment], rows: list) -> tuple[dict, dict[int, WXRComment]]:
        """Which of the file's comments are already on the post, and which are new.

        First by id: a comment imported from WordPress keeps its id, and the export writes it
        back. Then as WordPress's importer does (comment_exists), by the same author and date:
        the export gives comments written here ids past WordPress's, which move with each import.
        """
        placed = {row.wp_id: (row.id, row.root_id, row.depth) for row in rows if row.wp_id is not None}
        claimed = {placed[c.wp_id][0] for c in file_comments if c.wp_id in placed}
        unclaimed: dict[tuple, list] = defaultdict(list)
        for row in rows:
            if row.id not in claimed:
                unclaimed[(row.author_name, row.created_at.replace(microsecond=0))].append(row)
        fresh: dict[int, WXRComment] = {}
        seen: set[int] = set()
        for comment in file_comments:
            if comment.wp_id in seen:
                self.report.skipped[_("comments listed twice in the file")] += 1
                continue
            seen.add(comment.wp_id)
            if comment.wp_id not in placed:
                key = (_fit(comment.author, comments.c.author_name), self.created_at(comment)) if unclaimed else None
                same = unclaimed.get(key)
                if not same:
                    fresh[comment.wp_id] = comment
                    continue
                row = same.pop(0)
                placed[comment.wp_id] = (row.id, row.root_id, row.depth)
            self.report.existing["comments"] += 1
        return placed, fresh

    @staticmethod
    def count(post_id: int, new_post: bool, fresh: dict[int, WXRComment], depths: dict[int, int]) -> None:
        """Set the post's approved comment and thread counts, which its comment pages are cut by."""
        if new_post:
            # Inserted with its comment count (approved_count); its threads are known only now.
            values = {"thread_count": sum(depths[c.wp_id] == 0 and _approved(c) for c in fresh.values())}
            if not values["thread_count"]:
                return
        else:
            values = {"comment_count": approved_comments(post_id),
                      "thread_count": approved_comments(post_id, top_level=True)}
        # updated_at is named so that its on-update default keeps WordPress's modified date.
        db.session.execute(
            sa.update(posts).where(posts.c.id == post_id).values(updated_at=posts.c.updated_at, **values)
        )

    @staticmethod
    def approved_count(item: WXRItem) -> int:
        """How many approved comments a new post gets from this item (first of each id)."""
        first = {}
        for comment in item.comments:
            first.setdefault(comment.wp_id, comment.approved)
        return sum(mapping.COMMENT_STATUS.get(status) == "approved" for status in first.values())

    @staticmethod
    def existing(post_id: int) -> list:
        """The post's comments, oldest first, with what matching and threading need."""
        columns = (comments.c.id, comments.c.root_id, comments.c.depth, comments.c.wp_id)
        query = sa.select(*columns, comments.c.author_name, comments.c.created_at).where(comments.c.post_id == post_id)
        return db.session.execute(query.order_by(comments.c.id)).all()

    def created_at(self, comment: WXRComment) -> datetime | None:
        return mapping.utc_from_wp(comment.date_gmt, comment.date, self.tz)

    def depths(self, fresh: dict[int, WXRComment], placed: dict) -> dict[int, int]:
        """Each new comment's depth (0 = top level); refuses loops and, unless told, orphans."""
        depths: dict[int, int] = {}
        for comment in fresh.values():
            chain, current = [], comment
            while True:
                if current.wp_id in depths:
                    base = depths[current.wp_id]
                    break
                chain.append(current)
                parent = current.parent
                if parent == 0:
                    base = -1
                    break
                if parent in placed:
                    base = placed[parent][2]
                    break
                if parent in fresh:
                    current = fresh[parent]
                    if current in chain:
                        raise WXRError(
                            _("comment %(id)s is its own ancestor (a reply loop)", id=current.wp_id),
                            current.line,
                        )
                    continue
                self.orphan(current)
                base = -1
                break
            for offset, member in enumerate(reversed(chain), start=1):
                depths[member.wp_id] = base + offset
        return depths

    def orphan(self, comment: WXRComment) -> None:
        if self.orphans == "error":
            raise WXRError(
                _("comment %(id)s replies to comment %(parent)s, which is not in the file. WordPress leaves spam "
                  "out of its exports, so a reply to spam can be orphaned: rerun with --orphans=top-level to import "
                  "such replies at the top level", id=comment.wp_id, parent=comment.parent),
                comment.line,
            )
        self.report.warn(_("line %(line)s: comment %(id)s replies to comment %(parent)s, which is not in the file; "
                           "imported at the top level", line=comment.line, id=comment.wp_id, parent=comment.parent))
        comment.parent = 0

    def insert_level(self, post_id: int, batch: list[WXRComment], depth: int, placed) -> None:
        rows = [self.row(post_id, comment, depth, placed) for comment in batch]
        ids = (
            db.session.execute(
                sa.insert(comments).returning(comments.c.id, sort_by_parameter_order=True), rows
            )
            .scalars()
            .all()
        )
        for comment, row, comment_id in zip(batch, rows, ids, strict=True):
            placed[comment.wp_id] = (comment_id, row["root_id"] or comment_id, depth)
        if depth == 0:
            # A top-level comment is the root of its own thread; its id is known only now.
            # Updated by primary key: in one long transaction, a "root_id IS NULL" search
            # would walk every earlier row's dead index entry.
            for start in range(0, len(ids), 500):
                db.session.execute(
                    sa.update(comments)
                    .where(comments.c.id.in_(ids[start : start + 500]))
                    .values(root_id=comments.c.id, updated_at=comments.c.updated_at)
                )

    def row(self, post_id: int, comment: WXRComment, depth: int, placed) -> dict:
        parent = placed.get(comment.parent) if comment.parent else None
        status = mapping.COMMENT_STATUS.get(comment.approved)
        if status is None:
            status = "pending"
            self.report.warn(_("line %(line)s: comment %(id)s has the unknown status %(status)s; held for "
                               "moderation", line=comment.line, id=comment.wp_id, status=repr(comment.approved)))
        user_id = None
        if comment.user_id:
            user_id = self.users_by_wp_id.get(comment.user_id)
            if user_id is None:
                self.report.skipped[_("user links of comments by users not among the authors")] += 1
        created_at = self.created_at(comment) or utcnow()
        return {
            "post_id": post_id,
            "parent_id": parent[0] if parent else None,
            "root_id": parent[1] if parent else None,
            "depth": depth,
            "author_name": _fit(comment.author, comments.c.author_name),
            "author_email": _fit(comment.author_email, comments.c.author_email),
            "author_url": _fit(comment.author_url, comments.c.author_url),
            "author_ip": _fit(comment.author_ip, comments.c.author_ip),
            "user_agent": "",
            "user_id": user_id,
            "body": comment.content,
            "status": status,
            "status_reason": "",
            "comment_type": _fit(comment.type or "comment", comments.c.comment_type),
            "created_at": created_at,
            "updated_at": created_at,
            "like_count": 0,
            "wp_id": comment.wp_id,
        }
