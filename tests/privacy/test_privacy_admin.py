"""The admin's Privacy screen, and privacy steps in the moderation log."""

import json
import logging

import pytest
import sqlalchemy as sa

from auth.roles import EDITOR, MODERATOR
from blog.models import Comment, ModerationLog
from extensions import db
from privacy.models import PrivacyRequest
from privacy.requests import new_request
from tests.support.admin import admin_post, client_as, staff_user
from tests.support.factories import make_comment, make_post

ANN = "ann@example.com"


@pytest.fixture
def ann_comment(app):
    return make_comment(make_post(), author_email=ANN, author_name="Ann Lee", author_ip="192.0.2.7",
                        body="Ann's words")


def test_the_screen_lists_requests_by_status(admin_client, app):
    new_request(ANN, "export", False, "reader")
    done = new_request("bob@example.com", "erase", True, "reader")
    done.status, done.email, done.outcome = "done", None, "3 comments anonymised"
    db.session.commit()
    page = admin_client.get("/admin/privacy").get_data(as_text=True)
    assert "Privacy" in page and ANN in page
    pending = page.split('class="widefat privacy-requests privacy-pending"')[1].split("</table>")[0]
    finished = page.split('class="widefat privacy-requests privacy-done"')[1].split("</table>")[0]
    assert ANN in pending and "3 comments anonymised" in finished and "(erased)" in finished
    assert 'href="/admin/privacy"' in admin_client.get("/admin/").get_data(as_text=True)  # the menu entry


@pytest.mark.parametrize("role", [EDITOR, MODERATOR])
def test_staff_without_manage_options_are_refused(app, role):
    client = client_as(app, staff_user(role))
    assert client.get("/admin/privacy").status_code == 403
    assert client.post("/admin/privacy", data={"email": ANN, "kind": "export"}).status_code in (400, 403)


def test_the_owner_exports_an_address_as_a_download(admin_client, admin_token, ann_comment):
    response = admin_post(admin_client, "/admin/privacy", admin_token, email=ANN.upper(), kind="export")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert [c["body"] for c in json.loads(response.get_data(as_text=True))["comments"]] == ["Ann's words"]
    request_row = db.session.scalar(sa.select(PrivacyRequest))
    assert (request_row.source, request_row.status, request_row.kind) == ("admin", "done", "export")
    entry = db.session.scalar(sa.select(ModerationLog))
    assert entry.action == "privacy-export" and entry.moderator_name == "Blog Owner" and entry.comment_id is None


def test_an_owner_erasure_needs_its_box_ticked(admin_client, admin_token, ann_comment):
    unticked = admin_post(admin_client, "/admin/privacy", admin_token, email=ANN, kind="erase")
    assert unticked.status_code == 400 and "Tick the box" in unticked.get_data(as_text=True)
    assert db.session.get(Comment, ann_comment.id).author_name == "Ann Lee"

    done = admin_post(admin_client, "/admin/privacy", admin_token, email=ANN, kind="erase", erase_text="y",
                      confirm="y")
    assert done.status_code == 303
    comment = db.session.get(Comment, ann_comment.id)
    assert (comment.author_name, comment.author_ip) == ("Anonymous", "")
    request_row = db.session.scalar(sa.select(PrivacyRequest))
    assert request_row.source == "admin" and request_row.email is None and request_row.status == "done"
    flashed = admin_client.get("/admin/privacy").get_data(as_text=True)
    assert f"Privacy request {request_row.id}: 1 comment anonymised" in flashed


def test_an_owner_action_needs_the_csrf_token(admin_client, ann_comment):
    refused = admin_client.post("/admin/privacy", data={"email": ANN, "kind": "erase", "confirm": "y"})
    assert refused.status_code == 400
    assert db.session.get(Comment, ann_comment.id).author_name == "Ann Lee"


def test_the_moderation_log_shows_privacy_steps_without_a_comment_link_or_the_address(
        admin_client, admin_token, ann_comment):
    admin_post(admin_client, "/admin/privacy", admin_token, email=ANN, kind="erase", confirm="y")
    soup_text = admin_client.get("/admin/log").get_data(as_text=True)
    row = soup_text.split("privacy-erase")[1].split("</tr>")[0]
    assert "1 comment anonymised" in row and "href" not in row
    assert ANN not in soup_text and "Ann Lee" not in soup_text


def test_a_privacy_step_also_writes_a_server_log_line_without_the_address(admin_client, admin_token, ann_comment,
                                                                           caplog):
    with caplog.at_level(logging.INFO, logger="blog.moderation"):
        admin_post(admin_client, "/admin/privacy", admin_token, email=ANN, kind="erase", confirm="y")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "blog.moderation"]
    assert [(line["event"], line["action"], line["moderator"]) for line in lines] == [
        ("privacy", "privacy-erase", "Blog Owner")]
    assert lines[0]["detail"].startswith("1 comment anonymised") and ANN not in json.dumps(lines)
