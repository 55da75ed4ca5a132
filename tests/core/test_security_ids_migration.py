"""Migration 0008 on a database that already has rows: they survive, get link secrets, and ids stop coming back."""

import sqlalchemy as sa

from app import create_app
from blog.models import Comment
from extensions import db
from notify.models import Subscription
from tests.conftest import make_config
from tests.core.test_migrations import empty_database_url  # noqa: F401  (a fixture)

BEFORE = "0005_comment_email_created"
REBUILT = ("users", "posts", "comments", "subscriptions", "outbox", "moderation_log")
COUNTED = (*REBUILT, "identities", "comment_likes")
NOW = "CURRENT_TIMESTAMP"


def _upgrade(app, target: str = "head", command: str = "upgrade") -> None:
    result = app.test_cli_runner().invoke(args=["db", command, target])
    assert result.exit_code == 0, result.output


def _insert(conn, table: str, **values) -> int:
    """INSERT one row as the 0005 schema has it; the database picks the id."""
    names = ", ".join(values)
    params = ", ".join(NOW if value is NOW else f":{name}" for name, value in values.items())
    given = {name: value for name, value in values.items() if value is not NOW}
    return conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({params}) RETURNING id"), given).scalar()


def _seed(conn) -> dict[str, int]:
    owner = _insert(conn, "users", email="owner@example.com", email_verified=True, display_name="Owner",
                    is_admin=True, created_at=NOW)
    reader = _insert(conn, "users", email="reader@example.com", email_verified=True, display_name="Reader",
                     is_admin=False, created_at=NOW)
    conn.execute(
        sa.text("INSERT INTO identities (user_id, provider, subject, display_name, email_verified, created_at,"
                f" last_login_at) VALUES (:user_id, 'github', '42', 'Reader', :verified, {NOW}, {NOW})"),
        {"user_id": reader, "verified": True})
    post = _insert(conn, "posts", kind="post", title="Kept", slug="kept", body="Body", body_format="markdown",
                   excerpt="", status="published", published_at=NOW, created_at=NOW, updated_at=NOW,
                   author_id=owner, comments_open=True, comment_count=2, thread_count=1, like_count=0)
    comments = [_comment(conn, post, None, reader, "First"), None, None]
    comments[1] = _comment(conn, post, comments[0], None, "Reply")
    comments[2] = _comment(conn, post, None, None, "Last")
    conn.execute(sa.text(f"INSERT INTO comment_likes (comment_id, user_id, created_at) VALUES (:c, :u, {NOW})"),
                 {"c": comments[0], "u": owner})
    subscriptions = [
        _insert(conn, "subscriptions", email="reader@example.com", user_id=reader, scope="replies", post_id=post,
                comment_id=comments[0], delivery="instant", confirmed_at=NOW, created_at=NOW),
        _insert(conn, "subscriptions", email="guest@example.com", scope="comments", post_id=post,
                delivery="weekly", created_at=NOW),
    ]
    for n in range(2):
        _insert(conn, "outbox", to_addr="owner@example.com", subject=f"Mail {n}", body_text="Hi", body_html="",
                headers="{}", status="sent", attempts=1, next_attempt_at=NOW, last_error="", created_at=NOW)
    _insert(conn, "moderation_log", comment_id=comments[1], moderator_id=owner, moderator_name="Owner",
            action="approve", from_status="pending", to_status="approved", created_at=NOW)
    return {"reader": reader, "post": post, "comments": comments, "subscriptions": subscriptions}


def _comment(conn, post: int, parent: int | None, user: int | None, body: str) -> int:
    comment = _insert(conn, "comments", post_id=post, parent_id=parent, depth=0 if parent is None else 1,
                      author_name="Someone", author_email="someone@example.com", author_url="", author_ip="",
                      user_agent="", user_id=user, body=body, body_hash=0, status="approved", status_reason="",
                      comment_type="comment", created_at=NOW, updated_at=NOW, like_count=0)
    conn.execute(sa.text("UPDATE comments SET root_id = :root WHERE id = :id"),
                 {"root": parent or comment, "id": comment})
    return comment


def _counts(conn) -> dict[str, int]:
    return {table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() for table in COUNTED}


def _indexes(conn) -> set[tuple[str, str]]:
    inspector = sa.inspect(conn)
    return {(table, index["name"]) for table in REBUILT for index in inspector.get_indexes(table)}


def test_upgrade_from_0005_keeps_every_row_and_never_reuses_a_deleted_last_id(empty_database_url):  # noqa: F811
    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=empty_database_url))
    _upgrade(app, BEFORE)
    with app.app_context():
        with db.engine.begin() as conn:
            seeded = _seed(conn)
        with db.engine.connect() as conn:
            counts, indexes = _counts(conn), _indexes(conn)
        _upgrade(app, "0008_ids_never_reused")  # the rebuild; later revisions change indexes on purpose
        with db.engine.connect() as conn:
            assert _counts(conn) == counts
            assert _indexes(conn) >= indexes
            if conn.dialect.name == "sqlite":
                for table in REBUILT:
                    sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}).scalar()
                    assert "AUTOINCREMENT" in sql, table
        _upgrade(app)
        _check_rows(seeded)
        _check_ids_not_reused(seeded)
        _upgrade(app, "0007_comment_author_key", "downgrade")
        _upgrade(app)
        with db.engine.connect() as conn:
            assert _counts(conn)["comments"] == counts["comments"]
        db.engine.dispose()


def _check_rows(seeded: dict) -> None:
    first, reply, _last = seeded["comments"]
    assert db.session.get(Comment, reply).parent_id == first
    replies = db.session.get(Subscription, seeded["subscriptions"][0])
    assert (replies.user_id, replies.comment_id, replies.confirmed_at is not None) == (seeded["reader"], first, True)
    secrets = db.session.scalars(sa.select(Comment.link_secret)).all()
    secrets += db.session.scalars(sa.select(Subscription.link_secret)).all()
    assert all(len(secret) == 32 for secret in secrets) and len(set(secrets)) == len(secrets)


def _check_ids_not_reused(seeded: dict) -> None:
    last_comment, last_subscription = seeded["comments"][-1], seeded["subscriptions"][-1]
    db.session.execute(sa.delete(Comment).where(Comment.id == last_comment))
    db.session.execute(sa.delete(Subscription).where(Subscription.id == last_subscription))
    db.session.commit()
    comment = Comment(post_id=seeded["post"], body="After the upgrade", status="pending")
    subscription = Subscription(email="new@example.com", scope="posts")
    db.session.add_all([comment, subscription])
    db.session.commit()
    assert comment.id > last_comment and subscription.id > last_subscription
    db.session.remove()
