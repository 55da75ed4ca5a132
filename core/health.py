"""/healthz for load balancers: is the database reachable, and Redis when configured."""

import sqlalchemy as sa
from flask import Blueprint, current_app

from extensions import db

bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False


def _redis_state() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    import redis  # here, not at the top: a blog without Redis never loads redis-py, a heavy library

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        return "ok"
    except redis.RedisError:
        return "down"


@bp.get("/healthz")
def healthz():
    """Database and Redis state; 503 when a configured part is down. Anyone may call."""
    state = {"database": "ok" if _database_ok() else "down", "redis": _redis_state()}
    healthy = state["database"] == "ok" and state["redis"] != "down"
    return {"status": "ok" if healthy else "unavailable", **state}, 200 if healthy else 503
