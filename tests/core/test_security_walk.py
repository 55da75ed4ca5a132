"""Security headers on every route (walking the URL map), ProxyFix, and Secure cookies in production."""

import pytest
import sqlalchemy as sa
from werkzeug.routing import AnyConverter, IntegerConverter

from app import create_app
from blog.models import Comment
from blog.permalinks import post_url
from blog.settings import save_settings
from config import ProductionConfig
from extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, IsolatedClient, _empty_all_tables
from tests.support.admin import login_as
from tests.support.factories import make_comment, make_post
from tests.support.helpers import form_fields


def sample_urls(app, post) -> list[str]:
    """A URL for every rule that answers GET, its arguments taken from a real post and comment."""
    comment = make_comment(post)
    dated = post_url(post).strip("/").split("/")
    known = {"year": int(dated[0]), "month": int(dated[1]), "day": int(dated[2]), "slug": post.slug,
             "cpage": 1, "comment_id": comment.id, "post_id": post.id, "name": "google",
             "digest": "0123456789abcdef", "filename": "css/blog.css", "token": "not-a-token",
             "status": "trash", "action": "approve"}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            else:
                values[name] = known.get(name, 1 if isinstance(converter, IntegerConverter) else "x")
        urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def assert_security_headers(response, url: str, https: bool = False) -> None:
    headers = response.headers
    csp = dict(part.split(" ", 1) for part in headers.get("Content-Security-Policy", "").split("; ") if part)
    assert csp, f"{url}: no Content-Security-Policy"
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'", url
    assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'self'", url
    script = csp["script-src"].split()
    assert script[0] == "'self'" and len(script) == 2 and script[1].startswith("'nonce-"), f"{url}: {script}"
    assert "http" not in csp["style-src"] + csp["default-src"], url
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
    assert headers["X-Frame-Options"] == "DENY", url
    assert ("Strict-Transport-Security" in headers) == https, url


def test_every_get_route_sends_the_security_headers(app, admin_user):
    post = make_post()
    urls = sample_urls(app, post)
    assert len(urls) >= 25, "the walk covers the URL map"
    anonymous, admin = app.test_client(), app.test_client()
    login_as(admin, admin_user)
    statuses = set()
    for url in urls:
        for client in (anonymous, admin):
            response = client.get(url)
            statuses.add(response.status_code)
            assert response.status_code < 500, url
            assert_security_headers(response, url)
    assert {200, 302, 404} <= statuses, "pages, redirects and errors all carry the headers"


def test_remote_images_are_allowed_only_when_the_owner_chooses_remote_avatars(app):
    post = make_post()
    assert "img-src 'self' data:;" in app.test_client().get(post_url(post)).headers["Content-Security-Policy"]
    save_settings({"avatar_source": "gravatar"})  # Gravatar's, and the pictures log-in providers give
    db.session.commit()
    csp = app.test_client().get(post_url(post)).headers["Content-Security-Policy"]
    assert "img-src 'self' data: https:;" in csp
    assert "script-src 'self' 'nonce-" in csp and "https:" not in csp.split("img-src")[0]


def _comment_through(app, forwarded: dict) -> Comment:
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    post = make_post()
    client = app.test_client()
    action, hidden = form_fields(client.get(post_url(post)))
    response = client.post(action, headers=forwarded, environ_base={"REMOTE_ADDR": "127.0.0.1"}, data=hidden | {
        "author": "Proxy Reader", "email": "proxy@example.com", "comment": "Through the proxy."})
    assert response.status_code == 303
    return db.session.scalars(sa.select(Comment).where(Comment.post_id == post.id)).one()


FORWARDED = {"X-Forwarded-For": "203.0.113.50", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "blog.example"}


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(app_factory):
    app = app_factory(PROXY_FIX_HOPS=0)
    with app.test_request_context():
        assert _comment_through(app, FORWARDED).author_ip == "127.0.0.1"
        response = app.test_client().get("/", headers=FORWARDED)
        assert "Strict-Transport-Security" not in response.headers
        assert "https://blog.example" not in response.get_data(as_text=True)


