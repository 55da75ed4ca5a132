"""The old site's image URLs in imported posts, pointed at this blog's media where the file came.

WordPress links an image's sizes by name (photo-300x200.jpg), its big-image copy (photo-scaled.jpg)
and the file itself; each becomes the site-relative /media/ URL of the nearest size made here.
"""

import re
from urllib.parse import unquote

from blog.media.models import Media
from wordpress.wxr.report import ImportReport

# A WordPress size or copy of a file: photo-300x200.jpg, photo-scaled.jpg, photo-rotated.jpg.
WP_SIZE = re.compile(r"-(?:([0-9]{1,5})x([0-9]{1,5})|scaled|rotated)(?=\.[A-Za-z0-9]+$)")
# The rest of a URL after the uploads folder: stops at quotes, spaces, brackets and a srcset's comma.
REST = r"([^\s\"'<>()\[\],?#]+)(?:[?#][^\s\"'<>()\[\],]*)?"


def uploads_base(url: str) -> str:
    """The uploads folder's address without its scheme: "old.site/wp-content/uploads/"."""
    return re.sub(r"^(?:https?:)?//", "", url.strip(), flags=re.IGNORECASE).rstrip("/") + "/"


class ImageUrls:
    """Rewrites URLs under the old site's uploads folders, counting what it rewrote and left."""

    def __init__(self, bases: set[str], report: ImportReport, own: str):
        self.report = report
        self.own = own  # this blog's address: its URLs (an export of its own) are never "left"
        self.files: dict[str, Media] = {}  # "2022/10/photo.jpg" (as WordPress named it) -> media
        self.by_wp_id: dict[int, Media] = {}
        hosts = "|".join(re.escape(base) for base in sorted(bases, key=len, reverse=True))
        # Also the site-relative form some posts use: src="/wp-content/uploads/2022/10/photo.jpg".
        paths = {base.partition("/")[2] for base in bases if not base.startswith(own)} - {""}
        relative = "|".join(re.escape(path) for path in sorted(paths, key=len, reverse=True))
        start = rf"(?:https?:)?//(?:{hosts})" + (rf"|(?<=[\"'=\s(])/(?:{relative})" if relative else "")
        self.pattern = re.compile(rf"(?:{start}){REST}", re.IGNORECASE)

    def add(self, media: Media) -> None:
        self.by_wp_id[media.wp_id] = media

    def alias(self, attached_file: str, wp_id: int) -> None:
        """The WordPress name of an attachment's file, and of the original beside its copy."""
        media = self.by_wp_id.get(wp_id)
        if media is not None and attached_file:
            self.files.setdefault(attached_file, media)
            self.files.setdefault(WP_SIZE.sub("", attached_file), media)

    def rewrite(self, html: str) -> str:
        if "//" not in html:
            return html
        return self.pattern.sub(self._one, html)

    def _one(self, match: re.Match) -> str:
        relative = unquote(match.group(1))
        media = self.files.get(relative)
        size = None
        if media is None:
            size = WP_SIZE.search(relative)
            media = self.files.get(WP_SIZE.sub("", relative))
        if media is None:
            if not uploads_base(match.group(0)).startswith(self.own):
                self.report.url_left(match.group(0))
            return match.group(0)
        self.report.image_urls_rewritten += 1
        if size is None or size.group(1) is None:
            return media.url("full")
        return media.url(nearest_size(media, int(size.group(1)), int(size.group(2))))


def nearest_size(media: Media, width: int, height: int) -> str:
    """The size made here closest to a WordPress size's width and height (the full image at worst)."""
    sizes = media.sizes or {}
    if not sizes:
        return "full"
    return min(sizes, key=lambda name: (abs(sizes[name]["width"] - width) + abs(sizes[name]["height"] - height),
                                        name != "full"))
