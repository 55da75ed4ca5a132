"""Invitations: the mailed link, setting a password or linking a provider, and links that expire or
were used (a real SMTP server receives the mail; a local OpenID provider answers the log-in)."""

import time

import sqlalchemy as sa

from auth import invites
from auth.models import Identity, User
from auth.roles import EDITOR, MODERATOR, SUBSCRIBER
from extensions import db
from tests.support.admin import admin_post, csrf_token_from, make_user
from tests.support.helpers import login_as, page_soup
from tests.support.mail import links_in, text_of
from tests.support.oauth import consent, google_settings, rows, through_continue_page

PASSWORD = "a long enough secret"


def invite_by_mail(app, deliver, email: str = "nell@example.com", role: str = EDITOR) -> str:
    """The owner invites from the Users screen; returns the link path of the mail that arrived."""
    owner = make_user(True, "Blog Owner", "owner@example.com")
    client = app.test_client()
    login_as(client, owner)
    token = csrf_token_from(client.get("/admin/users/new"))
    assert admin_post(client, "/admin/users/new", token, email=email, role=role).status_code == 303
    (mail,) = deliver()
    assert mail["To"] == email
    assert mail["Subject"] == f"[Career Notes] You are invited to join as {role.capitalize()}"
    assert "Blog Owner invited you to join Career Notes" in text_of(mail)
    (link,) = links_in(mail, "/invite/")
    return link


def accept(client, link: str, password: str = PASSWORD, confirm: str | None = None):
    page = client.get(link)
    assert page.status_code == 200, page.get_data(as_text=True)
    fields = {"csrf_token": csrf_token_from(page), "password": password, "confirm": confirm or password}
    return client.post(link, data=fields)


