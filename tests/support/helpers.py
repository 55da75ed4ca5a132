"""Helpers that act as a browser would: read the form's hidden fields, then post it."""

import re

import sqlalchemy as sa
from bs4 import BeautifulSoup
from psycopg import sql as psycopg_sql

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
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def statements_during(app, send) -> list[tuple]:
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
    """The plans the database picks for a statement, as text.

    On PostgreSQL, two plans: one told to avoid whole-table scans (does an index serve the query,
    even on a test's few rows?), and the generic plan a prepared statement gets after five runs
    (psycopg prepares repeated statements), which is made without the parameters' values.
    """
    from extensions import db

    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(row[-1] for row in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    plans = ["\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))]
    db.session.rollback()
    plans.append(_generic_plan(db.session.connection(), statement, parameters))
    db.session.rollback()
    return "\n".join(plans)


def _generic_plan(connection, statement: str, parameters: dict) -> str:
    names: list[str] = []

    def number(match) -> str:  # %(name)s -> $n, one number per name
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    connection.exec_driver_sql("PREPARE plan_probe AS " + re.sub(r"%\((\w+)\)s", number, statement))
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    values = psycopg_sql.SQL(", ").join(psycopg_sql.Literal(parameters[name]) for name in names)
    with connection.connection.dbapi_connection.cursor() as cursor:  # literals: EXECUTE takes no $n of its own
        cursor.execute(psycopg_sql.SQL("EXPLAIN EXECUTE plan_probe({})").format(values))
        return "\n".join(row[0] for row in cursor.fetchall())
