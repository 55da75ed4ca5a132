"""Media file names as WordPress makes them: the upload's name made safe, in a year/month folder,
with -1, -2... when the name is taken, and sizes named photo-300x200.jpg beside it."""

import re
import secrets
import unicodedata
from datetime import datetime

import sqlalchemy as sa

from blog.media.models import Media
from extensions import db

MAX_STEM = 80
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "AVIF": "avif"}
# A size's file: photo-300x200.jpg or photo-scaled.jpg; the part before is the media's own stem.
SIZE_SUFFIX = re.compile(r"-(?:\d{1,5}x\d{1,5}|scaled)(?=\.[a-z0-9]+$)")


def safe_stem(filename: str) -> str:
    """The file name without its extension, folder or anything a URL or a disk could trip on."""
    from slugify import slugify  # loaded by uploads only: page-serving workers never need it

    name = unicodedata.normalize("NFKC", filename.replace("\\", "/").rpartition("/")[2])
    stem = name.rpartition(".")[0] if "." in name.strip(".") else name
    stem = slugify(stem, max_length=MAX_STEM, word_boundary=True, lowercase=True)
    stem = SIZE_SUFFIX.sub("", stem + ".x")[:-2]  # never a name a size of another image would take
    return stem or "image"


def unique_path(stem: str, image_format: str, when: datetime) -> str:
    """A free "yyyy/mm/stem.ext" (stem-1, stem-2... when taken), chosen with one query."""
    folder, extension = f"{when:%Y}/{when:%m}", EXTENSIONS[image_format]
    taken = set(db.session.scalars(sa.select(Media.path).where(
        Media.path.like(f"{folder}/{stem}%", escape="\\"))))
    if f"{folder}/{stem}.{extension}" not in taken:
        return f"{folder}/{stem}.{extension}"
    for number in range(1, 1000):
        candidate = f"{folder}/{stem}-{number}.{extension}"
        if candidate not in taken:
            return candidate
    return f"{folder}/{stem}-{secrets.token_hex(4)}.{extension}"


def size_file(path: str, width: int, height: int) -> str:
    """The file name of a size of the media at `path`: photo-300x200.jpg."""
    stem, _, extension = path.rpartition("/")[2].rpartition(".")
    return f"{stem}-{width}x{height}.{extension}"


def scaled_file(path: str) -> str:
    stem, _, extension = path.rpartition("/")[2].rpartition(".")
    return f"{stem}-scaled.{extension}"


def media_path_of(url_path: str) -> str:
    """The media path a size's address belongs to: 2026/12/photo-300x200.jpg -> 2026/12/photo.jpg."""
    return SIZE_SUFFIX.sub("", url_path)
