"""Issue 19, item 12: a provider's email claim is one address or no email at all.

Checked with the local OpenID provider, which returns the claims each test sets.
"""

import pytest
import requests

from auth.models import Identity, User
from auth.roles import ADMINISTRATOR, SUBSCRIBER
from tests.support.oauth import google_settings, log_in, rows


def _log_in_with_claims(social_app, oidc_provider, **claims):
    app = social_app(SITE_URL="http://127.0.0.1", ADMIN_EMAILS="ada@example.com", **google_settings(oidc_provider))
    body = {"name": "Ada Lovelace", "email_verified": True, **claims}
    requests.put(f"{oidc_provider.url}/users/list-sub", json=body, timeout=5).raise_for_status()
    response = log_in(app.test_client(), "google", sub="list-sub")
    assert response.status_code == 302
    return app


@pytest.mark.parametrize(
    "claim",
    [
        "ada@example.com, eve@example.net",
        "ada@example.com,eve@example.net",
        "ada@example.com; eve@example.net",
        "Ada <ada@example.com>",
        "ada@example.com\r\nBcc: eve@example.net",
    ],
)
def test_a_provider_email_that_is_not_one_address_is_treated_as_no_email(social_app, oidc_provider, claim):
    app = _log_in_with_claims(social_app, oidc_provider, email=claim)
    (identity,) = rows(app, Identity)
    (user,) = rows(app, User)
    assert identity.email is None and not identity.email_verified
    assert user.email is None and not user.email_verified and user.role == SUBSCRIBER
    assert user.display_name == "Ada Lovelace"


def test_a_single_provider_email_is_kept(social_app, oidc_provider):
    app = _log_in_with_claims(social_app, oidc_provider, email=" ada@example.com ")
    (identity,) = rows(app, Identity)
    assert identity.email == "ada@example.com" and identity.email_verified
    assert rows(app, User)[0].role == ADMINISTRATOR
