"""The media library's rows: an uploaded image, and the stored files of the database storage."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, utcnow
from extensions import db

MEDIA_STATUSES = ("queued", "processing", "ready", "failed")


class Media(db.Model):
    """An uploaded image (WordPress's attachment): its public files are `path` and its sizes."""

    __tablename__ = "media"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {MEDIA_STATUSES}", name="status"),
        sa.Index("ix_media_library", "uploaded_at", "id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Where its files live under /media/: "2026/12/photo.jpg"; sizes sit beside it (photo-300x200.jpg).
    path: Mapped[str] = mapped_column(sa.String(255), unique=True)
    # The file as uploaded, kept out of public reach (it may carry the camera's location).
    original_key: Mapped[str] = mapped_column(sa.String(300))
    original_name: Mapped[str] = mapped_column(sa.String(255), default="")  # the uploader's file name
    mime_type: Mapped[str] = mapped_column(sa.String(50))
    file_size: Mapped[int] = mapped_column(default=0)  # bytes uploaded
    width: Mapped[int | None] = mapped_column()  # of the full-size public image
    height: Mapped[int | None] = mapped_column()
    animated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    title: Mapped[str] = mapped_column(sa.String(255), default="")
    alt_text: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    caption: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(12), default="queued")
    error: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # name -> {"file": "photo-300x200.jpg", "width": 300, "height": 200, "bytes": 12345}; "full" is
    # always there once processed (photo.jpg, or photo-scaled.jpg when capped).
    sizes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # claimed by a processor
    wp_id: Mapped[int | None] = mapped_column(unique=True)  # the attachment's id in a WordPress import

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    def file_key(self, size: str = "full") -> str:
        """The storage key of a size's file (the full size when that size does not exist)."""
        entry = self.sizes.get(size) or self.sizes.get("full")
        return f"{self.folder}/{entry['file']}" if entry else self.path

    def url(self, size: str = "full") -> str:
        """The site-relative address of a size (the full size when that size does not exist)."""
        return "/media/" + self.file_key(size)


class StoredFile(db.Model):
    """A file kept by the database storage (blog.media.storage.DatabaseStorage), in chunks."""

    __tablename__ = "stored_files"

    bucket: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # "public" or "originals"
    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    size: Mapped[int] = mapped_column()
    etag: Mapped[str] = mapped_column(sa.String(64))  # the content's SHA-256, hex
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredChunk(db.Model):
    """One piece of a stored file, small enough to stream without holding the file in memory."""

    __tablename__ = "stored_chunks"
    __table_args__ = (
        sa.ForeignKeyConstraint(["bucket", "key"], ["stored_files.bucket", "stored_files.key"],
                                ondelete="CASCADE"),
    )

    bucket: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
