"""The log-in providers: one registry entry per provider, data only, plus the Authlib set-up.

Adding a provider is adding an entry here (or naming a standard OpenID Connect provider in
OIDC_PROVIDERS); the views serve every entry through the same two routes.
"""

import copy
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from flask import Flask, current_app
from markupsafe import Markup, escape

from auth import profiles
from auth.profiles import Profile
from config import oauth_settings_from_environment

OIDC_SCOPE = "openid email profile"
DEV_CLIENT_SECRET = "development-sign-in"
_NAME = re.compile(r"^[a-z][a-z0-9]{1,30}$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


@dataclass(frozen=True)
class Provider:
    """One way to log in: how Authlib reaches it, what it asks for, and how it looks."""

    name: str
    label: str
    registration: dict  # Authlib register() keyword arguments (endpoints or discovery URL)
    scope: str
    pkce: bool
    icon_color: str
    icon_glyph: str
    fetch_profile: Callable[..., Profile] = field(compare=False)
    development: bool = False  # pointed at the local development sign-in provider

    @property
    def openid(self) -> bool:
        return "openid" in self.scope.split()

    @property
    def icon(self) -> Markup:
        """A small inline SVG badge, so the page makes no third-party request for logos."""
        return Markup(
            '<svg class="social-icon" width="20" height="20" viewBox="0 0 20 20" aria-hidden="true"'
            ' focusable="false"><circle cx="10" cy="10" r="10" fill="{color}"/>'
            '<text x="10" y="14.5"'
            ' text-anchor="middle" font-family="Arial,sans-serif" font-size="12" font-weight="700"'
            ' fill="#fff">{glyph}</text></svg>'
        ).format(color=escape(self.icon_color), glyph=escape(self.icon_glyph))


REGISTRY: dict[str, Provider] = {
    provider.name: provider
    for provider in (
        Provider(
            name="google",
            label="Google",
            registration={
                "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration"
            },
            scope=OIDC_SCOPE,
            pkce=False,
            icon_color="#4285f4",
            icon_glyph="G",
            fetch_profile=profiles.oidc_profile,
        ),
        Provider(
            name="twitter",
            label="X (Twitter)",
            registration={
                "authorize_url": "https://x.com/i/oauth2/authorize",
                "access_token_url": "https://api.x.com/2/oauth2/token",
                "api_base_url": "https://api.x.com/",
            },
            scope="tweet.read users.read",
            pkce=True,
            icon_color="#000000",
            icon_glyph="X",
            fetch_profile=profiles.twitter_profile,
        ),
        Provider(
            name="facebook",
            label="Facebook",
            registration={
                "authorize_url": "https://www.facebook.com/v19.0/dialog/oauth",
                "access_token_url": "https://graph.facebook.com/v19.0/oauth/access_token",
                "api_base_url": "https://graph.facebook.com/v19.0/",
                "client_kwargs": {"token_endpoint_auth_method": "client_secret_post"},
            },
            scope="email public_profile",
            pkce=False,
            icon_color="#1877f2",
            icon_glyph="f",
            fetch_profile=profiles.facebook_profile,
        ),
        Provider(
            name="wordpress",
            label="WordPress.com",
            registration={
                "authorize_url": "https://public-api.wordpress.com/oauth2/authorize",
                "access_token_url": "https://public-api.wordpress.com/oauth2/token",
                "api_base_url": "https://public-api.wordpress.com/",
                "client_kwargs": {"token_endpoint_auth_method": "client_secret_post"},
            },
            scope="auth",
            pkce=False,
            icon_color="#21759b",
            icon_glyph="W",
            fetch_profile=profiles.wordpress_profile,
        ),
        Provider(
            name="github",
            label="GitHub",
            registration={
                "authorize_url": "https://github.com/login/oauth/authorize",
                "access_token_url": "https://github.com/login/oauth/access_token",
                "api_base_url": "https://api.github.com/",
                "client_kwargs": {"token_endpoint_auth_method": "client_secret_post"},
            },
            scope="read:user user:email",
            pkce=False,
            icon_color="#24292f",
            icon_glyph="GH",
            fetch_profile=profiles.github_profile,
        ),
    )
}


def generic_oidc_provider(name: str, config) -> Provider:
    """A standard OpenID Connect provider described by configuration alone."""
    prefix = name.upper()
    color = config.get(f"{prefix}_ICON_COLOR") or "#50575e"
    label = config.get(f"{prefix}_LABEL") or name.title()
    return Provider(
        name=name,
        label=label,
        registration={"server_metadata_url": config.get(f"{prefix}_SERVER_METADATA_URL")},
        scope=config.get(f"{prefix}_SCOPE") or OIDC_SCOPE,
        pkce=True,
        icon_color=color if _COLOR.match(color) else "#50575e",
        icon_glyph=label[:1].upper(),
        fetch_profile=profiles.oidc_profile,
    )


def configured_names(config) -> list[str]:
    """Built-in provider names followed by the OIDC_PROVIDERS names (validated)."""
    extra = [
        n.strip().lower() for n in (config.get("OIDC_PROVIDERS") or "").split(",") if n.strip()
    ]
    for name in extra:
        if not _NAME.match(name) or name in REGISTRY:
            raise RuntimeError(f"OIDC_PROVIDERS: {name!r} is not a usable provider name.")
    return [*REGISTRY, *extra]


def _configured(provider: Provider, config, key: str):
    """The <PROVIDER>_<KEY> setting, or None."""
    return config.get(f"{provider.name}_{key}".upper())


def _setting(provider: Provider, config, key: str):
    """One registration value: the <PROVIDER>_<KEY> setting, else the registry entry's."""
    value = _configured(provider, config, key)
    return provider.registration.get(key) if value is None else value


def _registration_kwargs(provider: Provider, config, params: tuple[str, ...]) -> dict:
    """The entry's Authlib kwargs (`params` names them) with every <PROVIDER>_<KEY> setting laid over it."""
    kwargs = {key: None for key in params} | copy.deepcopy(provider.registration)
    for key in params:
        value = _configured(provider, config, key)
        if value is None:
            continue
        if isinstance(kwargs.get(key), dict) and isinstance(value, dict):
            kwargs[key] = kwargs[key] | value
        else:
            kwargs[key] = value
    if kwargs["api_base_url"] and not kwargs["api_base_url"].endswith("/"):
        kwargs["api_base_url"] += "/"  # Authlib joins relative paths onto it
    client_kwargs = {"scope": provider.scope, "default_timeout": config["OAUTH_TIMEOUT"]}
    if provider.pkce:
        client_kwargs["code_challenge_method"] = "S256"
    kwargs["client_kwargs"] = client_kwargs | (kwargs["client_kwargs"] or {})
    return kwargs


def _development_version(provider: Provider, signin_url: str) -> Provider:
    """The same button, served by the local development OpenID Connect provider."""
    metadata_url = signin_url.rstrip("/") + "/.well-known/openid-configuration"
    return replace(
        provider,
        registration={"server_metadata_url": metadata_url},
        scope=OIDC_SCOPE,
        pkce=True,
        fetch_profile=profiles.oidc_profile,
        development=True,
    )


def init_app(app: Flask) -> None:
    """Choose this app's usable providers; their Authlib registry is made at the first social log-in."""
    config = app.config
    names = configured_names(config)
    if config.get("OAUTH_SETTINGS_FROM_ENV"):
        for key, value in oauth_settings_from_environment(names).items():
            config.setdefault(key, value)
    enabled: dict[str, Provider] = {}
    for name in names:
        provider = REGISTRY.get(name) or generic_oidc_provider(name, config)
        if not (_setting(provider, config, "client_id") and _setting(provider, config, "client_secret")):
            if not config.get("DEV_SIGNIN_URL"):
                continue
            provider = _development_version(provider, config["DEV_SIGNIN_URL"])
        elif not (_setting(provider, config, "server_metadata_url") or _setting(provider, config, "authorize_url")):
            raise RuntimeError(f"{name.upper()}_SERVER_METADATA_URL must be set for {name}.")
        enabled[name] = provider
    app.extensions["auth_providers"] = enabled


OAUTH_EXTENSION = "authlib.integrations.flask_client"  # where Authlib's OAuth keeps itself in app.extensions
_registry_lock = threading.Lock()


def _oauth_registry(app: Flask):
    """This app's own Authlib OAuth registry with every enabled provider, made once on first use."""
    # Here, not at the top: Authlib brings requests and cryptography, heavy libraries which only a
    # social log-in needs, so web workers that never see one do not carry them.
    from authlib.integrations.base_client.registry import OAUTH_CLIENT_PARAMS
    from authlib.integrations.flask_client import OAuth

    with _registry_lock:
        if OAUTH_EXTENSION not in app.extensions:
            oauth = OAuth()
            for name, provider in app.extensions["auth_providers"].items():
                if provider.development:
                    kwargs = _registration_kwargs(provider, {"OAUTH_TIMEOUT": app.config["OAUTH_TIMEOUT"]},
                                                  OAUTH_CLIENT_PARAMS)
                    kwargs |= {"client_id": f"dev-{name}", "client_secret": DEV_CLIENT_SECRET}
                else:
                    kwargs = _registration_kwargs(provider, app.config, OAUTH_CLIENT_PARAMS)
                oauth.register(name, **kwargs)
            oauth.init_app(app)
    return app.extensions[OAUTH_EXTENSION]


def enabled_providers() -> list[Provider]:
    """The providers whose buttons this app shows, in registry order."""
    return list(current_app.extensions["auth_providers"].values())


def get_provider(name: str) -> Provider | None:
    return current_app.extensions["auth_providers"].get(name)


def get_client(name: str):
    """This app's Authlib client for a provider."""
    app = current_app._get_current_object()
    oauth = app.extensions.get(OAUTH_EXTENSION) or _oauth_registry(app)
    return oauth.create_client(name)


def provider_label(name: str) -> str:
    """The display label of a provider, even one no longer configured."""
    provider = get_provider(name) or REGISTRY.get(name)
    return provider.label if provider else name.title()
