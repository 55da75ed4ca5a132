"""The media library's one service: upload, process into sizes, edit, attach, delete, list.

Small images are made into their sizes within the upload's request; larger ones answer at once as
"queued" and are processed off the request path (blog.media.background, and the worker's pass for
anything a stopped process left behind).

Pillow is imported when an image is first handled, not with the app: workers that only serve
pages never load it.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from blog.media.errors import ImageRefused
from blog.media.models import Media
from blog.media.naming import safe_stem, unique_path
from blog.media.storage import storage
from blog.models import Post
from blog.settings import get_setting
from core.clean_input import without_nul
from core.dbtypes import utcnow
from core.i18n import gettext as _
from extensions import db

log = logging.getLogger(__name__)
STALE_CLAIM = timedelta(minutes=10)  # a processor that held an image this long has died

__all__ = ["ImageRefused", "upload", "process", "process_queued", "update_details", "attach", "delete",
           "max_upload_bytes"]


def max_upload_bytes() -> int:
    """The largest file the owner accepts (Settings -> Media), in bytes."""
    return int(float(get_setting("media_max_upload_mb")) * 1024 * 1024)


def upload(data: bytes, filename: str, author_id: int | None, post_id: int | None = None,
           title: str | None = None, alt_text: str = "", when: datetime | None = None) -> Media:
    """Store an uploaded image and make its sizes (now, or soon when it is large); raise
    ImageRefused with the reason for anything we do not store. Commits."""
    if len(data) > max_upload_bytes():
        raise ImageRefused(_("The file is larger than the %(limit)s MB limit.",
                             limit=get_setting("media_max_upload_mb")))
    from blog.media.images import inspect

    config = current_app.config
    found = inspect(data, config["MEDIA_MAX_PIXELS"], config["MEDIA_MAX_FRAMES"])
    stem, when = safe_stem(filename), when or utcnow()
    for _attempt in range(3):  # two uploads of one name at once: the loser takes the next number
        path = unique_path(stem, found.format, when)
        name, _dot, extension = path.rpartition(".")
        media = Media(path=path, original_key=f"{name}-{secrets.token_hex(6)}.{extension}",
                      original_name=_printable(filename)[:255], mime_type=found.mime_type, file_size=len(data),
                      width=found.width, height=found.height, animated=found.animated,
                      title=without_nul(title if title is not None else stem.replace("-", " "))[:255],
                      alt_text=without_nul(alt_text)[:1000], post_id=post_id, author_id=author_id, uploaded_at=when)
        try:
            with db.session.begin_nested():
                db.session.add(media)
                db.session.flush()
        except IntegrityError:
            continue
        break
    else:
        raise ImageRefused(_("Another file of this name is being uploaded: try again."))
    storage().save("originals", media.original_key, data)
    if found.width * found.height * found.frames <= config["MEDIA_INLINE_MAX_PIXELS"]:
        _make_files(media, data)
    db.session.commit()
    if media.status == "queued":
        from blog.media import background

        background.schedule(media.id)
    return media


def _printable(filename: str) -> str:
    """The uploader's file name, shown in the library, without NUL and other control characters."""
    return "".join(char for char in filename if char.isprintable())


def process(media_id: int) -> bool:
    """Make the sizes of a queued image, unless another processor holds it; True when made."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(Media).where(Media.id == media_id, sa.or_(
            Media.status == "queued",
            sa.and_(Media.status == "processing", Media.processing_since < now - STALE_CLAIM)))
        .values(status="processing", processing_since=now)).rowcount
    db.session.commit()
    if not claimed:
        return False
    media = db.session.get(Media, media_id)
    data = storage().read("originals", media.original_key)
    if data is None:
        media.status, media.error = "failed", "The uploaded file is missing from storage."
    else:
        _make_files(media, data)
    db.session.commit()
    return media.status == "ready"


def _make_files(media: Media, data: bytes) -> None:
    from blog.media.images import make_sizes

    try:
        files = make_sizes(data, media.path)
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as error:
        log.warning("media %s: could not be processed: %s", media.id, error)
        media.status, media.error = "failed", "The image is damaged or incomplete and could not be read."
        return
    sizes = {}
    for name, sized in files.items():
        saved = storage().save("public", f"{media.folder}/{sized.file}", sized.data)
        sizes[name] = {"file": sized.file, "width": sized.width, "height": sized.height, "bytes": saved.size}
    media.sizes, media.status, media.error = sizes, "ready", ""
    media.width, media.height = sizes["full"]["width"], sizes["full"]["height"]


def process_queued(limit: int = 10) -> str | None:
    """The worker's pass: process images left queued (or held by a processor that stopped)."""
    stale = utcnow() - STALE_CLAIM
    waiting = db.session.scalars(sa.select(Media.id).where(sa.or_(
        Media.status == "queued", sa.and_(Media.status == "processing", Media.processing_since < stale)))
        .order_by(Media.id).limit(limit)).all()
    made = sum(process(media_id) for media_id in waiting)
    return f"media: processed {made} of {len(waiting)} queued images" if waiting else None


@dataclass
class Details:
    title: str
    alt_text: str
    caption: str
    description: str


def update_details(media: Media, details: Details) -> None:
    """Change what the library says about an image (staff who may edit it). Commits."""
    media.title, media.alt_text = without_nul(details.title)[:255], without_nul(details.alt_text)[:1000]
    media.caption, media.description = without_nul(details.caption), without_nul(details.description)
    db.session.commit()


def attach(media: Media, post: Post | None) -> None:
    """Attach the image to a post (its parent, as in WordPress), or detach it with None. Commits."""
    media.post_id = post.id if post is not None else None
    db.session.commit()


def delete(media: Media) -> None:
    """Remove the image, its files and its use as a featured image (staff who may edit it). Commits."""
    db.session.execute(sa.update(Post).where(Post.featured_media_id == media.id).values(featured_media_id=None))
    keys = {media.path} | {f"{media.folder}/{entry['file']}" for entry in (media.sizes or {}).values()}
    original_key = media.original_key
    db.session.delete(media)
    for key in keys:
        storage().delete("public", key)
    storage().delete("originals", original_key)
    db.session.commit()
