"""The commenter page: who may open it, setting and lifting rungs, its history, and bad input."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from auth.roles import AUTHOR, EDITOR
from blog.spam.models import CommenterAction, CommenterStanding
from blog.spam.standings import standing_for
from core.dbtypes import utcnow
from extensions import db
from tests.support.admin import client_as, staff_user
from tests.support.factories import make_comment
from tests.support.helpers import page_soup


@pytest.fixture
def comment(post):
    make_comment(post, author_name="Ada Reader", author_email="Ada.L@example.com", body="An earlier one.")
    return make_comment(post, author_name="Ada Reader", author_email="Ada.L@example.com", author_ip="203.0.113.7",
                        status="spam", body="Buy cheap watches")


def page_url(comment) -> str:
    return f"/admin/comments/{comment.id}/commenter"


def standing_form(client, comment, kind: str) -> dict:
    """The hidden fields of one kind's form, as the browser would send them."""
    form = page_soup(client.get(page_url(comment))).select_one(f"form#standing-{kind}")
    assert form is not None, f"no form for {kind}"
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


def send(client, comment, kind: str, **fields):
    data = standing_form(client, comment, kind) | {f"{kind}-submit": "Save"}
    data |= {f"{kind}-{name}": value for name, value in fields.items()}
    return client.post(page_url(comment), data=data)


def actions() -> list[tuple]:
    db.session.expire_all()
    return [(a.kind, a.value, a.level, a.note, a.moderator_name)
            for a in db.session.scalars(sa.select(CommenterAction).order_by(CommenterAction.id))]


def test_an_author_may_not_open_the_ladder_even_for_a_comment_on_their_post(app, post, comment):
    author = staff_user(AUTHOR)
    post.author_id = author.id
    db.session.commit()
    assert client_as(app, author).get(page_url(comment)).status_code == 403


def test_an_editor_sees_the_commenter_with_history_and_comments(app, comment):
    response = client_as(app, staff_user(EDITOR)).get(page_url(comment))
    assert response.status_code == 200
    page = page_soup(response)
    assert page.select_one(".commenter-email").get_text() == "Ada.L@example.com"
    assert page.select_one(".commenter-ip").get_text() == "203.0.113.7"
    assert page.select_one("[data-history=approved]").get_text() == "1"
    assert page.select_one("[data-history=spam]").get_text() == "1"
    assert len(page.select(".commenter-comments tbody tr")) == 2
    assert page.select_one("#standing-email .standing-value").get_text() == "adal@example.com"
    assert page.select_one("#standing-account") is None  # a guest has no account to act on


def test_the_comment_editor_links_to_the_commenter_page(admin_client, comment):
    page = page_soup(admin_client.get(f"/admin/comments/{comment.id}/edit"))
    assert page.select_one("a.commenter-link")["href"] == page_url(comment)


def test_banning_and_lifting_an_email_writes_the_history(admin_client, comment):
    response = send(admin_client, comment, "email", level="banned", note="Watch spam, three times")
    assert response.status_code == 303
    assert standing_for(None, "ada.l+x@EXAMPLE.com", "").level == "banned"
    page = page_soup(admin_client.get(response.headers["Location"]))
    assert "Banned" in page.select_one("#standing-email .standing-now").get_text()
    assert "Watch spam, three times" in page.select_one(".commenter-actions").get_text()
    assert page.select_one(".commenter-level").get_text() == "Banned"

    assert send(admin_client, comment, "email", level="", note="Apologised by mail").status_code == 303
    assert standing_for(None, "adal@example.com", "").level is None
    assert actions() == [("email", "adal@example.com", "banned", "Watch spam, three times", "Blog Owner"),
                         ("email", "adal@example.com", "none", "Apologised by mail", "Blog Owner")]
    assert db.session.scalars(sa.select(CommenterStanding)).all() == []


def test_a_suspension_ends_after_the_chosen_day(admin_client, comment):
    day = (utcnow() + timedelta(days=10)).date()
    assert send(admin_client, comment, "ip", level="suspended", until=day.isoformat()).status_code == 303
    standing = standing_for(None, "", "203.0.113.7")
    assert standing.level == "suspended" and standing.until > utcnow() + timedelta(days=9)
    page = page_soup(admin_client.get(page_url(comment)))
    assert page.select_one("#standing-ip input[name=ip-until]")["value"] == day.isoformat()


@pytest.mark.parametrize(("until", "error"), [
    ("", "A suspension needs the last day it lasts."),
    ("2001-01-01", "Choose a day from today on: that day is already over."),
    ("not a date", "Not a valid date value."),
])
def test_a_bad_suspension_date_is_a_form_error_not_a_500(admin_client, comment, until, error):
    response = send(admin_client, comment, "email", level="suspended", until=until)
    assert response.status_code == 400
    assert error in page_soup(response).select_one("#standing-email").get_text()
    assert actions() == []


def test_an_unknown_rung_is_refused(admin_client, comment):
    response = send(admin_client, comment, "email", level="emperor")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert actions() == []


def test_a_post_without_its_token_changes_nothing(admin_client, comment):
    response = admin_client.post(page_url(comment), data={"email-level": "banned", "email-submit": "Save"})
    assert response.status_code == 400
    assert "The CSRF token is missing." in response.get_data(as_text=True)
    assert actions() == []


def test_a_post_naming_no_form_is_refused(admin_client, comment):
    data = standing_form(admin_client, comment, "email")
    assert admin_client.post(page_url(comment), data=data | {"email-level": "banned"}).status_code == 400
    assert actions() == []


def test_a_missing_comment_is_404(admin_client, post):
    assert admin_client.get("/admin/comments/999999/commenter").status_code == 404
