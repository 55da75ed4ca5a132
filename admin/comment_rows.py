"""What a row of the comment lists shows beside the comment, and the notices after a moderation step."""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from markupsafe import Markup, escape

from admin.queries import author_names, latest_moves, pending_by_post
from admin.stored_labels import LOG_ACTOR
from auth.roles import may_edit_post
from blog.models import Comment, ModerationLog
from blog.moderation import move_label
from blog.settings import get_settings
from blog.spam.reports import open_report_counts
from blog.spam.standings import histories_for
from blog.templating import local_date
from core.dates import cldr_ago, language, reads_english_phrases
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import ngettext

EXACT_DATE = "%Y/%m/%d at %-I:%M %p"
# Largest unit first: each says its count "ago" with the plural forms of the language.
_UNITS = (
    (365 * 86400, lambda n: ngettext("%(num)d year ago", "%(num)d years ago", n)),
    (30 * 86400, lambda n: ngettext("%(num)d month ago", "%(num)d months ago", n)),
    (86400, lambda n: ngettext("%(num)d day ago", "%(num)d days ago", n)),
    (3600, lambda n: ngettext("%(num)d hour ago", "%(num)d hours ago", n)),
    (60, lambda n: ngettext("%(num)d minute ago", "%(num)d minutes ago", n)),
)


@dataclass(frozen=True)
class MoveNote:
    """A moderator's latest move of a comment: "Marked as spam by Ada", "2 minutes ago"."""

    label: str
    who: str
    ago: str
    at: datetime
    exact: str


@dataclass(frozen=True)
class ParentLink:
    name: str
    url: str


def time_ago(then: datetime, now: datetime) -> str:
    """A past moment as people say it ("2 minutes ago", "vor 2 Minuten"), rounded down to its largest
    unit: English's phrases from the catalogue, other languages' from CLDR (core.dates)."""
    seconds = max(0.0, (now - then).total_seconds())
    lang = language()
    for size, ago in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            return ago(count) if reads_english_phrases(lang) else cldr_ago(size, count, lang)
    return _("just now")


def _note(entry: ModerationLog, now: datetime) -> MoveNote:
    who = entry.moderator_name if entry.moderator_id else LOG_ACTOR(entry.moderator_name)  # a mail link, a purge
    return MoveNote(move_label(entry.from_status, entry.to_status), who,
                    time_ago(entry.created_at, now), entry.created_at, local_date(entry.created_at, EXACT_DATE))


def row_extras(comments: list[Comment], user) -> dict:
    """What the rows show beyond each comment: its post's pending count, its permalink, the latest
    moderator's move that put it where it is, the parent a reply answers, readers' open reports, its
    author's history and standing (a few queries a page), and which posts `user` may open in the editor."""
    extras = {"settings": get_settings(), "pending": {}, "links": {}, "notes": {}, "parents": {}, "editable": set(),
              "reports": {}, "histories": {}}
    if not comments:
        return extras
    now = utcnow()
    moves = latest_moves({c.id for c in comments})
    names = author_names({c.parent_id for c in comments if c.parent_id})
    # Each link resolves its comment page only when followed: no query per row here.
    extras |= {
        "pending": pending_by_post({c.post_id for c in comments}),
        "links": {c.id: url_for("blog.comment_link", comment_id=c.id) for c in comments},
        # A move older than the status (an import, say) no longer explains it.
        "notes": {c.id: _note(moves[c.id], now) for c in comments
                  if c.id in moves and moves[c.id].to_status == c.status},
        "parents": {parent_id: ParentLink(name or _("Anonymous"), url_for("blog.comment_link", comment_id=parent_id))
                    for parent_id, name in names.items()},
        "editable": {c.post_id for c in comments if may_edit_post(user, c.post)},
        "reports": open_report_counts([c.id for c in comments]),
        "histories": histories_for(comments),
    }
    return extras


# What a moderation step did to one comment by its author, and to a number of comments.
_ONE_DONE = {
    "spam": lambda: _("Comment by <b>%(author)s</b> marked as spam."),
    "trash": lambda: _("Comment by <b>%(author)s</b> moved to the Trash."),
}
_MANY_DONE = {
    "approve": lambda n: ngettext("%(num)d comment approved.", "%(num)d comments approved.", n),
    "unapprove": lambda n: ngettext("%(num)d comment unapproved.", "%(num)d comments unapproved.", n),
    "unspam": lambda n: ngettext("%(num)d comment restored from the spam.",
                                 "%(num)d comments restored from the spam.", n),
    "restore": lambda n: ngettext("%(num)d comment restored from the Trash.",
                                  "%(num)d comments restored from the Trash.", n),
    "delete": lambda n: ngettext("%(num)d comment deleted permanently.", "%(num)d comments deleted permanently.", n),
    "spam": lambda n: ngettext("%(num)d comment marked as spam.", "%(num)d comments marked as spam.", n),
    "trash": lambda n: ngettext("%(num)d comment moved to the Trash.", "%(num)d comments moved to the Trash.", n),
}


def undo_notice(action: str, ids: list[int], author: str | None = None) -> dict:
    """The notice after Spam or Trash, with what its Undo form sends back; `author` for one row.

    The text is Markup with the author's name escaped, so that it can travel in a flash message.
    """
    if author is not None:
        text = Markup(_ONE_DONE[action]()) % {"author": author or _("Anonymous")}
    else:
        text = escape(_MANY_DONE[action](len(ids)))
    return {"text": text, "action": action, "ids": list(ids)}


def bulk_message(action: str, changed: int) -> str:
    if not changed:
        return _("No comments were changed: the selected ones were there already.")
    return _MANY_DONE[action](changed)


def deleted_message(removed: int) -> str:
    """After Empty Spam or Empty Trash."""
    return _MANY_DONE["delete"](removed)


def undone_message(restored: list[Comment]) -> str:
    if len(restored) == 1:
        return _("Comment by %(author)s restored.", author=restored[0].author_name or _("Anonymous"))
    return ngettext("%(num)d comment restored.", "%(num)d comments restored.", len(restored))
