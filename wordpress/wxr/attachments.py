"""WordPress attachments: media rows with their files read from a copy of wp-content/uploads,
featured images, and the imported posts' image URLs pointed at this blog's media.

This runs after the import's transaction has committed: the media library commits each file it
stores, so a file that fails never undoes the posts, and an import run again carries on where
this one stopped (attachments are keyed on their WordPress id, as Media.wp_id).

An attachment whose file is not at hand (no --uploads-dir, or not in it) is kept as a media row
with the status "failed" and no files, saying how to bring the file; the library shows it, and an
import with --uploads-dir replaces it with the real image (same details, same featured posts).
"""

import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa

from blog.content_version import bump_content_version
from blog.media import library
from blog.media.errors import ImageRefused
from blog.media.models import Media
from blog.media.naming import media_path_of, safe_stem, unique_path
from blog.models import Post
from core.dbtypes import utcnow
from core.i18n import gettext as _
from extensions import db
from wordpress.wxr import mapping
from wordpress.wxr.image_urls import ImageUrls, uploads_base
from wordpress.wxr.reader import WXRItem
from wordpress.wxr.report import ImportReport

log = logging.getLogger(__name__)
posts = Post.__table__

NOT_IMPORTED = "File not imported: run the import again with --uploads-dir"
# The extensions of the images the library stores, and the format each is made into.
IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "jpe": "JPEG", "png": "PNG", "gif": "GIF",
                 "webp": "WEBP", "avif": "AVIF"}
MIME_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
              "AVIF": "image/avif"}
# WordPress's copy of a big image (5.3+) or of a rotated one; the original sits beside it.
WP_COPY = re.compile(r"-(?:scaled|rotated)(?=\.[A-Za-z0-9]+$)")
YEAR_MONTH = re.compile(r"([0-9]{4})/([0-9]{2})/")
METADATA_SIZE = re.compile(r's:5:"width";i:([0-9]{1,6});s:6:"height";i:([0-9]{1,6});')
PROCESSING_WAIT_SECONDS = 900  # a queued image another thread holds; it is finished well before
CHUNK = 500


@dataclass(slots=True)
class Attachment:
    line: int
    wp_id: int
    title: str
    alt_text: str
    caption: str
    description: str
    parent_wp_id: int
    author_id: int | None
    date: datetime | None  # UTC
    attached_file: str  # relative to wp-content/uploads: "2022/10/photo.jpg"
    url: str  # wp:attachment_url
    width: int | None
    height: int | None


@dataclass(slots=True)
class Found:
    """What the uploads folder holds for an attachment: its bytes, or why not."""

    data: bytes | None = None
    filename: str = ""
    refused: str = ""  # a file we will not read or store: the reason
    missing: str = ""  # not in the folder: where it was looked for


