"""Commenting after a social log-in: the comment belongs to the identity, rules still apply."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from auth.models import User
from blog.models import Comment
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_post
from tests.support.helpers import form_fields
from tests.support.oauth import google_settings, log_in, rows

PROVIDERS = {
    "google": ({"sub": "ada-sub"}, "Ada Lovelace", "Google"),
    "twitter": ({"user": "grace", "action": "allow"}, "Grace Hopper", "X (Twitter)"),
    "facebook": ({"user": "linus", "action": "allow"}, "Linus T", "Facebook"),
    "wordpress": ({"user": "matt", "action": "allow"}, "Matt M", "WordPress.com"),
    "github": ({"user": "octo", "action": "allow"}, "The Octocat", "GitHub"),
}


@pytest.fixture
def blog_with_provider(social_app, oidc_provider, fake_provider, request):
    name = request.param
    settings = google_settings(oidc_provider) if name == "google" else fake_provider(name).settings
    app = social_app(**settings)
    with app.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        url = post_url(make_post())
    return app, name, url


@pytest.mark.parametrize("blog_with_provider", list(PROVIDERS), indirect=True)
def test_reader_logs_in_comments_as_the_identity_and_logs_out(blog_with_provider):
    app, name, url = blog_with_provider
    form, display_name, label = PROVIDERS[name]
    client = app.test_client()
    log_in(client, name, url, **form)
    page = client.get(url)
    text = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one("#respond").get_text(" ", strip=True)
    assert f"You are commenting using your {label} account." in text
    assert display_name in text
    assert "author" not in {i.get("name") for i in BeautifulSoup(page.data, "html.parser").select("#commentform input")}
    action, hidden = form_fields(page)
    response = client.post(action, data=hidden | {"comment": f"Hello from {label}"})
    assert response.status_code == 303
    (comment,) = rows(app, Comment)
    (user,) = rows(app, User)
    assert (comment.user_id, comment.provider, comment.author_name) == (user.id, name, display_name)
    assert comment.status == "pending" and comment.status_reason == "first comment from this author"
    logout = BeautifulSoup(client.get(url).data, "html.parser").select_one("form.logout-form")
    token = logout.select_one("[name=csrf_token]")["value"]
    client.post(logout["action"], data={"csrf_token": token, "next": url})
    assert "You are commenting using" not in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("blog_with_provider", ["github"], indirect=True)
def test_a_user_with_an_approved_comment_is_previously_approved(blog_with_provider):
    app, name, url = blog_with_provider
    client = app.test_client()
    log_in(client, name, url, user="octo", action="allow")
    action, hidden = form_fields(client.get(url))
    client.post(action, data=hidden | {"comment": "First"})
    with app.app_context():
        db.session.execute(sa.update(Comment).values(status="approved"))
        db.session.commit()
    client.post(action, data=hidden | {"comment": "Second"})
    assert [c.status for c in rows(app, Comment)] == ["approved", "approved"]


@pytest.mark.parametrize("blog_with_provider", ["github"], indirect=True)
def test_a_held_comment_stays_visible_to_its_logged_in_author_in_another_browser(blog_with_provider):
    app, name, url = blog_with_provider
    first = app.test_client()
    log_in(first, name, url, user="octo", action="allow")
    action, hidden = form_fields(first.get(url))
    first.post(action, data=hidden | {"comment": "Held, but mine"})
    second = app.test_client()
    log_in(second, name, url, user="octo", action="allow")
    assert "Held, but mine" in second.get(url).get_data(as_text=True)
    assert "Held, but mine" not in app.test_client().get(url).get_data(as_text=True)
