"""Headers on every response, CSRF on every state-changing route, health and request logs."""

import json
import logging

import pytest

from app import create_app
from config import ProductionConfig
from tests.support.factories import make_post

PUBLIC_PAGES = ["/", "/healthz", "/no-such-page/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_security_headers_on_every_response(client, path):
    make_post()
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    script_src = next(part for part in csp.split("; ") if part.startswith("script-src"))
    assert script_src.startswith("script-src 'self' 'nonce-") and "unsafe-inline" not in script_src
    assert "http" not in script_src, "no third-party script origins"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers


def test_hsts_when_served_over_https(client):
    headers = client.get("/", base_url="https://127.0.0.1").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_nonce_differs_per_response(client):
    first = client.get("/").headers["Content-Security-Policy"]
    second = client.get("/").headers["Content-Security-Policy"]
    assert first != second


def state_changing_rules(app):
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"GET", "HEAD", "OPTIONS"}
        if methods and not rule.endpoint.startswith("static"):
            yield rule, sorted(methods)[0]


# Routes that do not refuse a POST without Flask-WTF's token, each for a stated reason.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST without a token; the signed link is the key.
    "notify.unsubscribe",
    # W3C Webmention: other sites POST source and target; validated and rate limited instead.
    "webmention.endpoint",
    # ActivityPub's inbox: other servers POST signed activities; the HTTP signature is the key.
    "activitypub.inbox",
}
# Routes whose form checks its own token and says so on the page it re-shows, keeping the text.
CSRF_CHECKED_BY_THE_FORM = {"blog.comment_post": "This form had expired"}
CSRF_REFUSAL = "The CSRF token is missing."


def _walk_without_token(app, client):
    make_post()
    rules = list(state_changing_rules(app))
    assert rules, "the walk found no POST routes"
    for rule, method in rules:
        url = rule.build({arg: 1 for arg in rule.arguments} | {"name": "google"}, append_unknown=False)[1]
        response = client.open(url, method=method, data={"comment": "x", "author": "a", "email": "a@b.co"})
        yield rule.endpoint, response


def test_every_state_changing_route_refuses_a_request_without_csrf_token_for_that_reason(app, client):
    for endpoint, response in _walk_without_token(app, client):
        if endpoint in CSRF_EXEMPT:
            continue
        body = response.get_data(as_text=True)
        expected = CSRF_CHECKED_BY_THE_FORM.get(endpoint, CSRF_REFUSAL)
        assert response.status_code == 400 and expected in body, \
            f"{endpoint} answered {response.status_code} without saying the token was missing"


def test_the_csrf_exempt_list_is_exact(app, client):
    unrefused = {endpoint for endpoint, response in _walk_without_token(app, client)
                 if CSRF_REFUSAL not in response.get_data(as_text=True)}
    assert unrefused == CSRF_EXEMPT | set(CSRF_CHECKED_BY_THE_FORM)


def test_healthz_reports_database_and_redis(app_factory):
    ok = app_factory().test_client().get("/healthz")
    assert ok.status_code == 200 and ok.json == {"status": "ok", "database": "ok", "redis": "not configured"}
    with_redis = app_factory(REDIS_URL="redis://127.0.0.1:6379/0").test_client().get("/healthz")
    assert with_redis.json["redis"] == "ok"
    down = app_factory(REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/healthz")
    assert down.status_code == 503 and down.json["redis"] == "down"


def test_one_structured_log_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="blog.requests"):
        response = client.get("/", headers={"X-Request-Id": "abc123"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "blog.requests"]
    assert lines == [{"event": "request", "request_id": "abc123", "method": "GET", "path": "/",
                      "status": 200, "duration_ms": lines[0]["duration_ms"]}]
    assert response.headers["X-Request-Id"] == "abc123"


def test_production_refuses_debug():
    config = type("DebugProd", (ProductionConfig,), {"SECRET_KEY": "k" * 32, "DEBUG": True,
                                                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError, match="debug"):
        create_app(config)
