"""How the app's pooled database connections are set up and checked before use."""

import time

import sqlalchemy as sa


def configure_engine(engine: sa.Engine, ping_after_idle_seconds: float) -> None:
    """SQLite pragmas on every new connection; a liveness check on connections left idle."""
    if engine.dialect.name == "sqlite":
        enable_sqlite_pragmas(engine)
    ping_after_idle(engine, ping_after_idle_seconds)


def enable_sqlite_pragmas(engine: sa.Engine) -> None:
    """WAL and a busy timeout so that SQLite writers wait for each other instead of failing."""

    @sa.event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def ping_after_idle(engine: sa.Engine, idle_seconds: float) -> None:
    """Ping a connection on checkout only when it has been idle for `idle_seconds` or more.

    pool_pre_ping pings on every checkout: on PostgreSQL one more round trip per request, a visible
    share of a post page's time. A connection used a moment ago is alive (a restarted or unreachable server
    is found by the next ping or, at worst, by that one request); connection pools such as HikariCP
    skip the check the same way. A failed ping makes the pool open a fresh connection instead.
    """

    @sa.event.listens_for(engine, "checkin")
    def _note_return(_dbapi_connection, record):
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return  # opened just now, or in use a moment ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise sa.exc.DisconnectionError(f"idle connection failed its ping: {error}") from error
        if not alive:
            raise sa.exc.DisconnectionError("idle connection failed its ping")


def listen_once(target, listeners) -> None:
    """Attach each (event, function) to `target` unless it already is: tests and scripts build
    many apps on the one db.session, and a listener attached twice would run twice."""
    for event, listener in listeners:
        if not sa.event.contains(target, event, listener):
            sa.event.listen(target, event, listener)
