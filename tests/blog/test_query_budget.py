"""The pages run a fixed number of SQL statements, whatever the number of comments."""

import pytest
import sqlalchemy as sa

from blog.demo import make_commented_post
from blog.models import Comment, ModerationLog
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.conftest import ON_POSTGRES
from tests.support.factories import make_post
from tests.support.helpers import form_fields, page_soup, statements_during

SIZES = (1, 50, 500)


def statements_for(app, client, path: str) -> list[tuple]:
    """(statement, parameters) of every SQL statement one request for `path` runs."""
    client.get(path)  # warm caches that are per process (settings, rendered bodies)
    responses = []
    seen = statements_during(app, lambda: responses.append(client.get(path)))
    assert responses[0].status_code == 200, path
    return seen


def count_at_each_size(app, client, path_for) -> dict[int, int]:
    counts = {}
    for size in SIZES:
        post = make_commented_post(f"budget-{size}", size, seed=size)
        counts[size] = len(statements_for(app, client, path_for(post)))
    return counts


@pytest.fixture
def reader(app):
    save_settings({"comments_per_page": 50})
    db.session.commit()
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")  # measure the uncached page
    return client


def test_post_page_query_count_does_not_grow_with_comments(app, reader):
    counts = count_at_each_size(app, reader, post_url)
    assert len(set(counts.values())) == 1, counts
    assert counts[1] <= 6, counts


def test_unpaged_post_page_query_count_does_not_grow(app, reader):
    save_settings({"page_comments": False})
    db.session.commit()
    counts = count_at_each_size(app, reader, post_url)
    assert len(set(counts.values())) == 1, counts


def test_home_page_query_count_does_not_grow_with_posts_or_comments(app, reader):
    counts = {}
    for size in SIZES:
        make_commented_post(f"home-{size}", size, seed=size)
        for _ in range(size // 50):
            make_post()
        counts[size] = len(statements_for(app, reader, "/"))
    assert len(set(counts.values())) == 1, counts


def test_admin_comments_screen_query_count_does_not_grow(app, admin_client):
    counts = {}
    for size in SIZES:
        make_commented_post(f"admin-{size}", size, seed=size)
        counts[size] = len(statements_for(app, admin_client, "/admin/comments"))
    assert len(set(counts.values())) == 1, counts


def test_admin_list_of_moved_replies_query_count_does_not_grow(app, admin_client, admin_user):
    """Who moved each row and whom each reply answers come in one query each, not one per row."""
    counts = {}
    for size in SIZES:
        post = make_commented_post(f"moved-{size}", size, seed=size)
        ids = db.session.scalars(sa.select(Comment.id).where(Comment.post_id == post.id)).all()
        db.session.execute(sa.update(Comment).where(Comment.id.in_(ids)).values(status="pending"))
        db.session.execute(sa.insert(ModerationLog), [
            {"comment_id": i, "moderator_id": admin_user.id, "moderator_name": "Blog Owner", "action": action,
             "from_status": before, "to_status": after}
            for i in ids for action, before, after in (("spam", "approved", "spam"), ("unspam", "spam", "pending"))])
        db.session.commit()
        statements = statements_for(app, admin_client, "/admin/comments?comment_status=pending")
        counts[size] = len(statements)
    assert len(set(counts.values())) == 1, counts
    reason = page_soup(admin_client.get("/admin/comments?comment_status=pending")).select_one(".status-reason")
    assert reason.get_text().startswith("Restored from the spam by Blog Owner")


def test_dashboard_query_count_does_not_grow(app, admin_client):
    counts = {}
    for size in SIZES:
        make_commented_post(f"dash-{size}", size, seed=size)
        counts[size] = len(statements_for(app, admin_client, "/admin/"))
    assert len(set(counts.values())) == 1, counts


def reads_settings_alone(statements: list[tuple]) -> bool:
    return any(statement.lstrip().startswith("SELECT settings.") for statement, _ in statements)


def test_post_page_and_comment_post_read_the_settings_with_the_post(app, reader):
    """One round trip fewer: the settings come along with the post lookup, and are current."""
    post = make_commented_post("settings-along", 3, seed=3)
    statements = statements_for(app, reader, post_url(post))
    assert not reads_settings_alone(statements)
    assert sum("FROM settings" in statement for statement, _ in statements) == 1
    assert "/avatar/" in reader.get(post_url(post)).get_data(as_text=True)
    save_settings({"show_avatars": False})
    db.session.commit()
    assert "/avatar/" not in reader.get(post_url(post)).get_data(as_text=True)

    action, hidden = form_fields(reader.get(post_url(post)))
    sent = statements_during(app, lambda: reader.post(action, data=hidden | {
        "author": "Ada", "email": "ada@example.com", "comment": "Settings came along."}))
    assert sent and not reads_settings_alone(sent)


@pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans are PostgreSQL's (this test runs in the PostgreSQL pass)")
def test_hot_comment_queries_are_served_by_indexes_on_postgres(app, reader, admin_client):
    post = make_commented_post("explained", 300, seed=7)
    queries = []
    for client, path in ((reader, post_url(post)), (admin_client, "/admin/comments")):
        queries += [q for q in statements_for(app, client, path) if "FROM comments" in q[0]]
    assert len(queries) >= 3
    with db.engine.connect() as conn:
        # With sequential scans priced out, a plan still scanning the table has no index to use.
        conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in queries:
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            assert "Seq Scan on comments" not in plan, f"{statement}\n{plan}"
