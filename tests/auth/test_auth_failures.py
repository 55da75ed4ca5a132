"""Every way a social log-in can fail ends on the reader's page with a message, logged,
with no session and nothing created."""

import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from joserfc.jwk import RSAKey

from auth.models import Identity, User
from tests.support.fake_providers import closed_port, hanging_server
from tests.support.oauth import consent, flashed, google_settings, log_in, rows, start_login

POST_PATH = "/2024/03/04/a-post/"


def _nothing_created_and_logged_out(client) -> None:
    assert rows(client.application, User) == [] and rows(client.application, Identity) == []
    with client.session_transaction() as session:
        assert "_user_id" not in session and "identity_id" not in session


def _with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | changes
    return parts._replace(query=urlencode(query)).geturl()


@pytest.fixture
def google_app(social_app, oidc_provider):
    return social_app(**google_settings(oidc_provider))


def test_refused_consent_returns_to_the_post_with_a_message(google_app, caplog):
    client = google_app.test_client()
    response = client.get(consent(start_login(client, "google", POST_PATH), action="deny"))
    assert response.headers["Location"] == POST_PATH
    assert flashed(client) == [
        "You did not allow the log-in with Google, so you are not logged in."
    ]
    _nothing_created_and_logged_out(client)
    assert "log-in with google failed: OAuthError" in caplog.text


def test_refused_consent_at_an_oauth2_provider(social_app, fake_provider):
    twitter = fake_provider("twitter")
    client = social_app(**twitter.settings).test_client()
    response = log_in(client, "twitter", POST_PATH, action="deny")
    assert response.headers["Location"] == POST_PATH
    assert "You did not allow the log-in with X (Twitter)" in flashed(client)[0]
    _nothing_created_and_logged_out(client)


def test_forged_state_is_refused(google_app, caplog):
    client = google_app.test_client()
    callback = consent(start_login(client, "google", POST_PATH), sub="ada-sub")
    response = client.get(_with_query(callback, state="forged-by-an-attacker"))
    assert response.headers["Location"] == POST_PATH
    assert flashed(client) == [
        "That Google log-in had expired or was already used. Please try again."
    ]
    _nothing_created_and_logged_out(client)
    assert "MismatchingStateError" in caplog.text


def test_callback_without_a_log_in_in_progress_goes_home(google_app):
    client = google_app.test_client()
    response = client.get("/auth/callback/google?code=made-up&state=made-up")
    assert response.headers["Location"] == "/"
    assert "expired or was already used" in flashed(client)[0]
    _nothing_created_and_logged_out(client)


def test_replayed_callback_in_another_browser_logs_nobody_in(google_app):
    victim, attacker = google_app.test_client(), google_app.test_client()
    callback = consent(start_login(victim, "google"), sub="ada-sub")
    attacker.get(callback)
    _nothing_created_and_logged_out(attacker)
    assert "expired or was already used" in flashed(attacker)[0]


def test_replayed_callback_in_the_same_browser_is_refused(google_app):
    client = google_app.test_client()
    callback = consent(start_login(client, "google"), sub="ada-sub")
    client.get(callback)
    assert flashed(client) == []
    client.get(callback)
    assert "expired or was already used" in flashed(client)[0]
    assert len(rows(google_app, Identity)) == 1


def test_nonce_mismatch_is_refused(google_app, caplog):
    client = google_app.test_client()
    authorize_url = _with_query(
        start_login(client, "google", POST_PATH), nonce="not-the-apps-nonce"
    )
    response = client.get(consent(authorize_url, sub="ada-sub"))
    assert response.headers["Location"] == POST_PATH
    assert flashed(client) == ["Google's answer could not be verified, so you are not logged in."]
    _nothing_created_and_logged_out(client)
    assert "nonce" in caplog.text


@pytest.mark.parametrize(
    "tampering, expected",
    [
        pytest.param(None, "bad_signature", id="signature-by-an-unpublished-key"),
        pytest.param(
            lambda claims: claims | {"aud": "another-client"}, "Invalid claim 'aud'", id="audience"
        ),
        pytest.param(
            lambda claims: claims | {"aud": "another-client", "azp": "blog-client"},
            "Invalid claim 'aud'",
            id="audience-with-our-azp",
        ),
        pytest.param(
            lambda claims: {k: v for k, v in claims.items() if k != "aud"},
            "'aud'",
            id="no-audience",
        ),
        pytest.param(
            lambda claims: claims | {"iss": "http://127.0.0.1:1"},
            "Invalid claim 'iss'",
            id="issuer",
        ),
        pytest.param(
            lambda claims: claims | {"exp": int(time.time()) - 3600}, "expired", id="expired"
        ),
    ],
)
def test_id_token_that_fails_verification_is_refused(
    google_app, oidc_provider, tampering, expected, caplog
):
    oidc_provider.tamper.mutate = tampering or (lambda claims: claims)
    if tampering is None:
        oidc_provider.tamper.published_key = RSAKey.generate_key(2048, parameters={"kid": "tamper"})
    client = google_app.test_client()
    log_in(client, "google", POST_PATH, sub="ada-sub")
    assert flashed(client) == ["Google's answer could not be verified, so you are not logged in."]
    _nothing_created_and_logged_out(client)
    assert expected in caplog.text


