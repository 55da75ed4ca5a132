"""Fill a migrated database with the benchmark's blog of N published posts (bench/blog_content.py),
fast: PostgreSQL's COPY, SQLite's executemany, a batch at a time, ids chosen here.

post_terms' date and listing copies come from the database's own triggers (blog/listing.py) and
the search index from its generated column or triggers, as for any other write; the terms' post
counts from one UPDATE. Run by bench/archive_rows.py in a child process (`python -m bench.posts_fill
N`); prints one JSON line: the addresses to measure and what the fill made, with its time.
"""

import json
import sys
import time

import sqlalchemy as sa

from auth.models import User
from auth.roles import AUTHOR
from bench import blog_content
from blog.demo import maintain
from blog.models import Post, Term, post_terms
from extensions import db

BATCH = 5_000
POST_COLUMNS = ("id", "kind", "title", "slug", "body", "body_format", "excerpt", "status", "published_at",
                "created_at", "updated_at", "author_id", "comments_open", "password", "menu_order", "sticky",
                "comment_count", "thread_count", "like_count")
COUNT_POSTS = ("UPDATE terms SET post_count = (SELECT count(*) FROM post_terms JOIN posts ON posts.id = "
               "post_terms.post_id WHERE post_terms.term_id = terms.id AND posts.kind = 'post' "
               "AND posts.status = 'published')")

# What bench/archive_rows.py measures, at WordPress's addresses.
PATHS = {"category": f"/category/{blog_content.MEASURED_CATEGORY}/", "tag": f"/tag/{blog_content.MEASURED_TAG}/",
         "year": f"/{blog_content.MEASURED_YEAR}/", "search_common": f"/?s={blog_content.COMMON_WORD}",
         "search_rare": f"/?s={blog_content.RARE_WORD}"}


def fill(count: int) -> dict:
    """The blog of `count` posts; returns the addresses bench/archive_rows.py measures and the counts."""
    started = time.perf_counter()
    author = User(display_name="Bench Author", login="bench-author", nicename="bench-author", role=AUTHOR)
    db.session.add(author)
    terms = _terms()
    db.session.flush()
    term_ids = {(term.taxonomy, term.slug): term.id for term in terms}
    first_id = (db.session.scalar(sa.select(sa.func.max(Post.id))) or 0) + 1
    for start in range(0, count, BATCH):
        batch = list(blog_content.generate(count, start, min(count, start + BATCH)))
        posts = [_post_row(first_id + p.number, p, author.id) for p in batch]
        links = [{"post_id": first_id + p.number, "term_id": term_ids[taxonomy, slug]}
                 for p in batch for taxonomy, slugs in (("category", p.categories), ("tag", p.tags))
                 for slug in slugs]
        _insert(Post.__table__, POST_COLUMNS, posts)
        _insert(post_terms, ("post_id", "term_id"), links)
    db.session.execute(sa.text(COUNT_POSTS))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('posts', 'id'), "
                                   "(SELECT max(id) FROM posts))"))
        db.session.commit()
    filled = time.perf_counter() - started
    # A bulk load's aftercare, as a DBA does (autovacuum would, later): statistics, the visibility
    # map, and the dirty pages written now rather than during the measurements.
    maintain(postgresql="VACUUM ANALYZE", sqlite="ANALYZE")
    maintain(postgresql="CHECKPOINT", sqlite="PRAGMA wal_checkpoint(TRUNCATE)")
    aftercare = time.perf_counter() - started - filled
    return {"posts": count, "fill_seconds": round(filled, 1), "aftercare_seconds": round(aftercare, 1),
            "post_terms": db.session.scalar(sa.select(sa.func.count()).select_from(post_terms)), "paths": PATHS}


def _terms() -> list[Term]:
    terms, by_slug = [], {}
    for slug, name, parent in blog_content.CATEGORIES:
        term = Term(taxonomy="category", slug=slug, name=name, description=f"Posts about {name.lower()}.")
        if parent:
            db.session.flush()
            term.parent_id = by_slug[parent].id
        by_slug[slug] = term
        db.session.add(term)
        terms.append(term)
    for slug in blog_content.TAGS:
        term = Term(taxonomy="tag", slug=slug, name=slug)
        db.session.add(term)
        terms.append(term)
    return terms


def _post_row(post_id: int, post: blog_content.GeneratedPost, author_id: int) -> dict:
    return {"id": post_id, "kind": "post", "title": post.title, "slug": post.slug, "body": post.markdown,
            "body_format": "markdown", "excerpt": "", "status": "published", "published_at": post.published_at,
            "created_at": post.published_at, "updated_at": post.published_at, "author_id": author_id,
            "comments_open": True, "password": "", "menu_order": 0, "sticky": False, "comment_count": 0,
            "thread_count": 0, "like_count": 0}


def _insert(table: sa.Table, columns: tuple[str, ...], rows: list[dict]) -> None:
    """Rows in one go: COPY on PostgreSQL (row triggers and generated columns run as for INSERT),
    executemany on SQLite."""
    if not rows:
        return
    if db.engine.dialect.name != "postgresql":
        db.session.execute(sa.insert(table), rows)
        return
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def main() -> None:
    from app import create_app

    app = create_app()
    with app.test_request_context():
        print(json.dumps(fill(int(sys.argv[1]))))


if __name__ == "__main__":
    main()
