"""Comments being written, held on the server while their author logs in with a provider.

The browser's session holds a random key; the table holds its hash, the hash of the OAuth state of
the log-in the draft waits for, and what the form held. Nothing of it travels in a URL.
"""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import session
from sqlalchemy.exc import DBAPIError

from blog.forms import CommentForm
from blog.models import CommentDraft
from core.dbtypes import utcnow
from extensions import db

log = logging.getLogger(__name__)

SESSION_KEY = "comment_draft"  # a personal session key (page_cache.hooks): such a page is never cached
KEEP_FOR = timedelta(days=1)
# The comment form's own fields. Any other is a section another part added (notify's follow-by-mail
# boxes): those are the draft's choices.
OWN_FIELDS = frozenset(CommentForm.__dict__) | {"csrf_token"}
CHOICE_MAX = 64  # a choice is a tick or a short option value


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _by_key(key: str) -> CommentDraft | None:
    return db.session.scalar(sa.select(CommentDraft).where(CommentDraft.key_hash == _digest(key)))


def form_choices(form) -> dict:
    """The values of the fields other parts added to the comment form, as the reader set them."""
    return {field.name: field.data for field in form
            if field.name not in OWN_FIELDS and _is_choice(field.data)}


def _is_choice(value) -> bool:
    return isinstance(value, bool) or (isinstance(value, str) and len(value) <= CHOICE_MAX)


def save(post_id: int, body: str, parent_id: int, choices: dict, state: str | None) -> None:
    """Hold this session's comment for a post until it comes back from log-in `state`; one per
    session, so a newer draft replaces the older. For the log-in-with-draft view."""
    key = session.get(SESSION_KEY)
    draft = _by_key(key) if isinstance(key, str) else None
    if draft is None:
        key = secrets.token_urlsafe(32)
        draft = CommentDraft(key_hash=_digest(key))
        db.session.add(draft)
    draft.post_id, draft.body, draft.parent_id, draft.choices = post_id, body, max(parent_id, 0), choices
    draft.state_hash = _digest(state) if state else None
    draft.created_at = utcnow()
    db.session.commit()
    session[SESSION_KEY] = key


def find(post_id: int) -> CommentDraft | None:
    """This session's unexpired draft for the post, if any; the post page's form asks."""
    key = session.get(SESSION_KEY)
    if not key:
        return None
    draft = _by_key(key) if isinstance(key, str) else None
    if draft is None or draft.created_at < utcnow() - KEEP_FOR:
        session.pop(SESSION_KEY)  # nothing left to show: the reader's pages may be cached again
        return None
    return draft if draft.post_id == post_id else None


def fill_form(form, post_id: int) -> None:
    """Put this session's draft for the post back in the comment form (text, reply target, choices)."""
    draft = find(post_id)
    if draft is None:
        return
    form.comment.data = draft.body
    if draft.parent_id:
        form.comment_parent.data = draft.parent_id
    for name, value in (draft.choices or {}).items():
        if name in form and name not in OWN_FIELDS and _is_choice(value):
            form[name].data = value


def discard(post_id: int) -> None:
    """Forget this session's draft for the post once its comment was accepted; comment_post calls it."""
    key = session.get(SESSION_KEY)
    if not isinstance(key, str):
        return
    try:
        gone = db.session.execute(sa.delete(CommentDraft).where(
            CommentDraft.key_hash == _digest(key), CommentDraft.post_id == post_id)).rowcount
        db.session.commit()
    except DBAPIError:
        # The comment is saved: a draft left behind only expires with the others.
        db.session.rollback()
        log.warning("comment draft of post %s not discarded: database error", post_id)
        return
    if gone:
        session.pop(SESSION_KEY)


def carry_over(old_key: str, state: str | None) -> None:
    """Move the draft of a session that a log-in just replaced to the new session, when the draft
    waits for this log-in (`state`: the callback's; None after the second log-in step, which only
    the browser that passed the first reaches). For the hooks around auth's log-in views."""
    draft = _by_key(old_key)
    if draft is None or (state is not None and draft.state_hash != _digest(state)):
        return
    key = secrets.token_urlsafe(32)
    draft.key_hash, draft.state_hash = _digest(key), None  # each session its own key; a state serves once
    try:
        db.session.commit()
    except DBAPIError:
        db.session.rollback()  # the log-in stands; only the draft stays behind
        log.warning("a comment draft was not carried into the new session: database error")
        return
    session[SESSION_KEY] = key


def purge_old_drafts(now: datetime) -> int:
    """Delete drafts held longer than a day and commit; returns how many (the daily cron)."""
    removed = db.session.execute(sa.delete(CommentDraft).where(CommentDraft.created_at < now - KEEP_FOR)).rowcount
    db.session.commit()
    return removed
