"""Import a WXR file in one transaction: authors, categories, tags, posts, pages, comments.

Keyed on guids and WordPress's ids (posts, see wordpress/wxr/matching.py), on ids or author and
date (comments) and on logins and slugs (authors, terms), so a second import of the same file
adds nothing, a newer export adds only what is new, and this blog's own export is recognised
as what it is. What is already here is never overwritten: after the move, this blog is where
moderation happens.
"""

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

import sqlalchemy as sa
from flask import current_app

from auth.models import User
from blog.content_version import bump_content_version
from blog.models import Post, Term, post_terms
from blog.permalinks import blog_timezone
from blog.terms import recount
from core.clean_input import DB_INT_MAX
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import language_name, ngettext, pgettext, primary_language
from extensions import db
from wordpress.wxr import mapping
from wordpress.wxr.attachments import Attachments
from wordpress.wxr.comments import CommentWriter
from wordpress.wxr.matching import PostMatcher, own_login_less_user
from wordpress.wxr.reader import WXRAuthor, WXRError, WXRItem, WXRLanguage, WXRSite, WXRTerm, read_wxr
from wordpress.wxr.report import ImportReport

posts = Post.__table__
terms = Term.__table__

Progress = Callable[[int, "ImportReport"], None]


def _fit(value: str | None, column: sa.Column) -> str:
    """Cut a value to its column's length; WordPress's columns are sometimes longer."""
    value = value or ""
    length = getattr(column.type, "length", None)
    return value[:length] if length else value


