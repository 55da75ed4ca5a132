"""Response headers that make every page safer: CSP with a per-request nonce, and friends."""

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from werkzeug.routing import MapAdapter


class SiteURLFlask(Flask):
    """Flask whose URLs, absolute ones included, are built on SITE_URL's scheme and host, in a
    request or outside one: no Host or X-Forwarded-* header can choose them. (SERVER_NAME would do
    the host alone, and would also move the test client and cookies to it.)"""

    def create_url_adapter(self, request) -> MapAdapter | None:
        adapter = super().create_url_adapter(request)  # refuses hosts outside TRUSTED_HOSTS
        site = urlsplit(self.config["SITE_URL"])
        if adapter is None:
            return self.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)
        adapter.server_name, adapter.url_scheme = site.netloc, site.scheme
        return adapter


def csp_nonce() -> str:
    """The nonce an inline script must carry to run on this response."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _content_security_policy(response) -> str:
    img_sources = "'self' data:"
    # Other sites' images the owner allows (blog.media.csp: remote avatars, listed image hosts), on
    # pages only: a feed, a JSON answer or a redirect shows no image.
    extra_sources = current_app.extensions.get("csp_image_sources")
    if extra_sources and response.mimetype == "text/html" and not 300 <= response.status_code < 400:
        img_sources = " ".join([img_sources, *extra_sources()])
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}'",
        "style-src 'self'",
        f"img-src {img_sources}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", _content_security_policy(response))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.add_template_global(csp_nonce)
