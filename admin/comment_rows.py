"""What a row of the comment lists shows beside the comment, and the notices after a moderation step."""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from markupsafe import Markup

from admin.queries import author_names, latest_moves, pending_by_post
from auth.roles import may_edit_post
from blog.models import Comment, ModerationLog
from blog.moderation import move_label
from blog.settings import get_settings
from blog.spam.reports import open_report_counts
from blog.spam.standings import histories_for
from blog.templating import local_date
from core.dbtypes import utcnow

EXACT_DATE = "%Y/%m/%d at %-I:%M %p"
_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))


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


def plural(count: int, noun: str = "comment") -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def time_ago(then: datetime, now: datetime) -> str:
    """A past moment as people say it ("2 minutes ago"), rounded down to its largest unit."""
    seconds = max(0.0, (now - then).total_seconds())
    for unit, size in _UNITS:
        if seconds >= size:
            return f"{plural(int(seconds // size), unit)} ago"
    return "just now"


def _note(entry: ModerationLog, now: datetime) -> MoveNote:
    return MoveNote(move_label(entry.from_status, entry.to_status), entry.moderator_name,
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
        "parents": {parent_id: ParentLink(name or "Anonymous", url_for("blog.comment_link", comment_id=parent_id))
                    for parent_id, name in names.items()},
        "editable": {c.post_id for c in comments if may_edit_post(user, c.post)},
        "reports": open_report_counts([c.id for c in comments]),
        "histories": histories_for(comments),
    }
    return extras


_UNDO_WORDS = {"spam": "marked as spam", "trash": "moved to the Trash"}


def undo_notice(action: str, ids: list[int], author: str | None = None) -> dict:
    """The notice after Spam or Trash, with what its Undo form sends back; `author` for one row.

    The text is Markup with the author's name escaped, so that it can travel in a flash message.
    """
    words = _UNDO_WORDS[action]
    if author is not None:
        text = Markup("Comment by <b>{}</b> {}.").format(author or "Anonymous", words)
    else:
        text = Markup("{} {}.").format(plural(len(ids)), words)
    return {"text": text, "action": action, "ids": list(ids)}


_BULK_WORDS = {"approve": "approved", "unapprove": "unapproved", "unspam": "restored from the spam",
               "restore": "restored from the Trash", "delete": "deleted permanently", **_UNDO_WORDS}


def bulk_message(action: str, changed: int) -> str:
    if not changed:
        return "No comments were changed: the selected ones were there already."
    return f"{plural(changed)} {_BULK_WORDS[action]}."


def undone_message(restored: list[Comment]) -> str:
    if len(restored) == 1:
        return f"Comment by {restored[0].author_name or 'Anonymous'} restored."
    return f"{plural(len(restored))} restored."
