"""The reader's own page at /account: their name, comments, subscriptions, log-ins, data and deletion."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from auth.models import Identity, User
from auth.roles import AUTHOR
from blog.models import Comment, ModerationLog
from blog.permalinks import post_url
from core.dbtypes import utcnow
from extensions import db
from notify.models import Subscription
from privacy.models import PrivacyRequest
from tests.support.admin import client_as, csrf_token_from, make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup
from tests.support.oauth import consent, google_settings, log_in, through_continue_page


@pytest.fixture
def reader(app) -> User:
    user = make_user(False, "Ada Reader", "ada@example.com")
    db.session.add(Identity(user=user, provider="google", subject="ada-sub", display_name="Ada L",
                            email="ada@example.com", email_verified=True))
    db.session.commit()
    return user


def send(client, url: str, **data):
    """POST a form of the account page as the browser would: with the page's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token_from(client.get("/account")), **data})


def listed(response, selector: str) -> list[str]:
    return [item.get_text(" ", strip=True) for item in page_soup(response).select(selector)]


def test_a_logged_out_visitor_is_sent_to_log_in_and_back(client):
    for path in ("/account", "/account/data.json", "/account/delete"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next={path.replace('/', '%2F')}"
    token = csrf_token_from(client.get("/login"))
    refused = client.post("/account/name", data={"csrf_token": token, "display_name": "X"})
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login?next=")


def test_the_page_shows_the_readers_own_comments_subscriptions_and_log_ins_only(app, reader):
    post = make_post(title="Coffee chats")
    make_comment(post, user_id=reader.id, body="Mine, published.")
    make_comment(post, user_id=reader.id, body="Mine, held.", status="pending")
    make_comment(post, user_id=reader.id, body="Mine, spam.", status="spam")
    stranger = make_user(False, "Someone Else", "else@example.com")
    make_comment(post, user_id=stranger.id, body="Not mine.")
    make_comment(post, author_email="ada@example.com", body="A guest typed my address.")
    db.session.add_all([
        Subscription(email="ada@example.com", scope="comments", post_id=post.id, confirmed_at=utcnow()),
        Subscription(email="other@example.com", user_id=reader.id, scope="posts"),
        Subscription(email="else@example.com", user_id=stranger.id, scope="comments", post_id=post.id),
    ])
    db.session.commit()
    page = client_as(app, reader).get("/account")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"] and "private" in page.headers["Cache-Control"]
    comments = listed(page, ".account-comments li")
    assert [c.split(" on ")[0] for c in comments] == ["not published", "awaiting moderation", "published"]
    assert all("Coffee chats" in c for c in comments)
    text = page.get_data(as_text=True)
    assert "Not mine." not in text and "A guest typed my address." not in text
    link = page_soup(page).select_one(".account-comments li:last-child a")
    assert link["href"].startswith("/comments/")
    # A post's title is in <bdi>: the text as read, not one piece per element.
    subscriptions = [" ".join(li.get_text().split()) for li in page_soup(page).select(".subscriptions li")]
    assert len(subscriptions) == 2 and "New comments on “Coffee chats”" in subscriptions[0]
    assert "New posts on" in subscriptions[1]
    assert page_soup(page).select_one("a[href*='/notify/subscriptions/']")  # the address's own manage page
    assert listed(page, ".linked-providers li") == ["Google : Ada L (ada@example.com)"]


def test_an_unproved_address_finds_no_subscriptions_of_that_address(app):
    reader = User(display_name="Unproved", email="grace@example.com", email_verified=False)
    db.session.add(reader)
    db.session.add(Subscription(email="grace@example.com", scope="posts"))
    db.session.commit()
    page = client_as(app, reader).get("/account")
    assert listed(page, ".subscriptions li") == []


def test_comments_are_listed_twenty_a_page(app, reader):
    post = make_post()
    for n in range(21):
        make_comment(post, user_id=reader.id, body=f"Number {n}", created_at=utcnow() - timedelta(minutes=n))
    client = client_as(app, reader)
    first = client.get("/account")
    assert len(listed(first, ".account-comments li")) == 20
    assert "Number 0" in first.get_data(as_text=True) and "Number 20" not in first.get_data(as_text=True)
    second = client.get(page_soup(first).select_one("a.next")["href"])
    assert len(listed(second, ".account-comments li")) == 1
    assert "Number 20" in second.get_data(as_text=True)


def test_rename_needs_the_csrf_token_and_a_name(app, reader):
    client = client_as(app, reader)
    assert client.post("/account/name", data={"display_name": "Forged"}).status_code == 400
    empty = send(client, "/account/name", display_name="  ")
    assert empty.status_code == 400
    assert "Enter the name to show on your comments." in empty.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, reader.id).display_name == "Ada Reader"
    saved = send(client, "/account/name", display_name="Ada Lovelace")
    assert saved.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, reader.id).display_name == "Ada Lovelace"
    assert "Your name is saved." in client.get("/account").get_data(as_text=True)


def test_renaming_is_rate_limited_per_account(app, reader):
    client = client_as(app, reader)
    token = csrf_token_from(client.get("/account"))
    codes = [client.post("/account/name", data={"csrf_token": token, "display_name": f"Ada {n}"}).status_code
             for n in range(21)]
    assert codes == [303] * 20 + [429]


