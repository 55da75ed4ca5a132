"""An export streams: the comments are read and written a batch at a time, never all at once."""

import json
import tracemalloc
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from blog.models import Comment
from extensions import db
from privacy import personal_data
from tests.support.factories import make_post

ADDRESS = "prolific@example.com"
MANY = 5000
BODY = "A long and thoughtful comment. " * 30  # about 1 KB, so that the whole export is megabytes


def _bulk_comments(post, n: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    db.session.execute(sa.insert(Comment), [
        {"post_id": post.id, "author_name": "Prolific", "author_email": ADDRESS, "author_ip": "192.0.2.1",
         "user_agent": "UA", "body": f"{i}: {BODY}", "status": "approved", "created_at": start + timedelta(seconds=i),
         "updated_at": start} for i in range(n)])
    db.session.commit()


def test_an_export_of_thousands_of_comments_comes_in_many_small_chunks(app):
    _bulk_comments(make_post(), MANY)
    chunks = list(personal_data.export_json(ADDRESS, []))
    assert len(chunks) >= MANY // personal_data.BATCH
    biggest = max(len(chunk) for chunk in chunks)
    assert biggest < personal_data.BATCH * (len(BODY) + 600)  # one batch's worth at most
    comments = json.loads("".join(chunks))["comments"]
    assert len(comments) == MANY and comments[-1]["body"].startswith(f"{MANY - 1}: ")


def _peak_while_streaming() -> tuple[int, int]:
    """The export's size and the most memory Python held while it was consumed chunk by chunk."""
    total = 0
    tracemalloc.start()
    try:
        for chunk in personal_data.export_json(ADDRESS, []):
            total += len(chunk)  # as a response does: each chunk sent, then dropped
        return total, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_export_streams_in_bounded_memory(app):
    post = make_post()
    _bulk_comments(post, MANY // 5)
    small_total, small_peak = _peak_while_streaming()
    _bulk_comments(post, MANY - MANY // 5)
    total, peak = _peak_while_streaming()
    assert total > 4 * small_total
    # Five times the comments, about the same memory: loading them all would take five times as much.
    assert peak < 2 * small_peak, f"peak {peak} bytes for {total} exported, {small_peak} for {small_total}"


def test_the_html_export_streams_too(app):
    _bulk_comments(make_post(), 2 * personal_data.BATCH)
    pieces = personal_data.export_html(ADDRESS, [])
    first = next(pieces)
    assert "<html" in first and "1 KB" not in first
    assert sum(1 for _ in pieces) > 2 * personal_data.BATCH  # a piece per row at least: rendered as it goes
