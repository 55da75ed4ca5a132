"""Count the SQL statements one page costs, with SQLAlchemy's own events."""

import sqlalchemy as sa

from app import create_app
from config import ProductionConfig
from extensions import db

BENCH_ADMIN = ("bench-admin@example.com", "bench-admin-password")


def statements_of(database_url: str, path: str, admin: bool = False) -> list[tuple]:
    """(statement, parameters) of every SQL statement one uncached request for `path` runs."""
    config = type("BenchCount", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                      "SECRET_KEY": "bench-secret", "SESSION_COOKIE_SECURE": False,
                                                      "TRUSTED_HOSTS": ["localhost"]})  # the test client's host
    app = create_app(config)
    client = app.test_client()
    client.set_cookie("comment_author", "bench")
    if admin:
        _log_in(client)
    client.get(path)  # warm up
    statements: list[tuple] = []
    with app.app_context():
        engine = db.engine
    listener = lambda _c, _cur, statement, parameters, *_: statements.append((statement, parameters))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
        engine.dispose()
    return statements


def count_queries(database_url: str, path: str, admin: bool = False) -> int:
    return len(statements_of(database_url, path, admin))


def sequential_scans(database_url: str, path: str, admin: bool = False) -> list[str]:
    """The comment queries of a page whose PostgreSQL plan reads the whole comments table."""
    engine = sa.create_engine(database_url)
    found = []
    with engine.connect() as conn:
        for statement, parameters in statements_of(database_url, path, admin):
            if "FROM comments" not in statement:
                continue
            plan = "\n".join(row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, parameters))
            if "Seq Scan on comments" in plan:
                found.append(f"{statement}\n{plan}")
    engine.dispose()
    return found


def _log_in(client) -> None:
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    email, password = BENCH_ADMIN
    client.post("/login", data={"csrf_token": token, "email": email, "password": password})
