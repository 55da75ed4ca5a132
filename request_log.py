"""One structured log line per request, with a request id that error pages and headers share."""

import json
import logging
import time
import uuid

from flask import Flask, g, request

log = logging.getLogger("blog.requests")


def _start_request() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isalnum() else uuid.uuid4().hex[:16]


def _log_request(response):
    duration_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    response.headers["X-Request-Id"] = g.get("request_id", "")
    log.info(json.dumps({
        "event": "request", "request_id": g.get("request_id"), "method": request.method,
        "path": request.path, "status": response.status_code, "duration_ms": round(duration_ms, 2),
    }))
    return response


def register(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_log_request)
