"""Everyone's profile at /admin/profile: name, author slug, bio, password and sessions."""

import pytest

from auth.models import User
from auth.roles import ADMINISTRATOR, AUTHOR, MODERATOR, SUBSCRIBER
from extensions import db
from tests.support.admin import csrf_token_from, make_user
from tests.support.helpers import login_as, page_soup

PASSWORD = "an old long password"


def _client(app, user):
    client = app.test_client()
    login_as(client, user)
    return client


def _post(client, url: str, **data):
    """Submit a profile form as the browser would: with the page's CSRF token."""
    token = csrf_token_from(client.get("/admin/profile"))
    return client.post(url, data={"csrf_token": token, **data})


def _about(client, display_name="Ada Lovelace", nicename="", bio=""):
    return _post(client, "/admin/profile", display_name=display_name, nicename=nicename, bio=bio)


def _errors(response) -> list[str]:
    return [e.get_text(strip=True) for e in page_soup(response).select(".field-error")]


@pytest.mark.parametrize("role", [SUBSCRIBER, MODERATOR, AUTHOR, ADMINISTRATOR])
def test_every_role_opens_its_own_profile_from_the_menu(app, role):
    user = make_user(False, "Someone", f"{role}@example.com", role=role)
    page = _client(app, user).get("/admin/profile")
    assert page.status_code == 200
    soup = page_soup(page)
    assert soup.select_one("nav.admin-menu a[href='/admin/profile']").get_text(strip=True) == "Profile"
    assert soup.select_one("#display_name")["value"] == "Someone"
    assert "Your account" not in soup.select_one("nav.admin-menu").get_text()


def test_the_old_account_address_sends_to_the_profile(app, admin_user):
    response = _client(app, admin_user).get("/admin/account")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/admin/profile")


def test_display_name_slug_and_bio_are_saved(app, admin_user):
    client = _client(app, admin_user)
    response = _about(client, "Ada Lovelace", "ada", "I write about engines.")
    assert response.status_code == 303
    user = db.session.get(User, admin_user.id)
    assert (user.display_name, user.nicename, user.bio) == ("Ada Lovelace", "ada", "I write about engines.")
    page = page_soup(client.get("/admin/profile"))
    assert page.select_one(".notice-success").get_text(strip=True) == "Profile updated."
    assert page.select_one(".admin-bar").get_text(" ", strip=True).count("Ada Lovelace") >= 1


def test_an_empty_display_name_shows_the_form_again_with_a_400(app, admin_user):
    response = _about(_client(app, admin_user), display_name="  ", bio="kept")
    assert response.status_code == 400
    assert _errors(response) == ["Enter the name to show on your posts and comments."]
    assert page_soup(response).select_one("#bio").get_text(strip=True) == "kept"
    assert db.session.get(User, admin_user.id).display_name == "Blog Owner"


@pytest.mark.parametrize("slug", ["Ada", "ada lovelace", "ada--l", "-ada", "ada_l", "x" * 61])
def test_an_author_slug_outside_the_rules_is_refused(app, admin_user, slug):
    response = _about(_client(app, admin_user), nicename=slug)
    assert response.status_code == 400
    assert _errors(response)[0] in ("Use lowercase letters, digits and single hyphens only (for example ada-lovelace).",
                                     "Use at most 60 characters.")
    assert db.session.get(User, admin_user.id).nicename is None


def test_an_author_slug_another_account_holds_is_refused_clearly(app, admin_user):
    make_user(False, "Other", "other@example.com", role=AUTHOR).nicename = "ada"
    db.session.commit()
    response = _about(_client(app, admin_user), nicename="ada")
    assert response.status_code == 400
    assert _errors(response) == ["The author slug “ada” belongs to another account. Choose another one."]


def test_staff_without_a_slug_get_one_made_from_their_name(app):
    taken = make_user(False, "First Ada", "first@example.com", role=AUTHOR)
    taken.nicename = "ada-lovelace"
    author = make_user(False, "Someone", "author@example.com", role=AUTHOR)
    reader = make_user(False, "Reader", "reader2@example.com")
    assert _about(_client(app, author), "Ada Lovelace").status_code == 303
    assert _about(_client(app, reader), "Ada Lovelace").status_code == 303
    assert db.session.get(User, author.id).nicename == "ada-lovelace-2"
    assert db.session.get(User, reader.id).nicename is None


