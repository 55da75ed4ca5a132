"""The provider registry from configuration, development sign-in, administrators by verified
email, and the log-in partials the comment form includes."""

import re

import pytest
from bs4 import BeautifulSoup
from flask import render_template

from app import create_app
from auth.models import Identity, User
from auth.providers import REGISTRY, enabled_providers, get_client
from auth.roles import ADMINISTRATOR
from auth.services import current_identity
from config import ProductionConfig
from tests.support.oauth import google_settings, log_in, rows


def _names(app) -> list[str]:
    with app.test_request_context():
        return [p.name for p in enabled_providers()]


def _render(client, template: str, next_url: str = "/2024/03/04/a-post/") -> BeautifulSoup:
    """Render a partial as the page would for the reader holding this client's cookie."""
    cookie = client.get_cookie("blog_session", domain="127.0.0.1")
    headers = {"Cookie": f"blog_session={cookie.value}"} if cookie else {}
    with client.application.test_request_context("/", headers=headers):
        return BeautifulSoup(render_template(template, next_url=next_url, identity=current_identity()),
                             "html.parser")


def test_every_built_in_provider_is_in_the_registry():
    assert list(REGISTRY) == ["google", "twitter", "facebook", "wordpress", "github"]
    assert REGISTRY["twitter"].pkce and "users.read" in REGISTRY["twitter"].scope
    assert REGISTRY["google"].openid and not REGISTRY["github"].openid


def test_a_provider_shows_only_with_both_client_id_and_secret(app_factory):
    assert _names(app_factory()) == []
    assert _names(app_factory(GITHUB_CLIENT_ID="id")) == []
    assert _names(app_factory(GITHUB_CLIENT_ID="id", GITHUB_CLIENT_SECRET="s")) == ["github"]


def test_registration_keys_come_from_the_environment_in_authlibs_convention(
    app_factory, monkeypatch
):
    monkeypatch.setenv("FACEBOOK_CLIENT_ID", "fb-id")
    monkeypatch.setenv("FACEBOOK_CLIENT_SECRET", "fb-secret")
    monkeypatch.setenv("FACEBOOK_AUTHORIZE_URL", "http://127.0.0.1:9/dialog/oauth")
    monkeypatch.setenv("FACEBOOK_ACCESS_TOKEN_URL", "http://127.0.0.1:9/oauth/access_token")
    monkeypatch.setenv("FACEBOOK_API_BASE_URL", "http://127.0.0.1:9/v19.0")
    app = app_factory(OAUTH_SETTINGS_FROM_ENV=True)
    with app.test_request_context():
        client = get_client("facebook")
        assert (client.client_id, client.client_secret) == ("fb-id", "fb-secret")
        assert client.authorize_url == "http://127.0.0.1:9/dialog/oauth"
        assert client.access_token_url == "http://127.0.0.1:9/oauth/access_token"
        assert client.api_base_url == "http://127.0.0.1:9/v19.0/"
        assert client.client_kwargs["default_timeout"] == app.config["OAUTH_TIMEOUT"]


def test_environment_is_ignored_when_the_settings_say_so(app_factory, monkeypatch):
    monkeypatch.setenv("GITHUB_CLIENT_ID", "id")
    monkeypatch.setenv("GITHUB_CLIENT_SECRET", "secret")
    assert _names(app_factory()) == []


def test_each_app_has_its_own_oauth_registry(app_factory):
    first = app_factory(GITHUB_CLIENT_ID="one", GITHUB_CLIENT_SECRET="s")
    second = app_factory(GITHUB_CLIENT_ID="two", GITHUB_CLIENT_SECRET="s")
    with first.test_request_context():
        assert get_client("github").client_id == "one"
    with second.test_request_context():
        assert get_client("github").client_id == "two"


@pytest.mark.parametrize("names", ["google", "bad name!", "x"])
def test_unusable_oidc_provider_names_are_refused_at_start(app_factory, names):
    with pytest.raises(RuntimeError, match="OIDC_PROVIDERS"):
        app_factory(OIDC_PROVIDERS=names)


