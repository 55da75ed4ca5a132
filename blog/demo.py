"""Demo content: the post a newcomer sees on first run (Markdown files with a small header), and
generated discussions of any length for trying the blog, its tests and the benchmark at scale."""

import random
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from auth.models import User
from auth.roles import AUTHOR
from blog import terms
from blog.media import library
from blog.models import Comment, Post, Term
from extensions import db

DEMO_DIR = Path(__file__).parent / "demo"
GENERATED_START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)  # first date of generated posts and comments


def parse_demo_file(path: Path) -> dict:
    """Split a demo file into its header fields and Markdown body."""
    _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
    return {
        "title": fields["title"],
        "slug": fields["slug"],
        "kind": fields.get("kind", "post"),
        "comments_open": fields.get("comments", "open") == "open",  # WordPress closes pages' by default
        "published_at": datetime.fromisoformat(fields["published"]),
        "body": body.strip() + "\n",
        "categories": [c.strip() for c in fields.get("categories", "").split(",") if c.strip()],
        "tags": fields.get("tags", ""),
        "featured": fields.get("featured"),  # a picture beside the file: the post's featured image
        "featured_alt": fields.get("featured_alt", ""),
    }


def load_demo_content() -> int:
    """Add the demo posts and pages when the blog has none; returns how many were added."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Post)):
        return 0
    author = db.session.scalar(sa.select(User).where(User.login == "owner")) or User(
        login="owner", display_name="Blog Owner", nicename="owner", role=AUTHOR  # writes the demo posts; cannot log in
    )
    files = sorted(DEMO_DIR.glob("*.md"))
    pictures = []
    for path in files:
        fields = parse_demo_file(path)
        categories, tags = fields.pop("categories"), fields.pop("tags")
        picture, alt_text = fields.pop("featured"), fields.pop("featured_alt")
        post = Post(author=author, status="published", **fields)
        db.session.add(post)
        db.session.flush()
        terms.set_post_terms(post, [_demo_category(name).id for name in categories], tags)
        if picture:
            pictures.append((post, picture, alt_text))
    db.session.commit()
    for post, picture, alt_text in pictures:
        media = library.upload((DEMO_DIR / picture).read_bytes(), picture, author.id, post.id, alt_text=alt_text,
                               when=post.published_at)
        post.featured_media_id = media.id
    db.session.commit()
    return len(files)


def _demo_category(path: str) -> Term:
    """The category "Parent/Child" names, made with its parent when missing."""
    parent = None
    for name in path.split("/"):
        slug = terms.make_slug(name)
        found = db.session.scalar(sa.select(Term).where(Term.taxonomy == "category", Term.slug == slug))
        if found is None:
            found = Term(taxonomy="category", name=name, slug=slug, description="", parent_id=parent and parent.id)
            db.session.add(found)
            db.session.flush()
        parent = found
    return parent


def publish_post(slug: str, title: str, body: str, published_at: datetime = GENERATED_START) -> Post:
    """A published post, committed."""
    post = Post(title=title, slug=slug, body=body, status="published", published_at=published_at)
    db.session.add(post)
    db.session.commit()
    return post


def make_commented_post(slug: str, count: int, seed: int = 1) -> Post:
    """A post with `count` approved comments: two in five are replies, nested up to depth 3."""
    rng = random.Random(seed)
    post = publish_post(slug, f"A post with {count:,} comments", "Generated for the benchmark.\n\n" * 3)
    first_id = next_comment_id()
    rows, recent = [], []
    for n in range(count):
        new_id = first_id + n
        parent = rng.choice(recent) if recent and rng.random() < 0.4 else None
        depth = parent["depth"] + 1 if parent else 0
        root = parent["root_id"] if parent else new_id
        author = f"Reader {rng.randrange(5000)}"
        row = comment_row(post, new_id, parent["id"] if parent else None, root, depth, author,
                          f"{author.replace(' ', '.').lower()}@example.com", "",
                          f"Comment number {n}: thanks for writing this, it helped me a lot.",
                          GENERATED_START + timedelta(seconds=30 * n))
        rows.append(row)
        if depth < 3:
            recent = (recent + [row])[-20:]
    insert_comments(post, rows)
    return post


def next_comment_id() -> int:
    return (db.session.scalar(sa.select(sa.func.max(Comment.id))) or 0) + 1


def insert_comments(post: Post, rows: list[dict]) -> None:
    """Bulk-insert approved comment rows with the ids chosen by the caller, as an import does."""
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
    maintain(postgresql="VACUUM ANALYZE", sqlite="ANALYZE")


def maintain(**command_by_dialect: str) -> None:
    """Run this database's maintenance command outside a transaction (VACUUM refuses to run in one)."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(command_by_dialect[db.engine.dialect.name]))


def _address_of(email: str) -> str:
    """Each author writes from an address of their own, as on a real blog (the planner's statistics
    see as many addresses as authors, not one address for every comment)."""
    n = zlib.crc32(email.encode())
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def comment_row(post, id_, parent, root, depth, name, email, url, body, created) -> dict:
    """One approved comment's column values for insert_comments."""
    return {"id": id_, "post_id": post.id, "parent_id": parent, "root_id": root, "depth": depth,
            "author_name": name, "author_email": email, "author_url": url, "author_ip": _address_of(email),
            "user_agent": "bench", "body": body, "status": "approved", "status_reason": "",
            "comment_type": "comment", "created_at": created, "updated_at": created, "like_count": 0}
