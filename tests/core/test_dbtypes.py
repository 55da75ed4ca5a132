"""UTCDateTime: every timestamp comes back aware and in UTC, whatever the database stored."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from blog.models import Comment
from extensions import db
from tests.conftest import ON_POSTGRES
from tests.support.factories import make_comment, make_post

PARIS_SUMMER = timezone(timedelta(hours=2))


def created_at_of(comment_id: int) -> datetime:
    db.session.expire_all()
    return db.session.scalar(sa.select(Comment.created_at).where(Comment.id == comment_id))


def test_an_aware_time_is_stored_as_its_instant_and_read_back_in_utc(app):
    with app.app_context():
        comment = make_comment(make_post())
        comment.created_at = datetime(2024, 3, 4, 12, 4, 5, 123456, tzinfo=PARIS_SUMMER)
        db.session.commit()
        read = created_at_of(comment.id)
        assert read == datetime(2024, 3, 4, 10, 4, 5, 123456, tzinfo=UTC)
        assert read.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused_rather_than_guessed(app):
    with app.app_context():
        comment = make_comment(make_post())
        comment.created_at = datetime(2024, 3, 4, 12, 4)
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            db.session.commit()
        db.session.rollback()


@pytest.mark.skipif(ON_POSTGRES, reason="stored text is SQLite's (PostgreSQL's timestamptz arrives aware)")
@pytest.mark.parametrize(("stored", "instant"), [
    ("2024-03-04 10:04:05.123456", datetime(2024, 3, 4, 10, 4, 5, 123456, tzinfo=UTC)),  # as the bind step writes
    ("2024-03-04 10:04:05", datetime(2024, 3, 4, 10, 4, 5, tzinfo=UTC)),  # as CURRENT_TIMESTAMP writes
    ("2024-03-04T12:04:05+02:00", datetime(2024, 3, 4, 10, 4, 5, tzinfo=UTC)),  # with an offset of its own
])
def test_sqlite_text_is_read_as_the_utc_instant_it_names(app, stored, instant):
    with app.app_context():
        comment = make_comment(make_post())
        db.session.execute(sa.text("UPDATE comments SET created_at = :at WHERE id = :id"),
                           {"at": stored, "id": comment.id})
        db.session.commit()
        read = created_at_of(comment.id)
        assert read == instant
        assert read.utcoffset() == timedelta(0)