class Attachments:
    """Collects a file's attachments and featured images while the import reads it, then imports."""

    def __init__(self, report: ImportReport, tz):
        self.report = report
        self.tz = tz
        self.items: list[Attachment] = []
        self.thumbnails: dict[int, int] = {}  # our post id -> WordPress attachment id
        self.bases: set[str] = set()

    def site(self, base_site_url: str) -> None:
        if base_site_url:
            self.bases.add(uploads_base(base_site_url.rstrip("/") + "/wp-content/uploads/"))

    def add(self, rec: WXRItem, author_id: int | None) -> None:
        attached = rec.meta.get("_wp_attached_file", "").strip() or _relative_in_uploads(rec.attachment_url)
        size = METADATA_SIZE.search(rec.meta.get("_wp_attachment_metadata", ""))
        self.items.append(Attachment(
            line=rec.line, wp_id=rec.wp_id, title=rec.title, caption=rec.excerpt, description=rec.content,
            alt_text=rec.meta.get("_wp_attachment_image_alt", ""), parent_wp_id=rec.post_parent,
            author_id=author_id, date=mapping.utc_from_wp(rec.post_date_gmt, rec.post_date, self.tz),
            attached_file=attached, url=rec.attachment_url,
            width=int(size[1]) if size else None, height=int(size[2]) if size else None))
        # Where the file was: its URL, and its guid, which keeps the address the site had at upload.
        for url in (rec.attachment_url, rec.guid):
            if url and attached and url.endswith(attached):
                self.bases.add(uploads_base(url[: -len(attached)]))
            elif "/wp-content/uploads/" in url:
                self.bases.add(uploads_base(url.split("/wp-content/uploads/")[0] + "/wp-content/uploads/"))

    def thumbnail(self, post_id: int, value: str) -> None:
        value = value.strip()
        if value.isdigit() and len(value) < 19:
            self.thumbnails[post_id] = int(value)

    # -- after the import's commit ------------------------------------------------------------
    def finish(self, post_ids: dict[int, int], uploads_dir: str | Path | None) -> None:
        """Import the attachments, set featured images, rewrite image URLs; commits as it goes."""
        root = self.uploads_root(Path(uploads_dir).resolve()) if uploads_dir else None
        queued = []
        for attachment in self.items:
            media_id, status = self.one(attachment, post_ids, root)
            if status in ("queued", "processing"):
                queued.append(media_id)
        _wait_for_sizes(queued)
        featured = self.featured_images()
        rewritten = self.rewrite_urls(set(post_ids.values()))
        if self.items or featured or rewritten:
            bump_content_version(db.session)  # core updates bypass the hook that marks pages stale
            db.session.commit()

    def one(self, att: Attachment, post_ids: dict[int, int], root: Path | None) -> tuple[int | None, str]:
        existing = self.existing(att)
        parent_id = self.parent(att, post_ids)
        if existing is not None and not _placeholder(existing):
            self.update(existing, att, parent_id)
            self.report.media["updated"] += 1
            db.session.commit()
            return existing.id, existing.status
        if not att.attached_file:
            self.report.skipped[_("attachments without a file name (_wp_attached_file)")] += 1
            return None, ""
        name = PurePosixPath(att.attached_file.replace("\\", "/")).name
        if not _safe_relative(att.attached_file):
            found = Found(refused=_("the file name points outside the uploads folder; not read"))
        elif _image_format(name) is None:
            self.report.skipped[_("attachments that are not images (the media library holds images)")] += 1
            return None, ""
        else:
            found = self.find(att, root) if root is not None else Found(missing="")
        if found.refused:
            self.report.media["refused"] += 1
            self.report.warn(_("line %(line)s: attachment %(id)s (%(file)s): %(reason)s", line=att.line,
                               id=att.wp_id, file=repr(att.attached_file), reason=found.refused))
            return None, ""
        if found.data is None:
            if found.missing:
                self.report.warn(_("line %(line)s: attachment %(id)s: %(reason)s", line=att.line, id=att.wp_id,
                                   reason=found.missing))
            return self.without_file(att, existing, parent_id)
        old_id = None
        if existing is not None:  # a row kept without its file: the image takes its place
            old_id = existing.id
            db.session.delete(existing)
            db.session.flush()
        try:
            media = library.upload(found.data, found.filename, att.author_id, parent_id, att.title or None,
                                   att.alt_text, when=self.when(att))
        except ImageRefused as error:
            db.session.rollback()
            self.report.media["refused"] += 1
            self.report.warn(_("line %(line)s: attachment %(id)s (%(file)s): %(reason)s", line=att.line,
                               id=att.wp_id, file=att.attached_file, reason=error))
            return None, ""
        media.wp_id, media.caption, media.description = att.wp_id, att.caption, att.description
        if old_id is not None:
            db.session.execute(sa.update(Post).where(Post.featured_media_id == old_id)
                               .values(featured_media_id=media.id))
        db.session.commit()
        if media.status == "failed":
            self.report.media["refused"] += 1
            self.report.warn(_("line %(line)s: attachment %(id)s (%(file)s): %(reason)s", line=att.line,
                               id=att.wp_id, file=att.attached_file, reason=media.error))
        else:
            self.report.media["imported"] += 1
        return media.id, media.status

    def existing(self, att: Attachment) -> Media | None:
        """The media row this attachment already is: imported before, or this blog's own export."""
        media = db.session.scalar(sa.select(Media).where(Media.wp_id == att.wp_id))
        if media is not None:
            return media
        home = mapping.home_url() + "/media/"
        if att.url.startswith(home):
            return db.session.scalar(sa.select(Media).where(
                Media.path == media_path_of(unquote(att.url[len(home):])), Media.wp_id.is_(None)))
        return None

    def parent(self, att: Attachment, post_ids: dict[int, int]) -> int | None:
        if not att.parent_wp_id:
            return None
        return post_ids.get(att.parent_wp_id) or db.session.scalar(
            sa.select(posts.c.id).where(posts.c.wp_id == att.parent_wp_id))

    def update(self, media: Media, att: Attachment, parent_id: int | None) -> None:
        media.title, media.alt_text = att.title[:255], att.alt_text[:1000]
        media.caption, media.description = att.caption, att.description
        if parent_id is not None:
            media.post_id = parent_id

    def without_file(self, att: Attachment, existing: Media | None, parent_id: int | None) -> tuple[int | None, str]:
        """Keep an image attachment's details as a failed media row until its file comes."""
        if existing is not None:
            self.update(existing, att, parent_id)
            db.session.commit()
            self.report.media["without file"] += 1
            return existing.id, existing.status
        name = PurePosixPath(att.attached_file).name
        image_format = _image_format(name)
        when = self.when(att) or utcnow()
        path = unique_path(safe_stem(name), image_format, when)
        stem, _dot, extension = path.rpartition(".")
        media = Media(path=path, original_key=f"{stem}-{secrets.token_hex(6)}.{extension}",
                      original_name=name[:255], mime_type=MIME_TYPES[image_format], file_size=0,
                      width=att.width, height=att.height, title=att.title[:255], alt_text=att.alt_text[:1000],
                      caption=att.caption, description=att.description, status="failed", error=NOT_IMPORTED,
                      sizes={}, post_id=parent_id, author_id=att.author_id, uploaded_at=when, wp_id=att.wp_id)
        db.session.add(media)
        db.session.commit()
        self.report.media["without file"] += 1
        return media.id, media.status

    def uploads_root(self, folder: Path) -> Path:
        """The uploads folder itself, also when given the WordPress folder or wp-content above it."""
        named = [att.attached_file for att in self.items if _safe_relative(att.attached_file)]
        for root in (folder, folder / "uploads", folder / "wp-content" / "uploads"):
            if any((root / name).is_file() for name in named[:20]):
                return root
        return folder

    def find(self, att: Attachment, root: Path) -> Found:
        """The attachment's file in the uploads folder: the original beside a "-scaled" copy first."""
        relative = att.attached_file
        if not _safe_relative(relative):
            return Found(refused=_("the file name points outside the uploads folder; not read"))
        wanted = [relative]
        if WP_COPY.search(relative):
            wanted.insert(0, WP_COPY.sub("", relative))
        too_big = ""
        for name in wanted:
            path = (root / name).resolve()
            if not path.is_relative_to(root):
                return Found(refused=_("the file is a link to outside the uploads folder; not read"))
            if not path.is_file():
                continue
            if path.stat().st_size > library.max_upload_bytes():
                too_big = _("%(name)s is larger than the media size limit (Settings -> Media)", name=name)
                continue
            return Found(data=path.read_bytes(), filename=path.name)
        if too_big:
            return Found(refused=too_big)
        return Found(missing=_("%(name)s is not in the uploads folder", name=relative))

    def when(self, att: Attachment) -> datetime | None:
        """A time in the attached file's year/month folder, so the file keeps its yyyy/mm."""
        folder = YEAR_MONTH.match(att.attached_file)
        if folder is None or not (1970 <= int(folder[1]) <= 9999 and 1 <= int(folder[2]) <= 12):
            return att.date
        year, month = int(folder[1]), int(folder[2])
        if att.date is not None and (att.date.year, att.date.month) == (year, month):
            return att.date
        return datetime(year, month, 1, 12, tzinfo=UTC)

    def featured_images(self) -> int:
        """Posts' _thumbnail_id: set where the post has no featured image yet; how many were set."""
        wanted = sorted(set(self.thumbnails.values()))
        media_ids = {}
        for start in range(0, len(wanted), CHUNK):
            media_ids.update(db.session.execute(sa.select(Media.wp_id, Media.id).where(
                Media.wp_id.in_(wanted[start:start + CHUNK]))).all())
        changed = 0
        for post_id, wp_id in self.thumbnails.items():
            if wp_id in media_ids:
                changed += db.session.execute(
                    sa.update(posts).where(posts.c.id == post_id, posts.c.featured_media_id.is_(None))
                    .values(featured_media_id=media_ids[wp_id], updated_at=posts.c.updated_at)).rowcount
            else:
                self.report.warn(_("the featured image of post %(post)s (attachment %(id)s) is not in the export",
                                   post=post_id, id=wp_id))
        db.session.commit()
        return changed

    def rewrite_urls(self, post_ids: set[int]) -> int:
        """Old-site image URLs in the file's posts -> this blog's media, where the file came."""
        if not self.bases:
            return 0
        before = self.report.image_urls_rewritten
        wp_ids = [att.wp_id for att in self.items]
        urls = ImageUrls(self.bases, self.report, own=uploads_base(mapping.home_url()))
        for start in range(0, len(wp_ids), CHUNK):
            for media in db.session.scalars(sa.select(Media).where(Media.wp_id.in_(wp_ids[start:start + CHUNK]),
                                                                   Media.status == "ready")):
                urls.add(media)
        for att in self.items:
            urls.alias(att.attached_file, att.wp_id)
        ids = sorted(post_ids)
        for start in range(0, len(ids), CHUNK):
            rows = db.session.execute(sa.select(posts.c.id, posts.c.body, posts.c.excerpt)
                                      .where(posts.c.id.in_(ids[start:start + CHUNK]))).all()
            for row in rows:
                body, excerpt = urls.rewrite(row.body or ""), urls.rewrite(row.excerpt or "")
                if body != (row.body or "") or excerpt != (row.excerpt or ""):
                    db.session.execute(sa.update(posts).where(posts.c.id == row.id)
                                       .values(body=body, excerpt=excerpt, updated_at=posts.c.updated_at))
        db.session.commit()
        return self.report.image_urls_rewritten - before


