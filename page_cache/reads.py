"""The public pages that only read run without a transaction on PostgreSQL.

A transaction costs a read two round trips of its own (BEGIN before the first query, ROLLBACK at
the end), a noticeable part of a post page. Without one, each query sees the latest commit, as it
already does inside a READ COMMITTED transaction, so a page reads the same either way. SQLite is left
as it is: its driver begins a transaction only before a write.
"""

from flask import request

from extensions import db

# Each renders from reads alone (a write here would not be atomic); the page cache stores only these.
READ_ONLY_ENDPOINTS = frozenset({"blog.index", "blog.post", "blog.search", "blog.page", "blog.category_archive",
                                 "blog.tag_archive", "blog.author_archive", "blog.year_archive",
                                 "blog.month_archive", "blog.day_archive"})


def read_without_transaction() -> None:
    """For a READ_ONLY_ENDPOINTS request: procure its connection in autocommit mode, before anything
    reads through it."""
    if request.method in ("GET", "HEAD") and db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