def test_every_profile_change_needs_a_csrf_token(app, admin_user):
    client = _client(app, admin_user)
    for url in ("/admin/profile", "/admin/profile/email", "/admin/profile/password",
                "/admin/profile/log-out-everywhere"):
        assert client.post(url, data={"display_name": "X", "email": "x@example.com"}).status_code == 400, url
    assert db.session.get(User, admin_user.id).display_name == "Blog Owner"


def _owner_with_password(app) -> User:
    user = make_user(True, "Blog Owner", "owner@example.com")
    user.set_password(PASSWORD)
    db.session.commit()
    return user


def _log_in(client, password=PASSWORD, remember=False):
    token = csrf_token_from(client.get("/login"))
    data = {"csrf_token": token, "email": "owner@example.com", "password": password}
    return client.post("/login", data=data | ({"remember": "y"} if remember else {}))


def _opens_admin(app, remember_cookie: str) -> bool:
    """Whether a fresh browser holding only this remember cookie gets into /admin/."""
    browser = app.test_client()
    browser.set_cookie("remember_token", remember_cookie)
    return browser.get("/admin/").status_code == 200


def test_changing_the_password_asks_for_the_current_one(app):
    _owner_with_password(app)
    client = app.test_client()
    _log_in(client)
    response = _post(client, "/admin/profile/password", current_password="wrong one",
                     new_password="a brand new password", confirm_password="a brand new password")
    assert response.status_code == 400
    assert _errors(response) == ["Your current password is not correct."]
    assert _log_in(app.test_client()).status_code == 302  # the old password still works


def test_the_new_password_must_be_typed_twice_alike_and_long_enough(app):
    _owner_with_password(app)
    client = app.test_client()
    _log_in(client)
    differ = _post(client, "/admin/profile/password", current_password=PASSWORD,
                   new_password="a brand new password", confirm_password="another new password")
    assert differ.status_code == 400 and _errors(differ) == ["The two new passwords differ."]
    short = _post(client, "/admin/profile/password", current_password=PASSWORD,
                  new_password="short", confirm_password="short")
    assert short.status_code == 400 and _errors(short) == ["Use at least 8 characters."]


def test_a_new_password_works_and_ends_the_other_sessions(app):
    _owner_with_password(app)
    mine, other = app.test_client(), app.test_client()
    _log_in(mine)
    _log_in(other)
    response = _post(mine, "/admin/profile/password", current_password=PASSWORD,
                     new_password="a brand new password", confirm_password="a brand new password")
    assert response.status_code == 303
    assert mine.get("/admin/profile").status_code == 200  # this browser carries on
    assert other.get("/admin/").status_code == 302
    assert _log_in(app.test_client()).status_code == 401
    assert _log_in(app.test_client(), "a brand new password").status_code == 302


def test_an_account_without_a_password_sets_one_without_a_current_one(app, admin_user):
    client = _client(app, admin_user)
    page = page_soup(client.get("/admin/profile"))
    assert page.select_one("#current_password") is None
    response = _post(client, "/admin/profile/password", new_password="a first password",
                     confirm_password="a first password")
    assert response.status_code == 303
    assert db.session.get(User, admin_user.id).check_password("a first password")


# Moved from the account page's tests: the sessions section now lives on the profile.

def test_log_out_all_sessions_button_ends_another_browsers_session(app):
    _owner_with_password(app)
    mine, other = app.test_client(), app.test_client()
    _log_in(mine)
    _log_in(other, remember=True)
    other_remember = other.get_cookie("remember_token").value
    assert _opens_admin(app, other_remember)
    page = page_soup(mine.get("/admin/profile"))
    form = page.select_one("form[action='/admin/profile/log-out-everywhere']")
    assert form is not None and form["method"] == "post"
    token = form.select_one("input[name=csrf_token]")["value"]

    response = mine.post("/admin/profile/log-out-everywhere", data={"csrf_token": token})
    assert response.status_code == 303
    assert other.get("/admin/").status_code == 302
    assert not _opens_admin(app, other_remember)
    profile = mine.get("/admin/profile")
    assert profile.status_code == 200  # this browser carries on, on a new session
    notice = page_soup(profile).select_one("[data-sessions-ended]").get_text(" ", strip=True)
    assert notice.startswith("All sessions ended at") and "(logged out everywhere)" in notice


def test_log_out_all_sessions_without_csrf_is_refused(app):
    _owner_with_password(app)
    mine, other = app.test_client(), app.test_client()
    _log_in(mine)
    _log_in(other)
    assert mine.post("/admin/profile/log-out-everywhere").status_code == 400
    assert other.get("/admin/").status_code == 200