def _image_format(filename: str) -> str | None:
    return IMAGE_FORMATS.get(filename.rpartition(".")[2].lower()) if "." in filename else None


def _placeholder(media: Media) -> bool:
    return media.status == "failed" and not media.sizes and media.error == NOT_IMPORTED


def _relative_in_uploads(url: str) -> str:
    path = unquote(urlsplit(url).path)
    return path.split("/wp-content/uploads/", 1)[1] if "/wp-content/uploads/" in path else ""


def _safe_relative(relative: str) -> bool:
    """A path inside the uploads folder: relative, no "..", no drive, no NUL, no backslash."""
    if not relative or "\x00" in relative or "\\" in relative:
        return False
    posix, windows = PurePosixPath(relative), PureWindowsPath(relative)
    if posix.is_absolute() or windows.drive or windows.root:
        return False
    return all(part not in ("..", ".") for part in posix.parts)


def _wait_for_sizes(media_ids: list[int]) -> None:
    """Make the sizes of the queued images now, or wait for the thread that holds them."""
    pending = set(media_ids)
    deadline = time.monotonic() + PROCESSING_WAIT_SECONDS
    while pending:
        for media_id in sorted(pending):
            library.process(media_id)
        pending = set(db.session.scalars(sa.select(Media.id).where(
            Media.id.in_(pending), Media.status.in_(("queued", "processing")))))
        if pending and time.monotonic() > deadline:
            log.warning("media %s: still being processed; their URLs stay at full size", sorted(pending))
            return
        if pending:
            time.sleep(0.2)
