"""Settings -> Media: the largest upload in whole megabytes and the other image hosts, stored as
host names; Administrators only."""

import pytest

from auth.roles import EDITOR
from blog.settings import get_setting
from extensions import db
from tests.support.admin import client_as, csrf_token_from, staff_user
from tests.support.helpers import page_soup


def save(client, token, mb="10", hosts=""):
    return client.post("/admin/settings/media", data={"csrf_token": token, "media_max_upload_mb": mb,
                                                      "image_hosts": hosts})


@pytest.fixture
def token(admin_client):
    return csrf_token_from(admin_client.get("/admin/settings/media"))


def stored(key):
    db.session.expire_all()
    from flask import g

    g.pop("settings", None)
    return get_setting(key)


def test_the_screen_shows_the_defaults(admin_client):
    page = page_soup(admin_client.get("/admin/settings/media"))
    assert page.select_one("#media_max_upload_mb")["value"] == "10"
    assert page.select_one("#image_hosts").get_text().strip() == ""
    assert "Media settings" in [a.get_text(strip=True) for a in page.select(".admin-menu a")]


def test_hosts_are_stored_normalized_one_per_line(admin_client, token):
    answer = save(admin_client, token, "25", "Images.Example.com\n\n  https://cdn.example.org/ \n*.static.example.net\n"
                                             "images.example.com\nhttp://bücher.example")
    assert answer.status_code == 303
    assert stored("media_max_upload_mb") == 25
    assert stored("image_hosts") == ("images.example.com\ncdn.example.org\n*.static.example.net\n"
                                     "xn--bcher-kva.example")
    page = page_soup(admin_client.get("/admin/settings/media"))
    assert "Settings saved." in page.select_one(".notice-success").get_text()


@pytest.mark.parametrize("line", ["https://cdn.example.org/images/", "images.*.example.com", "*", "*.com.",
                                  "example", "ftp://files.example.com", "user@images.example.com",
                                  "images.example.com:8443", "https://images.example.com/?q=1", "bad host.com",
                                  "javascript:alert(1)", "'unsafe-inline'", "data:"])
def test_a_line_that_is_not_a_host_name_is_refused_and_named(admin_client, token, line):
    answer = save(admin_client, token, "10", f"ok.example.com\n{line}")
    assert answer.status_code == 400
    error = page_soup(answer).select_one("#image_hosts-error").get_text()
    assert line.strip()[:30] in error and "is not a host name" in error
    assert stored("image_hosts") == ""


@pytest.mark.parametrize("mb", ["0", "513", "2.5", "", "ten", "-1"])
def test_the_size_must_be_a_whole_number_from_1_to_512(admin_client, token, mb):
    answer = save(admin_client, token, mb)
    assert answer.status_code == 400
    assert page_soup(answer).select_one("#media_max_upload_mb-error").get_text()
    assert stored("media_max_upload_mb") == 10


def test_editors_may_not_change_media_settings(app):
    editor = client_as(app, staff_user(EDITOR))
    assert editor.get("/admin/settings/media").status_code == 403
    assert editor.post("/admin/settings/media", data={
        "csrf_token": csrf_token_from(editor.get("/admin/")), "media_max_upload_mb": "500"}).status_code == 403
    assert stored("media_max_upload_mb") == 10
