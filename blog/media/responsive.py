"""Images in posts as browsers want them: the media library's sizes in srcset, width and height
(no layout shift), lazy loading after the first; one query per post body, cached per content version."""

import re
from functools import lru_cache
from html import escape, unescape
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from blog.content_version import current_content_version
from blog.media.models import Media
from blog.media.naming import media_path_of
from extensions import db

IMG_TAG = re.compile(r"<img\b[^>]*>")
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')
SRCSET_SIZES = ("medium", "medium_large", "large", "full")  # same shape as the image; thumbnails are cropped
# The theme's text column (static/css/blog.css --measure, less the page's padding on a phone): an
# image wider than it is shown at its width.
COLUMN_PIXELS = 672
COLUMN_SIZES = "(max-width: 45rem) calc(100vw - 2.5rem), 42rem"


def media_path_in(src: str, site_url: str) -> str | None:
    """The media path an image address points at on this site, or None for anything else."""
    if src.startswith(site_url.rstrip("/") + "/media/"):
        src = src[len(site_url.rstrip("/")):]
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path.startswith("/media/"):
        return None
    return parts.path[len("/media/"):]


def sized_images(html: str, first_eager: bool = True) -> str:
    """Post HTML (already sanitized) with its library images given sizes; others left as they are.
    The first image loads at once when `first_eager` (it may be what a reader sees first)."""
    if "/media/" not in html:
        return html
    app_key = current_app.extensions["media_app_key"]  # tests build many apps with one version number
    return _sized_images(app_key, current_content_version(), current_app.config["SITE_URL"], html, first_eager)


@lru_cache(maxsize=256)
def _sized_images(_app_key: str, _version: int, site_url: str, html: str, first_eager: bool) -> str:
    wanted = {path: media_path_of(path) for tag in IMG_TAG.findall(html)
              if (path := media_path_in(dict(ATTRIBUTE.findall(tag)).get("src", ""), site_url))}
    if not wanted:
        return html
    found = {media.path: media for media in db.session.scalars(
        sa.select(Media).where(Media.path.in_(set(wanted.values())), Media.status == "ready"))}
    first = first_eager

    def rewrite(match: re.Match) -> str:
        nonlocal first
        attributes = dict(ATTRIBUTE.findall(match.group(0)))
        path = media_path_in(attributes.get("src", ""), site_url)
        media = found.get(wanted.get(path)) if path else None
        if media is None:
            return match.group(0)
        tag = image_tag(media, _size_named_by(media, path), alt=unescape(attributes.get("alt", "")),
                        eager=first, title=unescape(attributes.get("title", "")))
        first = False
        return tag

    return IMG_TAG.sub(rewrite, html)


def _size_named_by(media: Media, path: str) -> str:
    """Which size an address asks for: the file's own size, or "large" for the image's main name."""
    file = path.rpartition("/")[2]
    for name, entry in media.sizes.items():
        if entry["file"] == file and name != "full":
            return name
    return "large"


def image_tag(media: Media, size: str = "large", alt: str | None = None, eager: bool = False,
              title: str = "", css_class: str = "", sizes: str | None = None) -> str:
    """An <img> for a size of a library image, with srcset and dimensions (not lazy when eager)."""
    entry = media.sizes.get(size) or media.sizes["full"]
    attributes = {"src": media.url(size), "alt": media.alt_text if alt is None or alt == "" else alt,
                  "width": entry["width"], "height": entry["height"]}
    if title:
        attributes["title"] = title
    if css_class:
        attributes["class"] = css_class
    if size != "thumbnail":
        candidates = [(media.url(name), media.sizes[name]["width"]) for name in SRCSET_SIZES if name in media.sizes]
        if len(candidates) > 1:
            attributes["srcset"] = ", ".join(f"{url} {width}w" for url, width in candidates)
            attributes["sizes"] = sizes or (COLUMN_SIZES if entry["width"] >= COLUMN_PIXELS else
                                            f"(max-width: {entry['width']}px) 100vw, {entry['width']}px")
    attributes["decoding"] = "async"
    if eager:
        attributes["fetchpriority"] = "high"
    else:
        attributes["loading"] = "lazy"
    return "<img " + " ".join(f'{name}="{escape(str(value))}"' for name, value in attributes.items()) + ">"


def featured_image(media: Media | None, size: str = "large", eager: bool = False, css_class: str = "",
                   sizes: str | None = None) -> Markup:
    """A post's featured image for a template, or nothing when it has none (or it is not ready)."""
    if media is None or media.status != "ready":
        return Markup("")
    return Markup(image_tag(media, size, eager=eager, css_class=css_class, sizes=sizes))


def absolute_media_urls(html: str) -> str:
    """Post HTML for a feed: the library's site-relative image addresses made absolute (SITE_URL)."""
    site = current_app.config["SITE_URL"].rstrip("/")
    return html.replace('src="/media/', f'src="{site}/media/').replace('href="/media/', f'href="{site}/media/')
