"""Helpers that act as a browser would: read the form's hidden fields, then post it."""

import sqlalchemy as sa
from bs4 import BeautifulSoup

from blog.permalinks import post_url


def page_soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def form_fields(response, selector: str = "form#commentform") -> tuple[str, dict]:
    """The action and the hidden fields of a rendered form."""
    form = page_soup(response).select_one(selector)
    assert form is not None, f"no {selector} on the page"
    hidden = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    return form["action"], hidden


def submit_comment(client, post, ip: str = "203.0.113.7", page_url: str | None = None, **fields):
    """Open the post page and send its comment form with the given fields, as a browser would."""
    action, hidden = form_fields(client.get(page_url or post_url(post)))
    data = hidden | {"author": "Ada Reader", "email": "ada@example.com", "url": "", "comment": "Nice post."}
    data |= fields
    return client.post(action, data=data, environ_base={"REMOTE_ADDR": ip})


def login_as(client, user) -> None:
    """Log a user in through Flask-Login's own session keys, as the log-in views do."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def statements_of_post(app, send) -> list[tuple]:
    """(statement, parameters) of every SQL statement that send() makes the app run."""
    from extensions import db

    seen: list[tuple] = []

    def record(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        send()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


def query_plan(statement: str, parameters) -> str:
    """The plan the database picks for a statement, as text; PostgreSQL is told to avoid whole-table
    scans, so the plan shows whether an index can serve the query even on a test's few rows."""
    from extensions import db

    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(row[-1] for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
    db.session.rollback()
    return plan
