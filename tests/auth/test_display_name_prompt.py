"""A social log-in whose provider gave no name asks once for a display name, then returns to where
the reader was; their comments carry that name, never "Anonymous"."""

from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from bs4 import BeautifulSoup

from auth import two_factor
from auth.models import User
from blog.models import Comment
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_post
from tests.support.helpers import form_fields
from tests.support.oauth import csrf_token_from, log_in, rows

NAMELESS = {"id": "10009"}  # Facebook answers with no name and no email


@pytest.fixture
def facebook_blog(social_app, fake_provider):
    facebook = fake_provider("facebook")
    facebook.users["nameless"] = NAMELESS
    app = social_app(**facebook.settings)
    with app.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        url = post_url(make_post())
    return app, url


def _prompt(client, url: str):
    """Log in as the nameless reader from the post at `url`; the callback's response."""
    return log_in(client, "facebook", url, user="nameless", action="allow")


def _answer(client, prompt_path: str, name: str):
    page = client.get(prompt_path)
    assert page.status_code == 200
    fields = {i["name"]: i.get("value", "") for i in BeautifulSoup(page.data, "html.parser").select("form input")}
    return client.post("/auth/name", data=fields | {"display_name": name})


def test_a_nameless_log_in_asks_for_a_name_before_returning(facebook_blog):
    app, url = facebook_blog
    client = app.test_client()
    response = _prompt(client, url)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/name" and parse_qs(location.query)["next"] == [url]
    page = BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")
    assert page.select_one("h1").get_text() == "What should we call you?"

    answered = _answer(client, response.headers["Location"], "  Ada Nameless ")
    assert answered.status_code == 302 and answered.headers["Location"] == url
    (user,) = rows(app, User)
    assert user.display_name == "Ada Nameless"


def test_the_comment_then_carries_the_chosen_name(facebook_blog):
    app, url = facebook_blog
    client = app.test_client()
    _answer(client, _prompt(client, url).headers["Location"], "Ada Nameless")
    page = client.get(url)
    assert "Ada Nameless" in BeautifulSoup(page.data, "html.parser").select_one(".logged-in-name").get_text()
    action, hidden = form_fields(page)
    assert client.post(action, data=hidden | {"comment": "Hello, with a name."}).status_code == 303
    (comment,) = rows(app, Comment)
    assert comment.author_name == "Ada Nameless"


def test_the_name_is_asked_only_once(facebook_blog):
    app, url = facebook_blog
    client = app.test_client()
    _answer(client, _prompt(client, url).headers["Location"], "Ada Nameless")
    client.post("/auth/logout", data={"csrf_token": csrf_token_from(client, url)})
    again = _prompt(client, url)
    assert again.status_code == 302 and again.headers["Location"] == url
    (user,) = rows(app, User)
    assert user.display_name == "Ada Nameless"


def test_an_empty_name_shows_the_form_again_with_a_400(facebook_blog):
    app, url = facebook_blog
    client = app.test_client()
    response = _answer(client, _prompt(client, url).headers["Location"], "   ")
    assert response.status_code == 400
    page = BeautifulSoup(response.data, "html.parser")
    assert page.select_one(".field-error").get_text() == "Enter the name to show on your comments."
    assert page.select_one("#display_name")["aria-invalid"] == "true"
    assert rows(app, User)[0].display_name == "Anonymous"


def test_the_name_form_needs_a_csrf_token_and_stays_on_this_site(facebook_blog):
    app, url = facebook_blog
    client = app.test_client()
    _prompt(client, url)
    refused = client.post("/auth/name", data={"display_name": "Mallory"})
    assert refused.status_code == 400
    assert rows(app, User)[0].display_name == "Anonymous"
    answered = _answer(client, "/auth/name?next=//evil.example/", "Ada Nameless")
    assert answered.headers["Location"] == "/"


def test_a_provider_that_gives_a_name_is_not_asked(social_app, fake_provider):
    facebook = fake_provider("facebook")
    app = social_app(**facebook.settings)
    response = log_in(app.test_client(), "facebook", "/", user="linus", action="allow")
    assert response.headers["Location"] == "/"


def test_nobody_logged_out_is_asked(facebook_blog):
    app, _url = facebook_blog
    response = app.test_client().get("/auth/name")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_a_nameless_reader_with_two_factor_is_asked_after_the_second_step(facebook_blog):
    app, url = facebook_blog
    _prompt(app.test_client(), url)  # the account is made at the first log-in
    (user,) = rows(app, User)
    with app.test_request_context():
        account = db.session.get(User, user.id)
        account.role = "editor"
        two_factor.start_enrolment(account)
        two_factor.confirm_enrolment(account, pyotp.TOTP(account.totp_secret).now())
        account.totp_last_step = None  # as if enrolled a while ago
        db.session.commit()
        secret = account.totp_secret
    client = app.test_client()
    second_step = _prompt(client, url).headers["Location"]
    assert urlsplit(second_step).path == "/login/two-factor"
    action, hidden = form_fields(client.get(second_step), "form")
    finished = client.post(action, data=hidden | {"code": pyotp.TOTP(secret).now()})
    assert finished.status_code == 302
    prompt = urlsplit(finished.headers["Location"])
    assert prompt.path == "/auth/name" and parse_qs(prompt.query)["next"] == [url]