def test_generic_oidc_provider_needs_a_discovery_url(app_factory):
    with pytest.raises(RuntimeError, match="CORP_SERVER_METADATA_URL"):
        app_factory(OIDC_PROVIDERS="corp", CORP_CLIENT_ID="id", CORP_CLIENT_SECRET="s")


def test_development_sign_in_serves_every_unconfigured_provider(social_app, oidc_provider):
    app = social_app(
        DEV_SIGNIN_URL=oidc_provider.url, GITHUB_CLIENT_ID="real", GITHUB_CLIENT_SECRET="real"
    )
    with app.test_request_context():
        providers = {p.name: p for p in enabled_providers()}
    assert list(providers) == list(REGISTRY)
    assert not providers["github"].development  # real credentials win
    assert all(providers[n].development for n in ("google", "twitter", "facebook", "wordpress"))
    client = app.test_client()
    page = _render(client, "auth/_login_icons.html")
    assert "Development sign-in" in page.get_text()
    log_in(client, "facebook", sub="ada-sub")
    (user,) = rows(app, User)
    (identity,) = rows(app, Identity)
    assert identity.provider == "facebook" and identity.user_id == user.id and user.display_name == "Ada Lovelace"


def test_production_refuses_to_start_with_development_sign_in():
    config = type(
        "Prod",
        (ProductionConfig,),
        {
            "SECRET_KEY": "x" * 32,
            "DEV_SIGNIN_URL": "http://127.0.0.1:9400",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        },
    )
    with pytest.raises(RuntimeError, match="DEV_SIGNIN_URL"):
        create_app(config)


def test_admin_emails_make_a_provider_verified_address_an_administrator(social_app, oidc_provider):
    app = social_app(
        **google_settings(oidc_provider), ADMIN_EMAILS="ADA@example.com, eve@example.com"
    )
    log_in(app.test_client(), "google", sub="ada-sub")
    log_in(app.test_client(), "google", sub="eve-sub")  # eve's address is not verified
    admins = {u.email: u.role == ADMINISTRATOR for u in rows(app, User)}
    assert admins == {"ada@example.com": True, "eve@example.com": False}


def test_login_icons_link_each_provider_with_next_and_respond(
    social_app, oidc_provider, fake_provider
):
    github = fake_provider("github")
    app = social_app(**google_settings(oidc_provider), **github.settings)
    page = _render(app.test_client(), "auth/_login_icons.html")
    assert "Fill in your details below or click an icon to log in:" in page.get_text()
    links = [a["href"] for a in page.select("ul.social-logins a")]
    assert links == [
        "/auth/login/google?next=/2024/03/04/a-post/#respond",
        "/auth/login/github?next=/2024/03/04/a-post/#respond",
    ]
    assert page.select("ul.social-logins svg") and not page.select("img")
    assert "Development sign-in" not in page.get_text()


def test_commenting_as_shows_the_identity_with_log_out_and_change(social_app, oidc_provider):
    app = social_app(**google_settings(oidc_provider))
    client = app.test_client()
    assert _render(client, "auth/_commenting_as.html").get_text(strip=True) == ""
    log_in(client, "google", sub="ada-sub")
    page = _render(client, "auth/_commenting_as.html")
    text = " ".join(page.get_text(" ", strip=True).split())
    assert "Ada Lovelace" in text
    assert "You are commenting using your Google account. ( Your account / Log Out / Change )" in text
    # Avatars are local by default: the provider's picture (a third party) is not loaded.
    avatar = page.select_one(".logged-in-as img.avatar")["src"]
    assert re.fullmatch(r"/avatar/[0-9a-f]{12}\.svg", avatar)
    form = page.select_one("form.logout-form")
    assert form["method"] == "post" and form["action"] == "/auth/logout"
    assert form.select_one("input[name=csrf_token]")["value"]
    assert page.find("a", string="Change")["href"] == "#change-login"
    assert page.select_one("#change-login ul.social-logins a")


def test_session_cookie_is_httponly_and_samesite_lax(social_app, oidc_provider):
    app = social_app(**google_settings(oidc_provider))
    assert app.config["SESSION_PROTECTION"] in ("basic", "strong")
    response = log_in(app.test_client(), "google", sub="ada-sub")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("blog_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
