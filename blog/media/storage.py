"""Where media files live, behind one small interface: a folder (the default) or the database
(MEDIA_STORAGE=database), which every app server sharing the database reaches.

Two buckets: "public" holds what /media/ serves (sizes, stripped of metadata); "originals" holds
uploads as they arrived, never served (they may carry the camera's location).
"""

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, Response, current_app, request, send_file, stream_with_context

from blog.media.models import StoredChunk, StoredFile
from extensions import db

BUCKETS = ("public", "originals")
# Keys are made by blog.media.naming: folders and names of letters, digits, dots, dashes, underscores.
SAFE_KEY = re.compile(r"^(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,199}/){0,4}[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$")
CACHE_SECONDS = 365 * 24 * 3600  # a file's name changes whenever its content could
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif",
                 "webp": "image/webp", "avif": "image/avif"}


class BadKey(ValueError):
    """A key that could name something outside the bucket."""


def checked_key(key: str) -> str:
    if not SAFE_KEY.match(key) or ".." in key:
        raise BadKey(key)
    return key


def content_type(key: str) -> str:
    return CONTENT_TYPES.get(key.rpartition(".")[2].lower(), "application/octet-stream")


@dataclass(frozen=True)
class Saved:
    size: int
    etag: str


class FolderStorage:
    """Files under a folder per bucket (instance/media and instance/media-originals by default)."""

    name = "folder"

    def __init__(self, roots: dict[str, Path]):
        self.roots = roots

    def _path(self, bucket: str, key: str) -> Path:
        return self.roots[bucket] / checked_key(key)

    def save(self, bucket: str, key: str, data: bytes) -> Saved:
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its place and renamed: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Saved(len(data), hashlib.sha256(data).hexdigest())

    def read(self, bucket: str, key: str) -> bytes | None:
        try:
            return self._path(bucket, key).read_bytes()
        except (FileNotFoundError, BadKey):
            return None

    def exists(self, bucket: str, key: str) -> bool:
        try:
            return self._path(bucket, key).is_file()
        except BadKey:
            return False

    def delete(self, bucket: str, key: str) -> None:
        self._path(bucket, key).unlink(missing_ok=True)

    def response(self, key: str) -> Response | None:
        try:
            path = self._path("public", key)
        except BadKey:
            return None
        if not path.is_file():
            return None
        return send_file(path, mimetype=content_type(key), conditional=True, etag=True, max_age=CACHE_SECONDS)


class DatabaseStorage:
    """Files in the database (stored_files and stored_chunks), written in the caller's transaction,
    so a media row and its files commit or vanish together; served in chunks with an ETag."""

    name = "database"
    CHUNK_BYTES = 256 * 1024

    def save(self, bucket: str, key: str, data: bytes) -> Saved:
        checked_key(key)
        self.delete(bucket, key)
        saved = Saved(len(data), hashlib.sha256(data).hexdigest())
        db.session.add(StoredFile(bucket=bucket, key=key, size=saved.size, etag=saved.etag))
        db.session.flush()
        chunks = [{"bucket": bucket, "key": key, "seq": seq, "data": data[start:start + self.CHUNK_BYTES]}
                  for seq, start in enumerate(range(0, max(len(data), 1), self.CHUNK_BYTES))]
        db.session.execute(sa.insert(StoredChunk), chunks)
        return saved

    def read(self, bucket: str, key: str) -> bytes | None:
        if not self.exists(bucket, key):
            return None
        return b"".join(self._chunks(bucket, key))

    def exists(self, bucket: str, key: str) -> bool:
        return db.session.get(StoredFile, (bucket, key)) is not None

    def delete(self, bucket: str, key: str) -> None:
        # Chunks first: SQLite enforces the cascade only with foreign keys switched on.
        where = {"bucket": bucket, "key": key}
        db.session.execute(sa.delete(StoredChunk).filter_by(**where))
        db.session.execute(sa.delete(StoredFile).filter_by(**where))

    def _chunks(self, bucket: str, key: str) -> Iterator[bytes]:
        """The file's chunks one query each, so a large file never sits in memory whole."""
        seq = 0
        while (data := db.session.scalar(sa.select(StoredChunk.data).filter_by(bucket=bucket, key=key, seq=seq))) \
                is not None:
            yield data
            seq += 1

    def response(self, key: str) -> Response | None:
        try:
            stored = db.session.get(StoredFile, ("public", checked_key(key)))
        except BadKey:
            return None
        if stored is None:
            return None
        etag = stored.etag
        if request.if_none_match.contains(etag):
            answer = Response(status=304)
        elif stored.size <= self.CHUNK_BYTES:
            answer = Response(b"".join(self._chunks("public", key)), mimetype=content_type(key))
        else:
            answer = Response(stream_with_context(self._chunks("public", key)), mimetype=content_type(key))
            answer.content_length = stored.size
        answer.set_etag(etag)
        answer.cache_control.public = True
        answer.cache_control.max_age = CACHE_SECONDS
        return answer


def storage() -> FolderStorage | DatabaseStorage:
    """The running app's media storage."""
    return current_app.extensions["media_storage"]


def init_app(app: Flask) -> None:
    kind = app.config["MEDIA_STORAGE"]
    if kind == "database":
        app.extensions["media_storage"] = DatabaseStorage()
    elif kind == "folder":
        root = Path(app.config["MEDIA_ROOT"] or Path(app.instance_path) / "media")
        originals = Path(app.config["MEDIA_ORIGINALS_ROOT"] or Path(app.instance_path) / "media-originals")
        app.extensions["media_storage"] = FolderStorage({"public": root, "originals": originals})
    else:
        raise RuntimeError(f"MEDIA_STORAGE must be 'folder' or 'database', not {kind!r}.")
