"""Changing one's email from the profile: a signed, expiring, single-use link mailed to the new
address (through the outbox and a real SMTP server), a word to the old one, and no change before."""

import time

import itsdangerous.timed

from auth.models import User
from extensions import db
from tests.support.admin import csrf_token_from, make_user
from tests.support.helpers import login_as, page_soup
from tests.support.mail import links_in, text_of


def _client(app, user):
    client = app.test_client()
    login_as(client, user)
    return client


def _ask(client, email: str):
    token = csrf_token_from(client.get("/admin/profile"))
    return client.post("/admin/profile/email", data={"csrf_token": token, "email": email})


def _link(messages, to: str) -> str:
    mail = next(m for m in messages if m["To"] == to)
    return links_in(mail, "/admin/profile/email/")[0]


def _confirm(client, path: str):
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": csrf_token_from(page)})


def test_the_new_address_gets_a_link_the_old_one_a_notice_and_nothing_changes_yet(mail_app, deliver):
    user = make_user(True, "Blog Owner", "owner@example.com")
    response = _ask(_client(mail_app, user), "new@example.com")
    assert response.status_code == 303
    messages = deliver()
    assert sorted(m["To"] for m in messages) == ["new@example.com", "owner@example.com"]
    notice = next(m for m in messages if m["To"] == "owner@example.com")
    assert "new@example.com" in text_of(notice) and not links_in(notice, "/admin/profile/email/")
    assert _link(messages, "new@example.com")
    assert db.session.get(User, user.id).email == "owner@example.com"


def test_opening_the_link_changes_the_address_once(mail_app, deliver):
    user = make_user(True, "Blog Owner", "owner@example.com")
    user.email_verified = False
    db.session.commit()
    client = _client(mail_app, user)
    _ask(client, "new@example.com")
    path = _link(deliver(), "new@example.com")

    page = client.get(path)
    assert page.status_code == 200
    assert "new@example.com" in page_soup(page).select_one("main").get_text()
    assert db.session.get(User, user.id).email == "owner@example.com"  # opening the page is not enough
    done = client.post(path, data={"csrf_token": csrf_token_from(page)})
    assert done.status_code == 303
    changed = db.session.get(User, user.id)
    assert (changed.email, changed.email_verified) == ("new@example.com", True)

    again = client.get(path)
    assert again.status_code == 410
    assert page_soup(again).select_one(".notice-error").get_text() == "This link has already been used."


def test_a_link_is_single_use_even_when_the_old_address_comes_back(mail_app, deliver):
    user = make_user(True, "Blog Owner", "owner@example.com")
    client = _client(mail_app, user)
    _ask(client, "new@example.com")
    first = _link(deliver(), "new@example.com")
    assert _confirm(client, first).status_code == 303
    _ask(client, "owner@example.com")
    back = _link(deliver()[2:], "owner@example.com")
    assert _confirm(client, back).status_code == 303
    reused = _confirm(client, first)
    assert reused.status_code == 410
    assert db.session.get(User, user.id).email == "owner@example.com"


def test_an_altered_link_is_refused(mail_app, deliver):
    user = make_user(True, "Blog Owner", "owner@example.com")
    client = _client(mail_app, user)
    _ask(client, "new@example.com")
    path = _link(deliver(), "new@example.com")
    response = client.get(path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB"))
    assert response.status_code == 400
    assert page_soup(response).select_one(".notice-error").get_text() == "This link is not valid."


def test_an_expired_link_is_refused(mail_app, deliver, monkeypatch):
    user = make_user(True, "Blog Owner", "owner@example.com")
    client = _client(mail_app, user)
    _ask(client, "new@example.com")
    path = _link(deliver(), "new@example.com")
    in_three_days = time.time() + 3 * 24 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: in_three_days)  # the links' clock
    response = client.get(path)
    monkeypatch.undo()
    assert response.status_code == 410
    assert page_soup(response).select_one(".notice-error").get_text() == "This link has expired."


def test_the_link_works_only_for_the_account_that_asked(mail_app, deliver):
    user = make_user(True, "Blog Owner", "owner@example.com")
    other = make_user(False, "Someone Else", "else@example.com")
    _ask(_client(mail_app, user), "new@example.com")
    response = _confirm(_client(mail_app, other), _link(deliver(), "new@example.com"))
    assert response.status_code == 403
    assert db.session.get(User, other.id).email == "else@example.com"


def test_an_address_another_account_has_is_refused_with_the_form(mail_app, deliver):
    user = make_user(True, "Blog Owner", "owner@example.com")
    make_user(False, "Someone Else", "else@example.com")
    response = _ask(_client(mail_app, user), "Else@Example.com")
    assert response.status_code == 400
    assert [e.get_text() for e in page_soup(response).select(".field-error")] == [
        "That email address belongs to another account."]
    assert deliver() == []


def test_a_malformed_address_is_a_400_and_sends_nothing(mail_app, deliver):
    user = make_user(True, "Blog Owner", "owner@example.com")
    response = _ask(_client(mail_app, user), "not an address")
    assert response.status_code == 400
    assert page_soup(response).select_one("#email")["aria-invalid"] == "true"
    assert deliver() == []