class _Importer:
    def __init__(self, report: ImportReport, orphans: str):
        self.report = report
        self.tz = blog_timezone()
        self.now = utcnow()
        self.line = None
        self.users_by_login: dict[str, int] = {}
        self.users_by_wp_id: dict[int, int] = {}
        self.term_ids: dict[tuple[str, str], int] = {}
        self.terms_seen: set[tuple[str, str]] = set()
        self.term_parents: list[tuple[int, str, str, int]] = []
        self.post_ids: dict[int, int] = {}
        self.page_parents: list[tuple[int, int, int]] = []
        self.offsets: dict[int, dict[tuple[int, int], datetime]] = {}
        self.day_changes = 0
        self.comments = CommentWriter(report, self.tz, self.users_by_wp_id, orphans)
        self.matcher = PostMatcher(self.tz, mapping.home_url())
        self.attachments = Attachments(report, self.tz)

    def handle(self, record) -> None:
        self.line = record.line
        if isinstance(record, WXRItem):
            self.item(record)
        elif isinstance(record, WXRAuthor):
            self.author(record)
        elif isinstance(record, WXRTerm):
            self.term(record)
        elif isinstance(record, WXRSite):
            self.attachments.site(record.base_site_url)
        elif isinstance(record, WXRLanguage):
            self.language(record.tag)

    def language(self, tag: str) -> None:
        """Warn when the file's language is not the blog's: its posts keep theirs, and the blog's
        own words around them (menus, dates, the comment form) are in the blog's."""
        site = current_app.config["BLOG_LANGUAGE"]
        if tag and primary_language(tag) != primary_language(site):
            self.report.warn(_("The file is in %(file)s (%(tag)s) and this blog in %(blog)s: the posts and comments "
                               "keep their language; set BLOG_LANGUAGE to change the blog's.",
                               file=language_name(tag), tag=tag, blog=language_name(site)))

    # -- authors -------------------------------------------------------------------------
    def author(self, rec: WXRAuthor) -> None:
        user_id = self.user_for(rec.login, rec.display_name, rec.email)
        if rec.wp_id:
            self.users_by_wp_id[rec.wp_id] = user_id

    def user_for(self, login: str, display_name: str = "", email: str = "") -> int | None:
        if not login:
            return None
        login = _fit(login, User.__table__.c.login)
        if login in self.users_by_login:
            return self.users_by_login[login]
        user_id = db.session.scalar(sa.select(User.id).where(User.login == login))
        if user_id is None:
            user_id = own_login_less_user(login, display_name, email)
        if user_id is None:
            user = User(
                login=login,
                display_name=_fit(display_name or login, User.__table__.c.display_name),
                email=_fit(email, User.__table__.c.email) or None,
                email_verified=False,
            )
            db.session.add(user)
            db.session.flush()
            user_id = user.id
            self.report.imported["authors"] += 1
        else:
            self.report.existing["authors"] += 1
        self.users_by_login[login] = user_id
        return user_id

    # -- categories and tags -------------------------------------------------------------
    def term(self, rec: WXRTerm) -> None:
        taxonomy = mapping.TAXONOMY.get(rec.taxonomy)
        if taxonomy is None:
            self.report.skipped[_("%(taxonomy)s terms (taxonomy not supported)", taxonomy=rec.taxonomy)] += 1
            return
        slug = unquote(rec.slug)
        if (taxonomy, slug) in self.terms_seen:
            return  # WordPress 6.1 lists each term twice: as wp:category/wp:tag and as wp:term
        self.terms_seen.add((taxonomy, slug))
        if self.term_id(taxonomy, slug) is not None:
            self.report.existing["categories" if taxonomy == "category" else "tags"] += 1
            return
        self.term_id(taxonomy, slug, rec.name, rec.description, create=True)
        if rec.parent_slug and taxonomy == "category":
            term_id = self.term_ids[(taxonomy, slug)]
            self.term_parents.append((term_id, taxonomy, unquote(rec.parent_slug), rec.line))

    def term_id(self, taxonomy, slug, name="", description="", create=False) -> int | None:
        key = (taxonomy, _fit(slug, terms.c.slug))
        if key not in self.term_ids:
            found = db.session.scalar(
                sa.select(terms.c.id).where(terms.c.taxonomy == key[0], terms.c.slug == key[1])
            )
            if found is None and not create:
                return None
            if found is None:
                found = db.session.execute(
                    sa.insert(terms)
                    .values(
                        taxonomy=taxonomy,
                        slug=key[1],
                        name=_fit(name or slug, terms.c.name),
                        description=description or "",
                    )
                    .returning(terms.c.id)
                ).scalar_one()
                self.report.imported["categories" if taxonomy == "category" else "tags"] += 1
            self.term_ids[key] = found
        return self.term_ids[key]

    # -- posts and pages -----------------------------------------------------------------
    def item(self, rec: WXRItem) -> None:
        self.report.items_read += 1
        self.report.comments_read += len(rec.comments)
        if rec.post_type == "attachment":
            self.attachments.add(rec, self.user_for(rec.creator))
            return
        if rec.post_type not in ("post", "page"):
            self.report.skipped[_("%(type)s items (post type not imported)", type=rec.post_type)] += 1
            return
        if rec.status in mapping.SKIPPED_POST_STATUSES:
            self.report.skipped[_("%(status)s items (not content)", status=rec.status)] += 1
            return
        status = mapping.POST_STATUS.get(rec.status)
        if status is None:
            self.report.skipped[_("items with unknown status %(status)s", status=repr(rec.status))] += 1
            return
        kind = "pages" if rec.post_type == "page" else "posts"
        if rec.wp_id in self.post_ids:
            post_id, new_post = self.post_ids[rec.wp_id], False
            self.report.skipped[_("pages listed twice in the file") if kind == "pages"
                                else _("posts listed twice in the file")] += 1
        elif (match := self.matcher.find(rec)).post_id is not None:
            post_id, new_post = match.post_id, False
            self.report.existing[kind] += 1
        else:
            post_id, new_post = self.insert_post(rec, status, match.wp_id_taken), True
        self.post_ids[rec.wp_id] = post_id
        if "_thumbnail_id" in rec.meta:
            self.attachments.thumbnail(post_id, rec.meta["_thumbnail_id"])
        self.comments.write(rec, post_id, new_post)
        self.refresh_statistics()

    def refresh_statistics(self) -> None:
        """On PostgreSQL, re-analyze the growing tables now and then (64, 256, 1024... items).

        The whole import is one transaction, so autovacuum never sees the new rows, and plans
        made while the tables were empty (sequential scans) would make the import quadratic.
        ANALYZE counts this transaction's own rows and invalidates those plans.
        """
        done = self.report.items_read
        if done >= 64 and done & (done - 1) == 0 and done.bit_length() % 2 == 1:
            if db.session.get_bind().dialect.name == "postgresql":
                db.session.execute(sa.text("ANALYZE posts, comments, post_terms, terms, users"))

    def insert_post(self, rec: WXRItem, status: str, wp_id_taken: bool) -> int:
        published_at = mapping.utc_from_wp(rec.post_date_gmt, rec.post_date, self.tz) or self.now
        self.note_offset(rec, published_at)
        if wp_id_taken:
            self.report.warn(_(
                "line %(line)s: “%(title)s” (WordPress id %(id)s) is not the post that has this id here, which "
                "came from another export: imported as a new post, and /?p=%(id)s still leads to the one here",
                line=rec.line, title=rec.title, id=rec.wp_id))
        parent_id = None
        if rec.post_type == "page" and rec.post_parent:
            parent_id = self.post_ids.get(rec.post_parent)
        row = {
            "kind": rec.post_type,
            "title": _fit(rec.title, posts.c.title),
            "slug": self.unique_slug(rec),
            "body": rec.content,
            "body_format": "html",
            "excerpt": rec.excerpt,
            "status": status,
            "published_at": published_at,
            "created_at": published_at,
            "updated_at": mapping.utc_from_wp(rec.modified_gmt, None, self.tz) or published_at,
            "author_id": self.user_for(rec.creator),
            "parent_id": parent_id,
            "comments_open": rec.comment_status == "open",
            "menu_order": max(-DB_INT_MAX, min(DB_INT_MAX, rec.menu_order)),
            "sticky": rec.sticky and rec.post_type == "post",
            "password": _fit(rec.password, posts.c.password),
            "comment_count": self.comments.approved_count(rec),
            "like_count": 0,
            "wp_id": None if wp_id_taken else rec.wp_id,
            "guid": _fit(rec.guid, posts.c.guid) or None,
        }
        post_id = db.session.execute(
            sa.insert(posts).values(row).returning(posts.c.id)
        ).scalar_one()
        if rec.post_type == "page" and rec.post_parent and parent_id is None:
            self.page_parents.append((post_id, rec.post_parent, rec.line))
        self.link_terms(rec, post_id)
        self.report.imported["pages" if rec.post_type == "page" else "posts"] += 1
        return post_id

    def unique_slug(self, rec: WXRItem) -> str:
        base = (
            unquote(rec.post_name) or mapping.slugify(rec.title) or f"{rec.post_type}-{rec.wp_id}"
        )
        base = _fit(base, posts.c.slug)
        slug, n = base, 2
        while db.session.scalar(sa.select(posts.c.id).where(posts.c.slug == slug)) is not None:
            slug, n = f"{base[:190]}-{n}", n + 1
        if slug != base and rec.post_name:
            self.report.warn(_("line %(line)s: the slug “%(slug)s” is taken here; WordPress post %(id)s was "
                               "imported as “%(new)s”", line=rec.line, slug=base, id=rec.wp_id, new=slug))
        return slug

    def link_terms(self, rec: WXRItem, post_id: int) -> None:
        ids = []
        for domain, nicename, name in rec.terms:
            taxonomy = mapping.TAXONOMY.get(domain)
            if taxonomy is None:
                self.report.skipped[_("%(taxonomy)s terms on items (taxonomy not supported)", taxonomy=domain)] += 1
                continue
            slug = unquote(nicename) or mapping.slugify(name)
            if slug:
                ids.append(self.term_id(taxonomy, slug, name, create=True))
        if ids:
            rows = [{"post_id": post_id, "term_id": term_id} for term_id in dict.fromkeys(ids)]
            db.session.execute(sa.insert(post_terms), rows)

    def note_offset(self, rec: WXRItem, published_at: datetime) -> None:
        """Collect WordPress's UTC offsets to tell whether permalinks keep their dates here."""
        if rec.post_date is None or rec.post_date_gmt is None:
            return
        if published_at.astimezone(self.tz).date() != rec.post_date.date():
            self.day_changes += 1
        offset = int((rec.post_date - rec.post_date_gmt).total_seconds())
        # One instant per offset and month, so that summer and winter time both get sampled.
        samples = self.offsets.setdefault(offset, {})
        month = (published_at.year, published_at.month)
        if month not in samples and len(samples) < 500:
            samples[month] = published_at

    # -- after the last record -----------------------------------------------------------
    def finish(self) -> None:
        for term_id, taxonomy, parent_slug, line in self.term_parents:
            parent_id = self.term_id(taxonomy, parent_slug)
            if parent_id is None:
                self.report.warn(_("line %(line)s: parent category “%(slug)s” is not in the export; the category "
                                   "was imported at the top level", line=line, slug=parent_slug))
            else:
                db.session.execute(
                    sa.update(terms).where(terms.c.id == term_id).values(parent_id=parent_id)
                )
        for post_id, wp_parent, line in self.page_parents:
            parent_id = self.post_ids.get(wp_parent) or db.session.scalar(
                sa.select(posts.c.id).where(posts.c.wp_id == wp_parent)
            )
            if parent_id is None:
                self.report.warn(_("line %(line)s: parent page %(id)s is not in the export; the page was imported "
                                   "at the top level", line=line, id=wp_parent))
            else:
                db.session.execute(
                    sa.update(posts)
                    .where(posts.c.id == post_id)
                    .values(parent_id=parent_id, updated_at=posts.c.updated_at)
                )
        recount(self.term_ids.values())  # the Categories and Tags screens' counts, and the widgets'
        self.warn_about_time_zone()

    def warn_about_time_zone(self) -> None:
        samples = [(at, off) for off, months in self.offsets.items() for at in months.values()]
        if all(at.astimezone(self.tz).utcoffset().total_seconds() == off for at, off in samples):
            return
        seen = ", ".join(_format_offset(offset) for offset in sorted(self.offsets))
        zones = mapping.zones_matching(samples)
        names = {"offsets": seen, "zone": self.tz.key}
        if zones:
            self.report.warn(ngettext(
                "WordPress's local times (UTC%(offsets)s) are not in BLOG_TIMEZONE=%(zone)s: %(num)d post(s) get a "
                "permalink dated a different day than in WordPress. Set BLOG_TIMEZONE to the WordPress site's time "
                "zone (it looks like %(zones)s) to keep every permalink; until then the WordPress-dated URLs "
                "redirect to the new ones.",
                "WordPress's local times (UTC%(offsets)s) are not in BLOG_TIMEZONE=%(zone)s: %(num)d post(s) get a "
                "permalink dated a different day than in WordPress. Set BLOG_TIMEZONE to the WordPress site's time "
                "zone (it looks like %(zones)s) to keep every permalink; until then the WordPress-dated URLs "
                "redirect to the new ones.",
                self.day_changes, zones=pgettext("between time zone names", " or ").join(zones), **names))
            return
        self.report.warn(ngettext(
            "WordPress's local times (UTC%(offsets)s) are not in BLOG_TIMEZONE=%(zone)s: %(num)d post(s) get a "
            "permalink dated a different day than in WordPress. Set BLOG_TIMEZONE to the WordPress site's time "
            "zone to keep every permalink; until then the WordPress-dated URLs redirect to the new ones.",
            "WordPress's local times (UTC%(offsets)s) are not in BLOG_TIMEZONE=%(zone)s: %(num)d post(s) get a "
            "permalink dated a different day than in WordPress. Set BLOG_TIMEZONE to the WordPress site's time "
            "zone to keep every permalink; until then the WordPress-dated URLs redirect to the new ones.",
            self.day_changes, **names))


