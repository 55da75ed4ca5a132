"""One structured log line per request, with a request id that error pages and headers share."""

import json
import logging
import secrets
import time

from flask import Flask, g, request

log = logging.getLogger("blog.requests")


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_for(request.headers.get("X-Request-Id", ""))


def request_id_for(incoming: str) -> str:
    """The id a proxy sent when it is a sane one, else a new one."""
    return incoming if 0 < len(incoming) <= 64 and incoming.isalnum() else secrets.token_hex(8)


def _log_request(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    log_request(g.get("request_id"), request.method, request.path, response.status_code,
                g.get("request_started", time.perf_counter()))
    return response


def log_request(request_id: str | None, method: str, path: str, status: int, started: float) -> None:
    """The one line per request, for Flask's responses and for pages served in front of it."""
    if log.isEnabledFor(logging.INFO):
        duration_ms = (time.perf_counter() - started) * 1000
        log.info(json.dumps({"event": "request", "request_id": request_id, "method": method, "path": path,
                             "status": status, "duration_ms": round(duration_ms, 2)}))


def register(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_log_request)
