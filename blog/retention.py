"""How long commenters' addresses and browser names are kept: the daily cron's retention chore."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from blog.models import Comment
from extensions import db

# Rows cleared per statement: the first run on a blog that kept them forever touches every comment,
# and one UPDATE over all of them would hold every row's lock until it ends.
BATCH_SIZE = 5000


def forget_old_ips(days: int, now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Blank the IP and user agent of comments written more than `days` days ago, committing batch
    by batch; returns how many comments were cleared (cron)."""
    still_kept = sa.or_(Comment.author_ip != "", Comment.user_agent != "")
    batch = sa.select(Comment.id).where(Comment.created_at < now - timedelta(days=days), still_kept).limit(batch_size)
    # updated_at stays: the comment as its author and readers know it did not change.
    clear = (sa.update(Comment).where(Comment.id.in_(batch))
             .values(author_ip="", user_agent="", updated_at=Comment.updated_at)
             .execution_options(synchronize_session=False))
    cleared = 0
    while True:
        count = db.session.execute(clear).rowcount
        db.session.commit()
        cleared += count
        if count < batch_size:
            return cleared
