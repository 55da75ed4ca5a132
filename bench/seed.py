"""Fill a blog database with the benchmark's content, fast (bulk inserts with ids chosen here)."""

import json
import random
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from blog.models import Comment, Post
from extensions import db

SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
WORDPRESS_SEED = SHARED_BENCH / "seed_data.json"
START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _next_comment_id() -> int:
    return (db.session.scalar(sa.select(sa.func.max(Comment.id))) or 0) + 1


def _insert_comments(post: Post, rows: list[dict]) -> None:
    db.session.execute(sa.insert(Comment), rows)
    approved = [r for r in rows if r["status"] == "approved"]
    post.comment_count = len(approved)
    post.thread_count = sum(1 for r in approved if r["depth"] == 0)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('comments', 'id'), "
                                   "(SELECT max(id) FROM comments))"))
        db.session.commit()
    # What a DBA does after a bulk load (autovacuum would, later): fresh statistics, and on
    # PostgreSQL a visibility map, without which no plan may answer from an index alone.
    _maintain(postgresql="VACUUM ANALYZE", sqlite="ANALYZE")


def write_out() -> None:
    """After the whole fill: its dirty pages are written now, not by a checkpoint in the middle
    of the measurements (PostgreSQL's CHECKPOINT, SQLite's WAL folded into the database file)."""
    _maintain(postgresql="CHECKPOINT", sqlite="PRAGMA wal_checkpoint(TRUNCATE)")


def _maintain(**command_by_dialect: str) -> None:
    """Run this database's maintenance command outside a transaction (VACUUM refuses to run in one)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(command_by_dialect[db.engine.dialect.name]))


def make_post(slug: str, title: str, body: str, published_at: datetime = START) -> Post:
    post = Post(title=title, slug=slug, body=body, status="published", published_at=published_at)
    db.session.add(post)
    db.session.commit()
    return post


def load_wordpress_seed() -> Post:
    """The post and 200 threaded comments that the WordPress baseline served."""
    data = json.loads(WORDPRESS_SEED.read_text())
    meta = data["post"]
    post = make_post(meta["slug"], meta["title"], "\n\n".join(meta["paragraphs"]), _utc(meta["date_utc"]))
    first_id = _next_comment_id()
    ids = {c["id"]: first_id + n for n, c in enumerate(data["comments"])}
    rows, roots = [], {}
    for c in data["comments"]:
        new_id, parent = ids[c["id"]], ids.get(c["parent_id"])
        roots[new_id] = roots[parent] if parent else new_id
        rows.append(_row(post, new_id, parent, roots[new_id], c["depth"] - 1, c["author"], c["email"],
                         c["url"], c["content"], _utc(c["date_utc"])))
    _insert_comments(post, rows)
    return post


def make_commented_post(slug: str, count: int, seed: int = 1) -> Post:
    """A post with `count` approved comments: two in five are replies, nested up to depth 3."""
    rng = random.Random(seed)
    post = make_post(slug, f"A post with {count:,} comments", "Generated for the benchmark.\n\n" * 3)
    first_id = _next_comment_id()
    rows, recent = [], []
    for n in range(count):
        new_id = first_id + n
        parent = rng.choice(recent) if recent and rng.random() < 0.4 else None
        depth = parent["depth"] + 1 if parent else 0
        root = parent["root_id"] if parent else new_id
        author = f"Reader {rng.randrange(5000)}"
        row = _row(post, new_id, parent["id"] if parent else None, root, depth, author,
                   f"{author.replace(' ', '.').lower()}@example.com", "",
                   f"Comment number {n}: thanks for writing this, it helped me a lot.",
                   START + timedelta(seconds=30 * n))
        rows.append(row)
        if depth < 3:
            recent = (recent + [row])[-20:]
    _insert_comments(post, rows)
    return post


def _address_of(email: str) -> str:
    """Each author writes from an address of their own, as on a real blog (the planner's statistics
    see as many addresses as authors, not one address for every comment)."""
    n = zlib.crc32(email.encode())
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def _row(post, id_, parent, root, depth, name, email, url, body, created) -> dict:
    return {"id": id_, "post_id": post.id, "parent_id": parent, "root_id": root, "depth": depth,
            "author_name": name, "author_email": email, "author_url": url, "author_ip": _address_of(email),
            "user_agent": "bench", "body": body, "status": "approved", "status_reason": "",
            "comment_type": "comment", "created_at": created, "updated_at": created, "like_count": 0}
