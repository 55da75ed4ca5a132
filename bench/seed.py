"""Fill a blog database with the benchmark's content, fast (bulk inserts with ids chosen here).

The generated posts and discussions come from blog/demo.py, which the tests use too; this module
adds the WordPress baseline's post from ../shared/bench.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

from blog.demo import GENERATED_START as START
from blog.demo import comment_row, insert_comments, maintain, make_commented_post, next_comment_id
from blog.demo import publish_post as make_post
from blog.models import Post

__all__ = ["START", "load_wordpress_seed", "make_commented_post", "make_post", "write_out"]

SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
WORDPRESS_SEED = SHARED_BENCH / "seed_data.json"


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def write_out() -> None:
    """After the whole fill: its dirty pages are written now, not by a checkpoint in the middle
    of the measurements (PostgreSQL's CHECKPOINT, SQLite's WAL folded into the database file)."""
    maintain(postgresql="CHECKPOINT", sqlite="PRAGMA wal_checkpoint(TRUNCATE)")


def load_wordpress_seed() -> Post:
    """The post and 200 threaded comments that the WordPress baseline served."""
    data = json.loads(WORDPRESS_SEED.read_text())
    meta = data["post"]
    post = make_post(meta["slug"], meta["title"], "\n\n".join(meta["paragraphs"]), _utc(meta["date_utc"]))
    first_id = next_comment_id()
    ids = {c["id"]: first_id + n for n, c in enumerate(data["comments"])}
    rows, roots = [], {}
    for c in data["comments"]:
        new_id, parent = ids[c["id"]], ids.get(c["parent_id"])
        roots[new_id] = roots[parent] if parent else new_id
        rows.append(comment_row(post, new_id, parent, roots[new_id], c["depth"] - 1, c["author"], c["email"],
                                c["url"], c["content"], _utc(c["date_utc"])))
    insert_comments(post, rows)
    return post