def test_a_reader_cancels_their_own_subscription_and_no_one_elses(app, reader):
    stranger = make_user(False, "Someone Else", "else@example.com")
    mine = Subscription(email="ada@example.com", user_id=reader.id, scope="posts")
    theirs = Subscription(email="else@example.com", user_id=stranger.id, scope="posts")
    db.session.add_all([mine, theirs])
    db.session.commit()
    client = client_as(app, reader)
    assert client.post(f"/account/subscriptions/{mine.id}/cancel").status_code == 400  # no CSRF token
    assert send(client, f"/account/subscriptions/{theirs.id}/cancel").status_code == 303
    assert "That subscription was already cancelled." in client.get("/account").get_data(as_text=True)
    assert send(client, f"/account/subscriptions/{mine.id}/cancel").status_code == 303
    db.session.expire_all()
    assert list(db.session.scalars(sa.select(Subscription.id))) == [theirs.id]


def test_download_streams_the_readers_data_as_a_json_attachment(app, reader):
    post = make_post()
    make_comment(post, user_id=reader.id, body="Mine to take away.")
    make_comment(post, body="Someone else's words.")
    response = client_as(app, reader).get("/account/data.json")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))
    assert [c["body"] for c in data["comments"]] == ["Mine to take away."]
    assert [i["subject"] for i in data["identities"]] == ["ada-sub"]
    readable = client_as(app, reader).get("/account/data.html")
    assert readable.mimetype == "text/html" and "attachment" in readable.headers["Content-Disposition"]
    assert "Mine to take away." in readable.get_data(as_text=True)
    assert "Someone else" not in readable.get_data(as_text=True)


def test_deleting_the_account_erases_its_data_and_logs_the_reader_out(app, reader):
    post = make_post()
    held = make_comment(post, user_id=reader.id, body="Still held.", status="pending")
    public = make_comment(post, user_id=reader.id, body="My words.", author_name="Ada Reader",
                          author_ip="203.0.113.7")
    db.session.add(Subscription(email="ada@example.com", user_id=reader.id, scope="posts"))
    db.session.commit()
    client, reader_id = client_as(app, reader), reader.id
    confirm_page = client.get("/account/delete")
    assert confirm_page.status_code == 200 and page_soup(confirm_page).select_one("input[name=erase_text]")
    assert client.post("/account/delete", data={"confirm": "y"}).status_code == 400  # no CSRF token
    unconfirmed = send(client, "/account/delete", erase_text="y")
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.get_data(as_text=True)
    assert db.session.get(User, reader_id) is not None

    done = send(client, "/account/delete", confirm="y", erase_text="y")
    assert done.status_code == 303 and done.headers["Location"] == "/"
    db.session.expire_all()
    assert db.session.get(User, reader_id) is None
    assert db.session.scalars(sa.select(Identity)).all() == []
    assert db.session.scalars(sa.select(Subscription)).all() == []
    public, held = db.session.get(Comment, public.id), db.session.get(Comment, held.id)
    assert (public.author_name, public.author_ip, public.user_id) == ("Anonymous", "", None)
    assert "My words." not in public.body
    assert held.body == "Still held."  # a moderator has yet to see it
    request_row = db.session.scalars(sa.select(PrivacyRequest)).one()
    assert (request_row.kind, request_row.source, request_row.status, request_row.email) == \
        ("erase", "account", "done", None)
    logged = db.session.scalars(sa.select(ModerationLog).where(ModerationLog.action == "privacy-erase")).one()
    assert "Ada" not in logged.moderator_name and "ada@" not in logged.detail
    home = client.get("/")
    assert "Your account is deleted" in home.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # logged out
    assert "Anonymous" in client.get(post_url(post)).get_data(as_text=True)


def test_staff_cannot_delete_their_account_here(app):
    author = make_user(False, "Pat Author", "pat@example.com", role=AUTHOR)
    client = client_as(app, author)
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert "Staff accounts cannot be deleted here" in page.get_data(as_text=True)
    assert page_soup(page).select_one("a[href='/admin/users']")
    assert page_soup(page).select_one("input[name=confirm]") is None
    refused = client.post("/account/delete", data={"csrf_token": csrf_token_from(client.get("/account")),
                                                    "confirm": "y"})
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, author.id) is not None


def test_the_logged_in_line_above_the_comment_form_links_to_the_account(app, reader):
    post = make_post()
    page = client_as(app, reader).get(post_url(post))
    assert page_soup(page).select_one(".logged-in-text a.account-link")["href"] == "/account"


def test_a_reader_links_another_provider_and_comes_back_to_the_account(social_app, oidc_provider, fake_provider):
    github = fake_provider("github")
    blog = social_app(**google_settings(oidc_provider), **github.settings)
    client = blog.test_client()
    log_in(client, "github", "/account", user="octo", action="allow")
    page = client.get("/account")
    assert [b.get_text(strip=True) for b in page_soup(page).select("#account-logins button")] == ["Link Google"]
    token = csrf_token_from(page)
    started = client.post("/account/link/google", data={"csrf_token": token})
    back = client.get(consent(through_continue_page(client, started), sub="octo-at-google"))
    assert back.headers["Location"] == "/account"
    providers = [li["data-identity"] for li in page_soup(client.get("/account")).select(".linked-providers li")]
    assert providers == ["github", "google"]
    assert client.post("/account/link/nowhere", data={"csrf_token": token}).status_code == 404
