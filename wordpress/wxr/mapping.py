"""How WordPress's values map onto this blog's, both ways, shared by importer and exporter."""

import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from flask import url_for

WP_DATE = "%Y-%m-%d %H:%M:%S"

# WordPress post status -> ours. "future" is a published post dated later; it shows on its date.
POST_STATUS = {
    "publish": "published",
    "future": "published",
    "draft": "draft",
    "pending": "draft",
    "private": "private",
    "trash": "trash",
}
# Not content: revisions-in-progress WordPress never shows.
SKIPPED_POST_STATUSES = {"auto-draft", "inherit"}

# wp:comment_approved -> ours; "post-trashed" is a comment whose post went to the trash.
COMMENT_STATUS = {
    "1": "approved",
    "0": "pending",
    "spam": "spam",
    "trash": "trash",
    "post-trashed": "trash",
}
COMMENT_APPROVED = {"approved": "1", "pending": "0", "spam": "spam", "trash": "trash"}

# A guid in WordPress's own form, <home>/?p=<id>: this blog gives it to the posts written here.
GUID_WITH_ID = re.compile(r"(?P<home>.*)/\?p=(?P<id>[0-9]{1,18})")

TAXONOMY = {"category": "category", "post_tag": "tag"}
WP_TAXONOMY = {value: key for key, value in TAXONOMY.items()}


def utc_from_wp(gmt: datetime | None, local: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A WordPress date's instant: the GMT field, else the local one read in the blog's zone."""
    if gmt is not None:
        return gmt.replace(tzinfo=UTC)
    if local is not None:
        return local.replace(tzinfo=tz).astimezone(UTC)
    return None


def wp_date(value: datetime, tz: ZoneInfo | None = None) -> str:
    """A timestamp as WordPress writes it: in UTC (the *_gmt fields) or in the site's zone."""
    return value.astimezone(tz or UTC).strftime(WP_DATE)


def own_guid(post_id: int) -> str:
    """The guid of a post written here, as its feeds give it: stable while SITE_URL is."""
    return url_for("blog.index", p=post_id, _external=True)


def home_url() -> str:
    """This blog's address on SITE_URL, without the trailing slash (as guids are built on it)."""
    return url_for("blog.index", _external=True).rstrip("/")


def slugify(text: str) -> str:
    """A URL slug from a title, as WordPress makes one for a post that has none yet."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:190]


def zones_matching(samples: list[tuple[datetime, int]], limit: int = 4) -> list[str]:
    """Time zones whose UTC offset was, at each sampled instant, the offset WordPress used."""
    if not samples:
        return []
    regions = (
        "America/",
        "Europe/",
        "Asia/",
        "Africa/",
        "Australia/",
        "Pacific/",
        "Atlantic/",
        "Indian/",
        "Antarctica/",
    )
    found = []
    for name in sorted(available_timezones()):
        if not name.startswith(regions) and name != "UTC":
            continue
        zone = ZoneInfo(name)
        if all(
            instant.astimezone(zone).utcoffset().total_seconds() == offset
            for instant, offset in samples
        ):
            found.append(name)
    # The zones people pick in WordPress's settings list, when one fits, go first.
    preferred = {
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "Europe/London",
        "Europe/Paris",
        "Europe/Berlin",
        "Asia/Tokyo",
        "UTC",
        "Australia/Sydney",
        "Asia/Kolkata",
        "America/Sao_Paulo",
    }
    found.sort(key=lambda name: name not in preferred)
    return found[:limit]
