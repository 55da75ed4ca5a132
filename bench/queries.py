"""Count the SQL statements one page costs, with SQLAlchemy's own events."""

import sqlalchemy as sa

from app import create_app
from config import ProductionConfig
from extensions import db


def count_queries(database_url: str, path: str, cookie: str = "comment_author=bench") -> int:
    config = type("BenchCount", (ProductionConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                      "SECRET_KEY": "bench-secret"})
    app = create_app(config)
    client = app.test_client()
    client.set_cookie("comment_author", cookie.split("=", 1)[1])
    client.get(path)  # warm up
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
        with app.app_context():
            db.engine.dispose()
    return len(statements)