def _format_offset(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def import_wxr(
    source: BinaryIO,
    *,
    orphans: str = "error",
    progress: Progress | None = None,
    uploads_dir: str | Path | None = None,
) -> ImportReport:
    """Import a WXR file (a binary file object) in one transaction; the CLI and admin call it.

    Raises WXRError, naming the line, for a file it cannot read; nothing is written then.
    `orphans="top-level"` imports a reply whose parent is not in the file (WordPress leaves spam
    out of its exports) as a top-level comment instead of refusing the file.
    Attachments come after that transaction (wordpress/wxr/attachments.py), with their files
    read from `uploads_dir`, a copy of WordPress's wp-content/uploads, when given.
    """
    report = ImportReport()
    importer = _Importer(report, orphans)
    started = time.perf_counter()
    try:
        for record in read_wxr(source):
            importer.handle(record)
            if progress is not None:
                progress(_position(source), report)
        importer.finish()
        if report.imported:
            # Core inserts bypass the ORM hook that marks cached pages stale; do it here.
            bump_content_version(db.session)
        db.session.commit()
    except sa.exc.DBAPIError as error:
        db.session.rollback()
        raise WXRError(_("the database refused this record: %(error)s", error=error.orig), importer.line) from error
    except BaseException:
        db.session.rollback()
        raise
    importer.attachments.finish(importer.post_ids, uploads_dir)
    report.seconds = time.perf_counter() - started
    return report


def _position(source) -> int:
    try:
        return source.tell()
    except (AttributeError, OSError, ValueError):
        return 0
