"""The inbox's record of processed activities is kept for a month, then forgotten by the worker."""

from datetime import timedelta

import sqlalchemy as sa

from activitypub.inbox import KEEP_PROCESSED, inbox_pass
from activitypub.models import InboundActivity
from core.dbtypes import utcnow
from extensions import db


def _received(n: int, status: str, age: timedelta) -> None:
    db.session.add(InboundActivity(signature_hash=f"{n:064x}", activity_uri=f"http://127.0.0.1:9/a/{n}",
                                   actor_uri="http://127.0.0.1:9/users/ada", type="Like", payload={},
                                   status=status, received_at=utcnow() - age))


def test_processed_activities_older_than_a_month_are_forgotten_and_queued_ones_never(app):
    month = KEEP_PROCESSED
    _received(1, "done", month + timedelta(hours=1))
    _received(2, "refused", month + timedelta(days=10))
    _received(3, "done", month - timedelta(hours=1))
    _received(4, "queued", month + timedelta(days=2))  # a worker long stopped: still to be done
    db.session.commit()
    inbox_pass(batch=0)  # nothing to process: the forgetting alone
    left = db.session.scalars(sa.select(InboundActivity.signature_hash).order_by(InboundActivity.id)).all()
    assert left == [f"{3:064x}", f"{4:064x}"]
