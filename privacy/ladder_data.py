"""The commenters' ladder in a person's data (blog.spam.standings): what their export shows of it,
and what their erasure removes and keeps."""

import sqlalchemy as sa

from blog.models import Comment
from blog.spam.models import CommenterAction, CommenterStanding
from blog.spam.standings import normalized_email, normalized_ip
from extensions import db

BATCH = 500  # ladder keys read at a time

# The ladder's rungs that erasure keeps, with their history: keeping a commenter it suspended or
# banned away is the blog's legitimate interest, an overriding ground to keep the data (GDPR art.
# 6(1)(f) and 17(1)(c)); else erasure would be a way round a ban. Trust and always hold go.
KEPT_LEVELS = ("suspended", "banned", "shadow")


def _ladder_keys(email: str, user_ids: list[int]) -> list[tuple[str, str]]:
    """The person's own (kind, value) keys on the commenters' ladder: their accounts, and their email
    as the ladder keys it (normalised, not just lower-cased: Ada.L+x@ is adal@)."""
    keys = [("account", str(user_id)) for user_id in user_ids]
    if value := normalized_email(email):
        keys.append(("email", value))
    return keys


def _ip_keys(their_comments: sa.ColumnElement[bool]) -> list[tuple[str, str]]:
    """The addresses the person's comments were sent from, as the ladder keys them."""
    ips = db.session.scalars(sa.select(Comment.author_ip).distinct()
                             .where(their_comments, Comment.author_ip != ""))
    return sorted({("ip", ip) for ip in map(normalized_ip, ips) if ip})


def _about(model, keys: list[tuple[str, str]]) -> sa.ColumnElement[bool]:
    return sa.tuple_(model.kind, model.value).in_(keys) if keys else sa.false()


def standings(email: str, user_ids: list[int], their_comments: sa.ColumnElement[bool]) -> dict[str, list[dict]]:
    """Where the person stands on the commenters' ladder, by account, email and the addresses of
    their comments (`their_comments`), and the moderators' steps on those keys (without the
    moderators' names)."""
    # A shadow ban is disclosed here, though the blog shows it nowhere else: the right of access
    # (GDPR art. 15) covers the moderators' measures about a person, a shadow ban included. That is
    # the law's choice, not the blog's. Who took each step is left out: a moderator's name is their
    # personal data, not the requester's (art. 15(4)).
    keys = _ladder_keys(email, user_ids) + _ip_keys(their_comments)
    found: dict[str, list[dict]] = {"standings": [], "history": []}
    for start in range(0, len(keys), BATCH):  # a long-time commenter may have used many addresses
        chunk = keys[start:start + BATCH]
        found["standings"] += [dict(row) for row in db.session.execute(
            sa.select(CommenterStanding.kind, CommenterStanding.value, CommenterStanding.level,
                      CommenterStanding.until, CommenterStanding.note, CommenterStanding.updated_at)
            .where(_about(CommenterStanding, chunk))).mappings()]
        found["history"] += [dict(row) for row in db.session.execute(
            sa.select(CommenterAction.id, CommenterAction.kind, CommenterAction.value, CommenterAction.level,
                      CommenterAction.until, CommenterAction.note, CommenterAction.created_at)
            .where(_about(CommenterAction, chunk))).mappings()]
    found["standings"].sort(key=lambda row: (row["kind"], row["value"]))
    found["history"].sort(key=lambda row: row["id"])
    for row in found["history"]:
        del row["id"]  # internal: it only put the steps in order
    return found


def erase_standings(email: str, user_ids: list[int]) -> tuple[int, int]:
    """Delete the person's trusted and always-hold standings, and the history of each key of theirs
    that keeps no standing; a suspension, ban or shadow ban stays whole (KEPT_LEVELS). Returns
    (deleted, kept). Their addresses' standings stay: an address may be shared, and its rung may be
    about someone else."""
    keys = _ladder_keys(email, user_ids)
    # Locked, so that a moderator's ban set meanwhile is either seen here or made after the deletion.
    rows = db.session.execute(sa.select(CommenterStanding.id, CommenterStanding.kind, CommenterStanding.value,
                                        CommenterStanding.level)
                              .where(_about(CommenterStanding, keys)).with_for_update()).all()
    kept = {(row.kind, row.value) for row in rows if row.level in KEPT_LEVELS}
    gone = [row.id for row in rows if row.level not in KEPT_LEVELS]
    if gone:
        db.session.execute(sa.delete(CommenterStanding).where(CommenterStanding.id.in_(gone))
                           .execution_options(synchronize_session=False))
    if forgotten := [key for key in keys if key not in kept]:
        db.session.execute(sa.delete(CommenterAction).where(_about(CommenterAction, forgotten))
                           .execution_options(synchronize_session=False))
    return len(gone), len(kept)
