"""Fixtures for social log-in: local providers on 127.0.0.1 and a browser-like walk through them.

The app runs in Flask's test client (as 127.0.0.1); the app reaches each provider over real
HTTP through Authlib; the reader's visit to the provider's consent page is made with requests.
"""

from contextlib import ExitStack
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import oidc_provider_mock
import pytest
import requests
import sqlalchemy as sa
from bs4 import BeautifulSoup

from extensions import db
from tests.support.fake_providers import SHAPES, FakeOAuth2Provider, IdTokenTamper, serve

OIDC_USERS = [
    oidc_provider_mock.User(
        sub="ada-sub",
        claims={
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "email_verified": True,
            "picture": "https://images.example.com/ada.png",
        },
    ),
    oidc_provider_mock.User(
        sub="eve-sub",
        claims={"name": "Eve Unverified", "email": "eve@example.com", "email_verified": False},
    ),
]

SHAPE_USERS = {
    "twitter": {
        "grace": {
            "id": "1460",
            "name": "Grace Hopper",
            "username": "grace_h",
            "profile_image_url": "https://pbs.example.com/grace.jpg",
        }
    },
    "facebook": {
        "linus": {
            "id": "10001",
            "name": "Linus T",
            "email": "linus@example.com",
            "picture": {"data": {"url": "https://fb.example.com/l.jpg", "height": 50, "width": 50}},
        }
    },
    "wordpress": {
        "matt": {
            "ID": 4242,
            "display_name": "Matt M",
            "username": "mattm",
            "email": "matt@example.com",
            "email_verified": True,
            "avatar_URL": "https://gravatar.example.com/m",
            "profile_URL": "https://wordpress.example.com/mattm",
        }
    },
    "github": {
        "octo": {
            "id": 583231,
            "login": "octocat",
            "name": "The Octocat",
            "email": None,
            "avatar_url": "https://avatars.example.com/u/583231",
            "html_url": "https://github.example.com/octocat",
            "emails": [
                {"email": "old@example.com", "primary": False, "verified": True},
                {"email": "octo@example.com", "primary": True, "verified": True},
            ],
        }
    },
}


@pytest.fixture
def oidc_provider():
    """oidc-provider-mock on 127.0.0.1 (nonce required), behind an ID-token tamperer."""
    mock = oidc_provider_mock.app(require_nonce=True, user_claims=OIDC_USERS)
    mock.config["SESSION_COOKIE_NAME"] = "oidc_provider_session"
    tamper = IdTokenTamper(mock)
    with serve(tamper) as url:
        yield SimpleNamespace(
            url=url, tamper=tamper, metadata_url=f"{url}/.well-known/openid-configuration"
        )


@pytest.fixture
def fake_provider():
    """Start providers in a shape: fake_provider("github") -> provider with .url and .settings."""
    with ExitStack() as stack:

        def start(shape: str) -> FakeOAuth2Provider:
            provider = FakeOAuth2Provider(
                shape, users={k: dict(v) for k, v in SHAPE_USERS[shape].items()}
            )
            provider.url = stack.enter_context(serve(provider.wsgi_app()))
            provider.settings = fake_provider_settings(provider, provider.url)
            return provider

        yield start


def fake_provider_settings(provider: FakeOAuth2Provider, url: str) -> dict:
    """The app settings (<PROVIDER>_<KEY>) that point a provider's entry at a fake served at url."""
    paths = SHAPES[provider.shape]
    prefix = provider.shape.upper()
    return {
        f"{prefix}_CLIENT_ID": provider.client_id,
        f"{prefix}_CLIENT_SECRET": provider.client_secret,
        f"{prefix}_AUTHORIZE_URL": url + paths["authorize"],
        f"{prefix}_ACCESS_TOKEN_URL": url + paths["token"],
        f"{prefix}_API_BASE_URL": url + paths["api"],
    }


def google_settings(oidc, **extra) -> dict:
    return {
        "GOOGLE_CLIENT_ID": "blog-client",
        "GOOGLE_CLIENT_SECRET": "google-secret",
        "GOOGLE_SERVER_METADATA_URL": oidc.metadata_url,
        **extra,
    }


@pytest.fixture
def social_app(app_factory):
    """An app served as http://127.0.0.1/ (never "localhost") with the given provider settings.

    No app context stays pushed: each test-client request gets its own, as in production, so
    nothing cached in `g` (Flask-Login's current user) leaks from one request to the next.
    """

    def build(**settings):
        return app_factory(**{"SERVER_NAME": "127.0.0.1", "SITE_URL": "http://127.0.0.1", **settings})

    return build


def rows(app, model) -> list:
    """Every row of a model, read in a short app context of its own."""
    with app.app_context():
        return list(db.session.scalars(sa.select(model).order_by(model.id)))


def start_login(client, name: str, next_url: str = "/") -> str:
    """The reader clicks a provider icon; returns the provider URL the app redirected to."""
    response = client.get(f"/auth/login/{name}?next={quote(next_url)}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def consent(authorize_url: str, **form) -> str:
    """The reader answers the provider's consent page; returns the callback path and query."""
    answer = requests.post(authorize_url, data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    assert (location.scheme, location.netloc) == ("http", "127.0.0.1")
    return f"{location.path}?{location.query}"


def log_in(client, name: str, next_url: str = "/", **form):
    """The whole journey: icon, consent, callback; returns the app's final response."""
    return client.get(consent(start_login(client, name, next_url), **form))


def csrf_token_from(client, path: str = "/login") -> str:
    """The CSRF token of a rendered form, read as a browser would (one token per session)."""
    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    return page.find("input", attrs={"name": "csrf_token"})["value"]


def flashed(client) -> list[str]:
    with client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def through_continue_page(client, started) -> str:
    """Follow a form's start of a log-in (303 to auth's continue page, as the CSP needs) to the
    provider's authorization URL, as the page's refresh would."""
    assert started.status_code == 303, started.get_data(as_text=True)
    assert urlsplit(started.headers["Location"]).path.startswith("/auth/continue/")
    hop = client.get(started.headers["Location"])
    assert hop.status_code == 200 and hop.headers["Cache-Control"] == "no-store"
    page = BeautifulSoup(hop.get_data(as_text=True), "html.parser")
    target = page.select_one("meta[http-equiv=refresh]")["content"].split("url=", 1)[1]
    assert page.select_one(".login-continue a")["href"] == target
    # A log-in start of ours redirects on to the provider; a provider's page is the end.
    return client.get(target).headers["Location"] if target.startswith("/") else target
