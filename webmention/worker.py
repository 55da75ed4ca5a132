"""The worker's pass: verify received mentions and send queued ones, a batch at a time, oldest first.

Each row is claimed before its work (its next attempt moved past a lease), so two workers never
take the same row, and a worker that dies mid-row leaves it to be taken again once the lease ends.
Its result is recorded only if the row was not queued anew meanwhile (a mention re-sent while it
was being verified is verified again). Every row commits on its own; one that fails is logged and
tried again later, and the pass goes on.
"""

from collections import Counter
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from core.dbtypes import utcnow
from extensions import db
from webmention.models import Webmention
from webmention.outcome import Outcome
from webmention.send import send
from webmention.verify import verify

BATCH = 20  # rows per direction per pass
LEASE = timedelta(minutes=10)  # longer than any row's fetches with their timeouts
FINAL = {"received": "rejected", "sent": "failed"}  # after the last retry


def webmention_pass() -> str | None:
    """One round: due received rows verified, due sent rows sent; a line saying what came of
    them, or None when nothing was due."""
    done: Counter = Counter()
    for direction, work in (("received", verify), ("sent", send)):
        for row_id in _due(direction):
            outcome = _process(row_id, work)
            if outcome is not None:
                done[f"{direction} {outcome}"] += 1
    if not done:
        return None
    return "webmentions: " + ", ".join(f"{count} {what}" for what, count in sorted(done.items()))


def _due(direction: str) -> list[int]:
    """The ids of the rows due now in one direction, oldest first (a batch)."""
    return list(db.session.scalars(
        sa.select(Webmention.id).where(Webmention.direction == direction, Webmention.status == "queued",
                                       Webmention.next_attempt_at <= utcnow())
        .order_by(Webmention.next_attempt_at, Webmention.id).limit(BATCH)))


def _process(row_id: int, work) -> str | None:
    """Claim a row, do its work and record the outcome; the status recorded, or None when another
    worker had it."""
    lease = utcnow() + LEASE
    claimed = db.session.execute(
        sa.update(Webmention).where(Webmention.id == row_id, Webmention.status == "queued",
                                    Webmention.next_attempt_at <= utcnow())
        .values(next_attempt_at=lease).execution_options(synchronize_session=False)).rowcount
    db.session.commit()  # no transaction stays open while other sites answer
    if not claimed:
        return None
    row = db.session.get(Webmention, row_id, populate_existing=True)
    attempts = row.attempts
    try:
        outcome = work(row)
    except Exception as error:  # a bug or a bad row must not stop the pass
        db.session.rollback()
        current_app.logger.exception("webmention %s failed", row_id)
        outcome = Outcome("retry", f"internal error: {type(error).__name__}")
    return _record(row_id, lease, attempts, outcome)


def _record(row_id: int, lease, attempts: int, outcome: Outcome) -> str:
    """Write the outcome on the row, unless it was queued anew while it was worked on."""
    direction = db.session.scalar(sa.select(Webmention.direction).where(Webmention.id == row_id))
    values = {"last_error": outcome.error, "attempts": attempts + 1, "updated_at": utcnow(), **outcome.values}
    status = outcome.status
    if status == "retry":
        if attempts + 1 >= current_app.config["FEDERATION_MAX_ATTEMPTS"]:
            status = FINAL[direction]
        else:
            wait = current_app.config["FEDERATION_RETRY_SECONDS"] * 2 ** attempts
            values["next_attempt_at"] = utcnow() + timedelta(seconds=wait)
            status = "queued"
    db.session.execute(
        sa.update(Webmention).where(Webmention.id == row_id, Webmention.next_attempt_at == lease)
        .values(status=status, **values).execution_options(synchronize_session=False))
    db.session.commit()
    return "retried" if status == "queued" else status
