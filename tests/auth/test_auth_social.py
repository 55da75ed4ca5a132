"""Social log-in, the whole journey, for every provider over real HTTP to local providers."""

import requests
from flask import session

from auth.models import Identity, User
from auth.services import current_identity
from tests.support.oauth import (
    consent,
    csrf_token_from,
    flashed,
    google_settings,
    log_in,
    rows,
    start_login,
)


def _only_identity(app) -> Identity:
    (identity,) = rows(app, Identity)
    return identity


def test_google_log_in_verifies_the_id_token_and_returns_to_the_post(social_app, oidc_provider):
    app = social_app(**google_settings(oidc_provider))
    client = app.test_client()
    authorize_url = start_login(client, "google", "/2024/03/04/a-post/")
    assert "nonce=" in authorize_url and "state=" in authorize_url
    response = client.get(consent(authorize_url, sub="ada-sub"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/2024/03/04/a-post/"
    identity = _only_identity(app)
    assert (identity.provider, identity.subject) == ("google", "ada-sub")
    assert identity.display_name == "Ada Lovelace"
    assert identity.email == "ada@example.com" and identity.email_verified
    assert identity.avatar_url == "https://images.example.com/ada.png"
    with client:
        client.get("/")
        assert session["identity_id"] == identity.id
        assert current_identity().id == identity.id


def test_second_log_in_reuses_the_identity_and_refreshes_its_profile(social_app, oidc_provider):
    app = social_app(**google_settings(oidc_provider))
    log_in(app.test_client(), "google", sub="ada-sub")
    claims = {"name": "Ada King", "email": "ada@example.com", "email_verified": True}
    requests.put(f"{oidc_provider.url}/users/ada-sub", json=claims, timeout=5)
    log_in(app.test_client(), "google", sub="ada-sub")
    assert len(rows(app, User)) == 1
    assert _only_identity(app).display_name == "Ada King"


def test_twitter_log_in_uses_pkce_s256_and_the_users_me_data_shape(social_app, fake_provider):
    twitter = fake_provider("twitter")
    app = social_app(**twitter.settings)
    client = app.test_client()
    authorize_url = start_login(client, "twitter", "/about/")
    assert "code_challenge_method=S256" in authorize_url
    response = client.get(consent(authorize_url, user="grace", action="allow"))
    assert response.headers["Location"] == "/about/"
    identity = _only_identity(app)
    assert (identity.provider, identity.subject, identity.display_name) == (
        "twitter",
        "1460",
        "Grace Hopper",
    )
    assert identity.email is None and not identity.email_verified
    assert identity.avatar_url == "https://pbs.example.com/grace.jpg"
    assert identity.profile_url == "https://x.com/grace_h"
    assert twitter.seen_challenges[-1]


def test_facebook_log_in_reads_the_graph_me_fields(social_app, fake_provider):
    facebook = fake_provider("facebook")
    app = social_app(**facebook.settings)
    client = app.test_client()
    log_in(client, "facebook", user="linus", action="allow")
    identity = _only_identity(app)
    assert (identity.subject, identity.display_name) == ("10001", "Linus T")
    assert identity.email == "linus@example.com"
    assert not identity.email_verified  # Facebook does not say it verified the address
    assert identity.avatar_url == "https://fb.example.com/l.jpg"


def test_wordpress_log_in_reads_rest_me(social_app, fake_provider):
    wordpress = fake_provider("wordpress")
    app = social_app(**wordpress.settings)
    client = app.test_client()
    log_in(client, "wordpress", user="matt", action="allow")
    identity = _only_identity(app)
    assert (identity.subject, identity.display_name) == ("4242", "Matt M")
    assert identity.email == "matt@example.com" and identity.email_verified
    assert identity.avatar_url == "https://gravatar.example.com/m"
    assert identity.profile_url == "https://wordpress.example.com/mattm"


def test_github_log_in_takes_the_primary_verified_email(social_app, fake_provider):
    github = fake_provider("github")
    app = social_app(**github.settings)
    client = app.test_client()
    log_in(client, "github", user="octo", action="allow")
    identity = _only_identity(app)
    assert (identity.subject, identity.display_name) == ("583231", "The Octocat")
    assert identity.email == "octo@example.com" and identity.email_verified
    assert identity.profile_url == "https://github.example.com/octocat"


def test_generic_oidc_provider_from_configuration_alone(social_app, oidc_provider):
    app = social_app(
        OIDC_PROVIDERS="keycloak",
        KEYCLOAK_LABEL="Company SSO",
        KEYCLOAK_CLIENT_ID="blog",
        KEYCLOAK_CLIENT_SECRET="s3cret",
        KEYCLOAK_SERVER_METADATA_URL=oidc_provider.metadata_url,
    )
    client = app.test_client()
    authorize_url = start_login(client, "keycloak")
    assert "code_challenge_method=S256" in authorize_url
    client.get(consent(authorize_url, sub="ada-sub"))
    identity = _only_identity(app)
    assert (identity.provider, identity.subject) == ("keycloak", "ada-sub")
    assert flashed(client) == []


def test_each_provider_gets_its_own_user_keyed_on_provider_and_subject(
    social_app, oidc_provider, fake_provider
):
    github = fake_provider("github")
    app = social_app(**google_settings(oidc_provider), **github.settings)
    log_in(app.test_client(), "google", sub="eve-sub")
    github.users["octo"]["emails"] = [
        {"email": "eve@example.com", "primary": True, "verified": False}
    ]
    log_in(app.test_client(), "github", user="octo", action="allow")
    # Same address, but unverified on both sides: never merged.
    assert len(rows(app, User)) == 2


def test_verified_email_at_two_providers_joins_one_user(social_app, oidc_provider, fake_provider):
    wordpress = fake_provider("wordpress")
    wordpress.users["matt"]["email"] = "ada@example.com"
    app = social_app(**google_settings(oidc_provider), **wordpress.settings)
    log_in(app.test_client(), "google", sub="ada-sub")
    log_in(app.test_client(), "wordpress", user="matt", action="allow")
    (user,) = rows(app, User)
    assert [i.user_id for i in rows(app, Identity)] == [user.id, user.id]


def test_log_out_is_a_post_with_csrf_and_ends_the_session(social_app, oidc_provider):
    app = social_app(**google_settings(oidc_provider), WTF_CSRF_ENABLED=True)
    client = app.test_client()
    log_in(client, "google", sub="ada-sub")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout", data={"next": "/"}).status_code == 400
    token = csrf_token_from(client)
    with client:
        client.get("/")
        assert current_identity() is not None
    response = client.post(
        "/auth/logout", data={"csrf_token": token, "next": "/2024/03/04/x/#respond"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/2024/03/04/x/#respond"
    with client:
        client.get("/")
        assert current_identity() is None
        assert "identity_id" not in session and "_user_id" not in session