def invitee(email: str = "nell@example.com") -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_the_mailed_link_sets_a_password_verifies_the_email_and_logs_in(mail_app, deliver):
    link = invite_by_mail(mail_app, deliver)
    client = mail_app.test_client()
    page = client.get(link)
    assert page.headers["Cache-Control"] == "no-store"
    assert "invited as Editor with the address nell@example.com" in page_soup(page).get_text(" ", strip=True)

    response = accept(client, link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"
    nell = invitee()
    assert nell.email_verified and nell.check_password(PASSWORD)
    assert client.get("/admin/users").status_code == 403  # logged in, as an Editor (anonymous: 302)
    fresh = mail_app.test_client()
    assert fresh.post("/login", data={"csrf_token": csrf_token_from(fresh.get("/login")),
                                      "email": "nell@example.com", "password": PASSWORD}).status_code == 302


def test_a_link_works_once(mail_app, deliver):
    link = invite_by_mail(mail_app, deliver)
    assert accept(mail_app.test_client(), link).status_code == 303
    again = mail_app.test_client().get(link)
    assert again.status_code == 410
    assert "already used" in page_soup(again).select_one("[role=alert]").get_text()


def test_passwords_must_match_and_be_long_enough(mail_app, deliver):
    link = invite_by_mail(mail_app, deliver)
    client = mail_app.test_client()
    differ = accept(client, link, confirm="something else entirely")
    assert differ.status_code == 400
    assert page_soup(differ).select_one("#confirm-error").get_text() == "The two passwords differ."
    short = accept(client, link, password="short")
    assert short.status_code == 400
    assert "at least 8 characters" in page_soup(short).select_one("#password-error").get_text()
    assert invitee().password_hash is None
    assert accept(client, link).status_code == 303


def test_an_expired_link_says_so(app_factory):
    app = app_factory(INVITE_EXPIRY_DAYS=1 / 86400)  # one second
    with app.app_context():
        user = invites.invite("late@example.com", MODERATOR)
        db.session.commit()
        link = f"/invite/{invites.token_for(user)}"
    time.sleep(2.1)
    response = app.test_client().get(link)
    assert response.status_code == 410
    assert "expired" in page_soup(response).select_one("[role=alert]").get_text()


def test_a_tampered_or_withdrawn_link_is_refused_without_an_error(app):
    user = invites.invite("gone@example.com", MODERATOR)
    db.session.commit()
    token = invites.token_for(user)
    client = app.test_client()
    assert client.get(f"/invite/{token[:-3]}xyz").status_code == 400
    assert client.get("/invite/%00%ff").status_code in (400, 404)
    db.session.delete(user)
    db.session.commit()
    withdrawn = client.get(f"/invite/{token}")
    assert withdrawn.status_code == 410
    assert "withdrawn" in withdrawn.get_data(as_text=True)


def test_accepting_is_rate_limited(app_factory):
    app = app_factory(LOGIN_LIMIT_PER_IP="3 per minute")
    with app.app_context():
        user = invites.invite("nell@example.com", EDITOR)
        db.session.commit()
        link = f"/invite/{invites.token_for(user)}"
    client = app.test_client()
    token = csrf_token_from(client.get(link))
    answers = [client.post(link, data={"csrf_token": token, "password": "x", "confirm": "y"}).status_code
               for _ in range(4)]
    assert answers == [400, 400, 400, 429]


def test_a_provider_log_in_with_the_invited_address_joins_the_account(social_app, oidc_provider):
    app = social_app(**google_settings(oidc_provider))
    with app.app_context():
        link = f"/invite/{invites.token_for(invites.invite('ada@example.com', EDITOR))}"
        db.session.commit()
    client = app.test_client()
    page = client.get(link)
    button = page_soup(page).select_one("form[action$='/provider'] button")
    assert button.get_text(" ", strip=True).endswith("Log in with Google")
    started = client.post(f"{link}/provider", data={"csrf_token": csrf_token_from(page), "provider": "google"})
    authorize = through_continue_page(client, started)
    back = client.get(consent(authorize, sub="ada-sub"))
    assert back.headers["Location"] == f"{link}/linked"
    landed = client.get(back.headers["Location"])
    assert landed.status_code == 303 and landed.headers["Location"] == "/admin/"
    (user,) = rows(app, User)
    (identity,) = rows(app, Identity)
    assert (identity.user_id, user.role, user.email_verified) == (user.id, EDITOR, True)
    assert client.get("/admin/users").status_code == 403  # logged in, as an Editor (anonymous: 302)
    assert app.test_client().get(link).status_code == 410  # spent


def test_a_provider_log_in_with_another_address_does_not_join_and_says_why(social_app, oidc_provider):
    app = social_app(**google_settings(oidc_provider))
    with app.app_context():
        link = f"/invite/{invites.token_for(invites.invite('nell@example.com', EDITOR))}"
        db.session.commit()
    client = app.test_client()
    page = client.get(link)
    started = client.post(f"{link}/provider", data={"csrf_token": csrf_token_from(page), "provider": "google"})
    authorize = through_continue_page(client, started)
    landed = client.get(client.get(consent(authorize, sub="ada-sub")).headers["Location"])
    assert landed.status_code == 400
    assert "not linked to nell@example.com" in landed.get_data(as_text=True)
    nell = next(u for u in rows(app, User) if u.email == "nell@example.com")
    assert nell.password_hash is None and nell.role == EDITOR
    assert app.test_client().get(link).status_code == 200  # still usable to set a password


def test_the_owner_sends_a_new_link_and_the_earlier_one_stops_working(mail_app, deliver, smtp_server):
    first = invite_by_mail(mail_app, deliver)
    owner = db.session.scalar(sa.select(User).where(User.email == "owner@example.com"))
    client = mail_app.test_client()
    login_as(client, owner)
    nell = invitee()
    edit = client.get(f"/admin/users/{nell.id}/edit")
    form = page_soup(edit).select_one("form.resend-invitation")
    assert form.select_one("button[name=resend]").get_text(strip=True) == "Send the invitation again"
    resend = {"csrf_token": csrf_token_from(edit), "resend": "Send the invitation again"}
    sent = client.post(f"/admin/users/{nell.id}/edit", data=resend)
    assert sent.status_code == 303
    second_mail = deliver()[-1]
    assert len(smtp_server.messages) == 2
    (second,) = links_in(second_mail, "/invite/")
    assert second != first
    assert mail_app.test_client().get(first).status_code == 410
    assert accept(mail_app.test_client(), second).status_code == 303
    again = client.post(f"/admin/users/{nell.id}/edit", data=resend)
    assert again.status_code == 303 and len(deliver()) == 2  # accepted: nothing more is sent


def test_an_invited_subscriber_lands_on_the_home_page_not_a_refused_admin(mail_app, deliver):
    link = invite_by_mail(mail_app, deliver, email="sam@example.com", role=SUBSCRIBER)
    response = accept(mail_app.test_client(), link)
    assert response.status_code == 303 and response.headers["Location"] == "/"