def test_correctly_resigned_id_token_is_accepted(google_app, oidc_provider):
    """The tampering proxy itself is sound: a faithful re-signature logs in."""
    oidc_provider.tamper.mutate = lambda claims: claims
    client = google_app.test_client()
    log_in(client, "google", sub="ada-sub")
    assert len(rows(google_app, Identity)) == 1


def test_provider_down_at_the_start_returns_to_the_post(social_app):
    with closed_port() as url:
        app = social_app(
            GOOGLE_CLIENT_ID="c",
            GOOGLE_CLIENT_SECRET="s",
            GOOGLE_SERVER_METADATA_URL=url + "/.well-known/openid-configuration",
        )
        client = app.test_client()
        response = client.get(f"/auth/login/google?next={POST_PATH}")
    assert response.headers["Location"] == POST_PATH
    assert flashed(client) == ["Google could not be reached. Please try again later."]
    _nothing_created_and_logged_out(client)


def test_provider_that_hangs_fails_within_the_timeout(social_app):
    with hanging_server() as url:
        app = social_app(
            GOOGLE_CLIENT_ID="c",
            GOOGLE_CLIENT_SECRET="s",
            OAUTH_TIMEOUT=0.3,
            GOOGLE_SERVER_METADATA_URL=url + "/.well-known/openid-configuration",
        )
        client = app.test_client()
        started = time.monotonic()
        response = client.get(f"/auth/login/google?next={POST_PATH}")
        elapsed = time.monotonic() - started
    assert response.headers["Location"] == POST_PATH
    assert flashed(client) == ["Google did not answer in time. Please try again in a moment."]
    assert elapsed < 1.5


def test_token_endpoint_that_hangs_fails_within_the_timeout(social_app, fake_provider):
    github = fake_provider("github")
    with hanging_server() as url:
        app = social_app(
            **github.settings | {"GITHUB_ACCESS_TOKEN_URL": url + "/token"}, OAUTH_TIMEOUT=0.3
        )
        client = app.test_client()
        callback = consent(start_login(client, "github", POST_PATH), user="octo", action="allow")
        started = time.monotonic()
        response = client.get(callback)
        assert time.monotonic() - started < 1.5
    assert response.headers["Location"] == POST_PATH
    assert "GitHub did not answer in time" in flashed(client)[0]
    _nothing_created_and_logged_out(client)


@pytest.mark.parametrize("endpoint", ["token", "profile"])
def test_provider_answering_500_ends_with_a_message(social_app, fake_provider, endpoint, caplog):
    facebook = fake_provider("facebook")
    facebook.overrides[endpoint] = (500, "<h1>Internal Server Error</h1>")
    client = social_app(**facebook.settings).test_client()
    response = log_in(client, "facebook", POST_PATH, user="linus", action="allow")
    assert response.headers["Location"] == POST_PATH
    assert flashed(client) == [
        "Facebook had a problem completing the log-in. Please try again later."
    ]
    _nothing_created_and_logged_out(client)
    assert "log-in with facebook failed: HTTPError" in caplog.text


@pytest.mark.parametrize(
    "shape, endpoint, body",
    [
        ("wordpress", "token", "<html>not json</html>"),
        ("wordpress", "token", '{"token_type": "Bearer"}'),
        ("wordpress", "token", '["a", "list"]'),
        ("wordpress", "token", '{"error": "invalid_grant"}'),
        ("wordpress", "profile", "<html>not json</html>"),
        ("wordpress", "profile", '{"display_name": "No id"}'),
        ("wordpress", "profile", '{"ID": {"nested": 1}}'),
        ("twitter", "profile", '{"data": ["not", "an", "object"]}'),
        ("twitter", "profile", '{"errors": [{"title": "Unauthorized"}]}'),
        ("github", "emails", '{"message": "not a list"}'),
    ],
)
def test_junk_from_the_provider_ends_with_a_message(
    social_app, fake_provider, shape, endpoint, body
):
    provider = fake_provider(shape)
    provider.overrides[endpoint] = (200, body)
    user = next(iter(provider.users))
    client = social_app(**provider.settings).test_client()
    response = log_in(client, shape, POST_PATH, user=user, action="allow")
    assert response.headers["Location"] == POST_PATH
    assert flashed(client) and "not logged in" in flashed(client)[0]
    _nothing_created_and_logged_out(client)


def test_twitter_refuses_an_authorization_request_without_pkce(fake_provider):
    """The fake X enforces PKCE, so the S256 assertion in the journey test means something."""
    import requests

    twitter = fake_provider("twitter")
    url = (
        twitter.settings["TWITTER_AUTHORIZE_URL"] + "?response_type=code&client_id=blog-client"
        "&redirect_uri=http://127.0.0.1/auth/callback/twitter&scope=users.read&state=s"
    )
    assert requests.get(url, timeout=5).status_code == 400


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_outside_this_site_falls_back_to_home(google_app, evil):
    client = google_app.test_client()
    response = log_in(client, "google", evil, sub="ada-sub")
    assert response.headers["Location"] == "/"
    assert len(rows(google_app, Identity)) == 1


def test_unknown_or_unconfigured_provider_is_404(google_app):
    client = google_app.test_client()
    assert client.get("/auth/login/myspace").status_code == 404
    assert client.get("/auth/callback/myspace?code=x&state=y").status_code == 404
    assert client.get("/auth/login/facebook").status_code == 404  # no credentials configured
