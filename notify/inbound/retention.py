"""How long the log of mail received (InboundMail) is kept: strangers can add rows to it, and a
reply's text lives on in its comment, so the log is the owner's recent record, not an archive."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from extensions import db
from notify.models import InboundMail

KEEP_RECEIVED = timedelta(days=90)


def forget_old_received(now: datetime) -> int:
    """Delete the received mail older than KEEP_RECEIVED (one range of its index); how many went."""
    return db.session.execute(sa.delete(InboundMail).where(InboundMail.received_at < now - KEEP_RECEIVED)
                              .execution_options(synchronize_session=False)).rowcount
