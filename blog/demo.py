"""The demo post a newcomer sees on first run, kept as Markdown files with a small header."""

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from auth.models import User
from blog.models import Post
from extensions import db

DEMO_DIR = Path(__file__).parent / "demo"


def parse_demo_file(path: Path) -> dict:
    """Split a demo file into its header fields and Markdown body."""
    _, header, body = path.read_text(encoding="utf-8").split("---\n", 2)
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
    return {
        "title": fields["title"],
        "slug": fields["slug"],
        "published_at": datetime.fromisoformat(fields["published"]),
        "body": body.strip() + "\n",
    }


def load_demo_content() -> int:
    """Add the demo posts when the blog has none; returns how many were added."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Post)):
        return 0
    author = db.session.scalar(sa.select(User).where(User.login == "owner")) or User(
        login="owner", display_name="Blog Owner"
    )
    files = sorted(DEMO_DIR.glob("*.md"))
    for path in files:
        db.session.add(Post(author=author, status="published", **parse_demo_file(path)))
    db.session.commit()
    return len(files)
