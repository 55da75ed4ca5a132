"""Linking log-in providers to one's account from the profile, against real local providers:
the provider's log-in, run while logged in, attaches its account to this one; unlinking keeps a way in."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from auth.models import Identity, User
from auth.services import save_admin
from extensions import db
from tests.support.admin import csrf_token_from
from tests.support.helpers import login_as, page_soup
from tests.support.oauth import consent, flashed, google_settings, log_in, through_continue_page

PASSWORD = "a long enough password"


@pytest.fixture
def linking_app(social_app, oidc_provider, fake_provider):
    github = fake_provider("github")
    return social_app(**google_settings(oidc_provider), **github.settings)


def _identities(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [(i.provider, i.subject, i.user_id)
                for i in db.session.scalars(sa.select(Identity).order_by(Identity.id))]


def _owner(app) -> SimpleNamespace:
    """The password owner "owner" (its id and session token, read while its app context lasts)."""
    with app.app_context():
        user, _ = save_admin("owner@example.com", PASSWORD)
        token = user.get_id()
        return SimpleNamespace(id=user.id, get_id=lambda: token)


def _logged_in(app, user):
    client = app.test_client()
    login_as(client, user)
    return client


def _start_link(client, name: str):
    token = csrf_token_from(client.get("/admin/profile"))
    return client.post(f"/admin/profile/link/{name}", data={"csrf_token": token})


def _link(client, name: str, **consent_form):
    """The whole linking journey: the profile's button, the provider's consent, the callback."""
    return client.get(consent(through_continue_page(client, _start_link(client, name)), **consent_form))


def _unlink(client, identity_id: int):
    token = csrf_token_from(client.get("/admin/profile"))
    return client.post(f"/admin/profile/unlink/{identity_id}", data={"csrf_token": token})


def _user_of(app, client) -> str | None:
    """The display name of whoever this browser is logged in as (None: nobody)."""
    page = client.get("/admin/profile")
    if page.status_code != 200:
        return None
    return page_soup(page).select_one("#display_name")["value"]


def test_a_provider_linked_from_the_profile_then_logs_in_to_this_account(linking_app):
    owner = _owner(linking_app)
    client = _logged_in(linking_app, owner)
    response = _link(client, "google", sub="ada-sub")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/profile"
    assert flashed(client) == ["Your Google account is linked: you can log in with it too."]
    assert _identities(linking_app) == [("google", "ada-sub", owner.id)]
    assert _user_of(linking_app, client) == "owner"  # still logged in as before, on the same account

    browser = linking_app.test_client()
    log_in(browser, "google", sub="ada-sub")
    assert _user_of(linking_app, browser) == "owner"
    with linking_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_profile_lists_linked_providers_and_offers_the_others(linking_app):
    owner = _owner(linking_app)
    client = _logged_in(linking_app, owner)
    _link(client, "google", sub="ada-sub")
    page = page_soup(client.get("/admin/profile"))
    linked = page.select_one("[data-identity=google]").get_text(" ", strip=True)
    assert linked.startswith("Google : Ada Lovelace (ada@example.com)")
    for icon in page.select("svg[aria-hidden=true]"):
        icon.decompose()
    offered = [b.get_text(" ", strip=True) for b in page.select(".link-providers button")]
    assert offered == ["Link GitHub"]


def test_an_account_linked_to_another_user_is_refused(linking_app):
    log_in(linking_app.test_client(), "google", sub="ada-sub")  # Ada's own account, made by her log-in
    owner = _owner(linking_app)
    client = _logged_in(linking_app, owner)
    response = _link(client, "google", sub="ada-sub")
    assert response.headers["Location"] == "/admin/profile"
    assert flashed(client) == ["That Google account is already linked to another account on this blog, "
                               "so it was not linked to yours."]
    ((provider, subject, user_id),) = _identities(linking_app)
    assert (provider, subject) == ("google", "ada-sub") and user_id != owner.id
    assert _user_of(linking_app, client) == "owner"


def test_linking_needs_a_csrf_token_and_a_known_provider(linking_app):
    client = _logged_in(linking_app, _owner(linking_app))
    assert client.post("/admin/profile/link/google").status_code == 400
    token = csrf_token_from(client.get("/admin/profile"))
    assert client.post("/admin/profile/link/nosuch", data={"csrf_token": token}).status_code == 404
    assert _identities(linking_app) == []


def test_an_abandoned_link_does_not_turn_a_later_log_in_into_a_link(linking_app):
    owner = _owner(linking_app)
    client = _logged_in(linking_app, owner)
    through_continue_page(client, _start_link(client, "google"))  # never comes back from the provider
    token = csrf_token_from(client.get("/admin/profile"))
    client.post("/auth/logout", data={"csrf_token": token})
    log_in(client, "google", sub="ada-sub")
    ((_, _, user_id),) = _identities(linking_app)
    assert user_id != owner.id
    assert _user_of(linking_app, client) == "Ada Lovelace"


def test_a_password_account_unlinks_its_provider(linking_app):
    owner = _owner(linking_app)
    client = _logged_in(linking_app, owner)
    _link(client, "google", sub="ada-sub")
    (identity_id,) = [i.id for i in _rows(linking_app)]
    response = _unlink(client, identity_id)
    assert response.status_code == 303
    assert _identities(linking_app) == []
    assert "Your Google account is no longer linked." in flashed(client)


def _rows(app) -> list[Identity]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Identity).order_by(Identity.id)))


def test_the_only_way_in_cannot_be_unlinked_until_another_is_linked(linking_app):
    client = linking_app.test_client()
    log_in(client, "google", sub="ada-sub")  # Ada has no password: Google is her only way in
    (google,) = _rows(linking_app)
    page = page_soup(client.get("/admin/profile"))
    assert "Your only way to log in" in page.select_one("[data-identity=google]").get_text()
    refused = _unlink(client, google.id)
    assert refused.status_code == 400
    assert "This is your only way to log in" in page_soup(refused).select_one(".notice-error").get_text()
    assert len(_rows(linking_app)) == 1

    _link(client, "github", user="octo", action="allow")
    assert [(i.provider, i.user_id) for i in _rows(linking_app)] == [("google", google.user_id),
                                                                      ("github", google.user_id)]
    assert _unlink(client, google.id).status_code == 303
    assert [i.provider for i in _rows(linking_app)] == ["github"]


def test_another_accounts_provider_cannot_be_unlinked(linking_app):
    log_in(linking_app.test_client(), "google", sub="ada-sub")
    log_in(linking_app.test_client(), "github", user="octo", action="allow")
    owner = _owner(linking_app)
    client = _logged_in(linking_app, owner)
    for identity in _rows(linking_app):
        response = _unlink(client, identity.id)
        assert response.status_code == 400
        notice = page_soup(response).select_one(".notice-error").get_text()
        assert notice == "That log-in is not linked to your account."
    assert len(_rows(linking_app)) == 2
