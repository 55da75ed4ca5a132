"""The discussion settings screen: every rule, validated, stored, in force for the next comment."""

import pytest
import sqlalchemy as sa

from blog.models import Comment, Setting
from blog.settings import DISCUSSION_DEFAULTS
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, submit_comment


def current_form_data(admin_client) -> dict:
    """What the settings form would post unchanged, read from the page like a browser."""
    form = page_soup(admin_client.get("/admin/settings/discussion")).select_one("form.settings-form")
    data = {}
    for field in form.select("input, textarea, select"):
        name = field.get("name")
        if field.name == "textarea":
            data[name] = field.get_text().lstrip("\r\n")
        elif field.name == "select":
            data[name] = field.select_one("option[selected]")["value"]
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data[name] = "y"
        else:
            data[name] = field.get("value", "")
    return data


def stored(key: str):
    db.session.expire_all()
    row = db.session.get(Setting, key)
    return row.value if row else None


def test_the_form_covers_every_discussion_setting(admin_client):
    page = page_soup(admin_client.get("/admin/settings/discussion"))
    for key in DISCUSSION_DEFAULTS:
        field = page.select_one(f"[name={key}]")
        assert field is not None, key
        assert page.select_one(f"label[for={field['id']}]") is not None, key


def test_hints_show_commands_as_code_not_markdown_backticks(admin_client):
    page = page_soup(admin_client.get("/admin/settings/discussion"))
    hints = " ".join(hint.get_text() for hint in page.select(".hint"))
    assert "`" not in hints
    assert page.select_one("#empty_trash_days-hint code").get_text() == "flask comments purge-trash"


def test_saving_unchanged_defaults_round_trips(admin_client):
    data = current_form_data(admin_client)
    response = admin_client.post("/admin/settings/discussion", data=data)
    assert response.status_code == 303
    for key, default in DISCUSSION_DEFAULTS.items():
        assert stored(key) == default, key


def test_manual_approval_holds_the_next_comment_from_a_trusted_author(admin_client, client):
    save_flood_free(admin_client)
    post = make_post()
    make_comment(post, author_name="Ada Reader", author_email="ada@example.com")
    submit_comment(client, post, comment="Approved at once.")
    assert newest().status == "approved"
    data = current_form_data(admin_client) | {"comment_moderation": "y"}
    assert admin_client.post("/admin/settings/discussion", data=data).status_code == 303
    submit_comment(client, post, comment="Now held.")
    assert (newest().status, newest().status_reason) == ("pending", "manual approval of every comment is on")


def test_link_limit_and_moderation_list_take_effect_at_once(admin_client, client):
    save_flood_free(admin_client)
    post = make_post()
    make_comment(post, author_name="Ada Reader", author_email="ada@example.com")
    data = current_form_data(admin_client) | {"comment_max_links": "1", "moderation_keys": "  recruiter \r\n\r\n"}
    admin_client.post("/admin/settings/discussion", data=data)
    assert stored("moderation_keys") == "recruiter"
    submit_comment(client, post, comment="See https://example.com")
    assert newest().status_reason == "1 links; limit 1"
    submit_comment(client, post, comment="I am a Recruiter.")
    assert newest().status_reason == "moderation list: recruiter"


def test_unchecking_require_name_email_lets_anonymous_guests_comment(admin_client, client):
    save_flood_free(admin_client)
    post = make_post()
    data = current_form_data(admin_client)
    data.pop("require_name_email")
    admin_client.post("/admin/settings/discussion", data=data)
    response = submit_comment(client, post, author="", email="", comment="No name given.")
    assert response.status_code == 303
    assert newest().body == "No name given."


@pytest.mark.parametrize(("field", "value", "message"), [
    ("comment_max_links", "-1", "Number must be between 0 and 100."),
    ("thread_comments_depth", "11", "Number must be between 2 and 10."),
    ("comments_per_page", "lots", "Not a valid integer value."),
    ("default_comments_page", "middle", "Not a valid choice."),
    ("avatar_source", "elsewhere", "Not a valid choice."),
    ("empty_trash_days", "0", "Number must be between 1 and 3650."),
])
def test_invalid_values_are_refused_with_a_message_and_nothing_is_stored(admin_client, field, value, message):
    data = current_form_data(admin_client) | {field: value, "comment_moderation": "y"}
    response = admin_client.post("/admin/settings/discussion", data=data)
    assert response.status_code == 400
    error = page_soup(response).select_one(f"#{field}-error")
    assert error is not None and message in error.get_text()
    assert stored("comment_moderation") is None


def save_flood_free(admin_client) -> None:
    data = current_form_data(admin_client) | {"comment_flood_seconds": "0"}
    assert admin_client.post("/admin/settings/discussion", data=data).status_code == 303


def newest() -> Comment:
    db.session.expire_all()
    return db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
