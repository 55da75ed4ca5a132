"""Site settings stored in the database, with WordPress's defaults for the discussion rules."""

import sqlalchemy as sa
from flask import g
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from blog.models import Setting
from extensions import db

DISCUSSION_DEFAULTS: dict[str, object] = {
    # Before a comment appears
    "comment_moderation": False,  # "Comment must be manually approved"
    "comment_previously_approved": True,  # "Comment author must have a previously approved comment"
    "comment_max_links": 2,  # hold a comment with this many links or more
    "moderation_keys": "",  # one word, IP or fragment per line: hold
    "disallowed_keys": "",  # one per line: send to the trash
    # Other comment settings
    "require_name_email": True,
    "comment_flood_seconds": 15,
    "close_comments_for_old_posts": False,
    "close_comments_days_old": 14,
    "thread_comments": True,
    "thread_comments_depth": 5,
    "page_comments": True,
    "comments_per_page": 50,
    "default_comments_page": "newest",  # which comment page is shown first: "newest" or "oldest"
    "show_avatars": True,
    "avatar_source": "local",  # "local" identicons, or "gravatar" (a third-party request)
    # Email me whenever
    "comments_notify": True,  # anyone posts a comment
    "moderation_notify": True,  # a comment is held for moderation
    "signed_moderation_links": True,  # mail links act without logging in, after confirmation
    # Commenters' own words and data
    "comment_edit_minutes": 15,  # a commenter may edit or delete their comment this long; 0: never
    "comment_ip_retention_days": None,  # keep comments' IP and user agent this long; None: forever, 0: never
    "privacy_policy_page_id": 0,  # the page linked beside the comment form as the privacy policy; 0: none
    "comment_privacy_consent": False,  # the comment form asks the commenter to accept the privacy policy
    # Spam defence (blog.spam)
    "spam_filter_enabled": True,  # the learning filter scores new comments
    "spam_filter_threshold": 0.65,  # a score at or above this holds or spams the comment
    "spam_filter_action": "hold",  # what a score over the threshold does: "hold" or "spam"
    "akismet_unreachable": "hold",  # when Akismet (if configured) cannot answer: "hold" or "allow"
    "report_hold_count": 3,  # hold an approved comment once this many distinct readers report it; 0: never
    "new_commenter_hold_count": 0,  # hold the first this many comments of a new author; 0: off
    "new_commenter_hold_domains": "",  # hold comments from emails at these domains (one per line)
    # Admin
    "admin_comments_per_page": 20,
    "empty_trash_days": 30,
}

# The Security settings screen's (admin.security_views), kept in the same table.
SECURITY_DEFAULTS: dict[str, object] = {
    "require_two_factor_for_admins": False,  # Administrators log in with a second step (auth.two_factor)
}

# The Widgets screen's (admin.widget_views): the sidebar's widgets, in order (blog.navigation.WIDGETS).
APPEARANCE_DEFAULTS: dict[str, object] = {
    "sidebar_widgets": ["search", "recent_posts", "recent_comments", "archives", "categories"],
}

# The Media settings screen's (admin.media_views).
MEDIA_DEFAULTS: dict[str, object] = {
    "media_max_upload_mb": 10,  # the largest upload, answered with 413 above it
    "image_hosts": "",  # other sites posts may show images from (one https host per line), for the CSP
}

# The Mentions & fediverse screen's (admin.federation_views).
FEDERATION_DEFAULTS: dict[str, object] = {
    "webmention_enabled": True,  # accept Webmentions and send them for published posts
    "activitypub_enabled": True,  # the blog is a fediverse actor others can follow and reply to
    "federation_blocked_domains": "",  # servers refused at the inbox and the Webmention endpoint (one per line)
}

DEFAULTS = DISCUSSION_DEFAULTS | SECURITY_DEFAULTS | APPEARANCE_DEFAULTS | MEDIA_DEFAULTS | FEDERATION_DEFAULTS


_STORED = sa.select(Setting.key, Setting.value)  # built once: every page reads the settings


class StoredSettingsJSON(FunctionElement):
    """Every stored setting as one JSON object, a column another query can bring along: the post
    page's lookup does, so the page pays one round trip to the database fewer."""

    type = sa.JSON()
    inherit_cache = True


@compiles(StoredSettingsJSON, "postgresql")
def _stored_settings_json_postgresql(_element, _compiler, **_kw) -> str:
    return "(SELECT json_object_agg(settings.key, settings.value) FROM settings)"


@compiles(StoredSettingsJSON, "sqlite")
def _stored_settings_json_sqlite(_element, _compiler, **_kw) -> str:
    return "(SELECT json_group_object(settings.key, json(settings.value)) FROM settings)"


def get_settings() -> dict[str, object]:
    """Every setting: the stored value where there is one, else the default (read once a request)."""
    if "settings" not in g:
        remember_stored_settings(dict(db.session.execute(_STORED).tuples().all()))
    return g.settings


def remember_stored_settings(stored: dict | None) -> None:
    """Keep for this request the stored settings another query read (a StoredSettingsJSON column)."""
    stored = stored or {}  # no stored setting at all reads as NULL
    g.settings = {key: stored.get(key, default) for key, default in DEFAULTS.items()}


def get_setting(key: str) -> object:
    return get_settings()[key]


def save_settings(values: dict[str, object]) -> None:
    """Store the given settings (known keys only) in the caller's transaction."""
    for key, value in values.items():
        if key not in DEFAULTS:
            raise KeyError(f"unknown setting {key!r}")
        db.session.merge(Setting(key=key, value=value))
    g.pop("settings", None)