def test_a_trusted_proxy_gives_the_client_ip_https_and_hsts(app_factory):
    app = app_factory(PROXY_FIX_HOPS=1, SITE_URL="https://blog.example")
    with app.test_request_context():
        assert _comment_through(app, FORWARDED).author_ip == "203.0.113.50"
        response = app.test_client().get("/", headers=FORWARDED)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert 'href="https://blog.example/feed/"' in response.get_data(as_text=True)
        # Only the last hop is trusted: a client cannot spoof its address by sending its own header.
        spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.77", "X-Forwarded-Proto": "https"}
        assert _comment_through(app, spoofed).author_ip == "203.0.113.77"


class ProductionTestConfig(ProductionConfig):
    SECRET_KEY = "production-test-secret-" + "x" * 16
    SQLALCHEMY_DATABASE_URI = TEST_DATABASE_URL
    PROXY_FIX_HOPS = 1
    REDIS_URL = None
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "extensions.InProcessPageStore"
    MAIL_SERVER = None
    OAUTH_SETTINGS_FROM_ENV = False
    OIDC_PROVIDERS = ""
    ADMIN_EMAILS = ""
    TRUSTED_HOSTS = ["127.0.0.1", "localhost"]  # the test client's hosts, as an operator would list


@pytest.fixture
def production_app(postgres_schema):
    app = create_app(ProductionTestConfig)
    app.test_client_class = IsolatedClient
    with app.test_request_context():
        if not ON_POSTGRES:
            db.create_all()
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        yield app
        db.session.remove()
        if ON_POSTGRES:
            _empty_all_tables()
        db.engine.dispose()


def _secure_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_production_cookies_are_all_secure_and_http_only(production_app):
    from auth.services import save_admin

    post = make_post()
    https = {"X-Forwarded-Proto": "https"}
    client = production_app.test_client()
    page = client.get(post_url(post), headers=https, base_url="https://127.0.0.1")
    action, hidden = form_fields(page)
    posted = client.post(action, headers=https, base_url="https://127.0.0.1", data=hidden | {
        "author": "Ada", "email": "ada@example.com", "comment": "Remember me.", "remember": "y"})
    assert posted.status_code == 303
    cookies = _secure_cookies(posted)
    save_admin("owner@example.com", "a long enough password")
    owner = production_app.test_client()
    login_page = owner.get("/login", headers=https, base_url="https://127.0.0.1")
    token = form_fields(login_page, "form.login-form")[1]["csrf_token"]
    # Over HTTPS Flask-WTF also wants a same-site Referer, which browsers send with this policy.
    logged_in = owner.post("/login", headers=https | {"Referer": "https://127.0.0.1/login"},
                           base_url="https://127.0.0.1", data={
        "csrf_token": token, "email": "owner@example.com", "password": "a long enough password", "remember": "y"})
    assert logged_in.status_code == 302
    cookies |= _secure_cookies(logged_in)
    assert {"blog_session", "comment_author", "remember_token"} <= set(cookies)
    for header in cookies.values():
        attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
        assert {"secure", "httponly"} <= attributes, header
        assert "samesite=lax" in header.lower(), header


def test_every_rate_limit_guards_a_post_since_page_views_skip_the_limiter(app):
    """extensions.py lets GET/HEAD/OPTIONS past the limiter: a limit on a page view would never apply."""
    from flask_limiter.util import get_qualified_name

    from extensions import limiter

    limited = []
    for rule in app.url_map.iter_rules():
        for limit in limiter.limit_manager.decorated_limits(get_qualified_name(app.view_functions[rule.endpoint])):
            methods = {m.upper() for m in limit.methods} if limit.methods else set(rule.methods)
            limited.append((rule.rule, methods))
    assert limited, "the comment and log-in forms are rate limited"
    assert all(methods <= {"POST"} or "GET" not in methods for _, methods in limited), limited
