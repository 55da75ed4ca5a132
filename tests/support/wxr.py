"""Fixtures and helpers for the WXR import/export tests: the real WordPress sample and snapshots."""

import io
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.models import Comment, Post, Term, post_terms
from extensions import db
from wordpress.wxr.importer import import_wxr

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The shared folder sits beside the project (<checkout>/../shared); WXR_SAMPLE_DIR points elsewhere.
WXR_DIR = Path(os.environ.get("WXR_SAMPLE_DIR") or PROJECT_ROOT.parent / "shared" / "wxr")
SAMPLE = WXR_DIR / "wordpress-6.1-sample.xml"
EXPECTED = WXR_DIR / "wordpress-6.1-sample.expected.json"
SITE_ZONE = "America/New_York"  # the sample site's time zone (expected.json: site.timezone_string)


@pytest.fixture
def wxr_app(app_factory):
    """An app dated in the sample WordPress site's time zone, as a mover would configure it."""
    app = app_factory(BLOG_TIMEZONE=SITE_ZONE)
    with app.app_context():
        yield app


def read_shared(name: str) -> bytes:
    """A file of the shared WordPress sample; without it the test is skipped, with one reason for all."""
    path = WXR_DIR / name
    if not path.is_file():
        pytest.skip(f"the WordPress sample export is not in {WXR_DIR} (the shared folder beside the checkout)")
    return path.read_bytes()


@pytest.fixture
def sample_bytes() -> bytes:
    return read_shared(SAMPLE.name)


@pytest.fixture
def expected() -> dict:
    return json.loads(read_shared(EXPECTED.name).decode("utf-8"))


def import_bytes(data: bytes, **options):
    return import_wxr(io.BytesIO(data), **options)


def row_counts() -> dict[str, int]:
    tables = {"users": User, "terms": Term, "posts": Post, "comments": Comment}
    counts = {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in tables.items()
    }
    counts["post_terms"] = db.session.scalar(sa.select(sa.func.count()).select_from(post_terms))
    return counts


def snapshot() -> dict:
    """Everything an import writes, keyed on WordPress ids, logins and slugs (not our ids)."""
    db.session.expire_all()
    users = {user.id: user for user in db.session.scalars(sa.select(User))}
    terms = {term.id: term for term in db.session.scalars(sa.select(Term))}
    posts = {post.id: post for post in db.session.scalars(sa.select(Post))}
    comments = {c.id: c for c in db.session.scalars(sa.select(Comment))}

    def login(user_id):
        return users[user_id].login if user_id else None

    def comment_key(comment_id):
        return comments[comment_id].wp_id if comment_id else None

    return {
        "users": {u.login: (u.display_name, u.email, u.password_hash) for u in users.values()},
        "terms": {
            (t.taxonomy, t.slug): (
                t.name,
                t.description,
                terms[t.parent_id].slug if t.parent_id else None,
            )
            for t in terms.values()
        },
        "posts": {
            p.wp_id: (
                p.kind,
                p.title,
                p.slug,
                p.body,
                p.body_format,
                p.excerpt,
                p.status,
                p.published_at,
                p.updated_at,
                login(p.author_id),
                posts[p.parent_id].wp_id if p.parent_id else None,
                p.comments_open,
                p.comment_count,
                p.guid,
                sorted((t.taxonomy, t.slug) for t in p.terms),
            )
            for p in posts.values()
        },
        "comments": {
            (posts[c.post_id].wp_id, c.wp_id): (
                comment_key(c.parent_id),
                comment_key(c.root_id),
                c.depth,
                c.author_name,
                c.author_email,
                c.author_url,
                c.author_ip,
                login(c.user_id),
                c.body,
                c.status,
                c.comment_type,
                c.created_at,
            )
            for c in comments.values()
        },
    }


def empty_content() -> None:
    """Delete every imported row, so the same app can import again from nothing."""
    for table in ("post_terms", "comments", "posts", "terms", "users"):
        db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()
