"""Admin Tools -> Import and Export: a WordPress export uploaded and imported, the blog downloaded.

The /admin guard and CSRF on these routes are covered by the URL-map walk in test_admin_access.
"""

import io
import subprocess
import sys
from datetime import date

import pytest
import requests
import sqlalchemy as sa

from blog.models import Comment, Post
from blog.permalinks import post_url
from extensions import db
from tests.support.admin import csrf_token_from, make_user
from tests.support.factories import make_comment, make_post
from tests.support.fake_providers import serve
from tests.support.helpers import form_fields, login_as, page_soup
from tests.support.wxr import (
    PROJECT_ROOT,
    SAMPLE,
    empty_content,
    import_bytes,
    row_counts,
    snapshot,
)
from tests.wordpress.test_wxr_bad_input import missing_parent, truncated
from wordpress.wxr.jobs import run_queued_imports

IMPORT = "/admin/tools/import"
EXPORT = "/admin/tools/export"
DOWNLOAD = "/admin/tools/export/download"
SAMPLE_COMMENTS = 34  # 37 in WordPress, less the 3 spam comments its exporter leaves out


@pytest.fixture
def owner(wxr_app):
    return make_user(True, "Blog Owner", "owner@example.com")


@pytest.fixture
def owner_client(wxr_app, owner):
    client = wxr_app.test_client()
    login_as(client, owner)
    return client


def upload(client, data: bytes, filename: str = "wordpress-export.xml", **fields):
    """Send the import form with a file as a browser would, let the worker run the queued
    import as `flask mail worker` does, and open the job page the upload redirected to."""
    token = csrf_token_from(client.get(IMPORT))
    form = {"csrf_token": token, "file": (io.BytesIO(data), filename), **fields}
    response = client.post(IMPORT, data=form, content_type="multipart/form-data")
    if response.status_code != 303:
        return response
    run_queued_imports()
    return client.get(response.headers["Location"])


def notice(response) -> str:
    found = page_soup(response).select_one(".notice")
    return " ".join(found.get_text().split()) if found else ""


def content_counts() -> dict[str, int]:
    return {k: v for k, v in row_counts().items() if k != "users"}


NOTHING = {"terms": 0, "posts": 0, "comments": 0, "post_terms": 0}


def test_tools_pages_are_in_the_admin_menu(owner_client):
    menu = page_soup(owner_client.get("/admin/")).select_one("nav.admin-menu")
    links = {a.get_text(strip=True): a["href"] for a in menu.select("a")}
    assert links["Tools: Import"] == IMPORT and links["Tools: Export"] == EXPORT


def test_uploading_the_wordpress_sample_imports_it_and_shows_the_summary(
    owner_client, sample_bytes
):
    response = upload(owner_client, sample_bytes, filename=SAMPLE.name)
    assert response.status_code == 200, notice(response)
    soup = page_soup(response)
    imported = {s["data-imported"]: int(s.get_text()) for s in soup.select("[data-imported]")}
    assert imported == {
        "authors": 2,
        "categories": 4,
        "tags": 5,
        "posts": 6,
        "pages": 2,
        "comments": SAMPLE_COMMENTS,
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == SAMPLE_COMMENTS
    assert "All done." in notice(response)

    again = upload(owner_client, sample_bytes, filename=SAMPLE.name)
    already = page_soup(again).select_one(".import-existing").get_text()
    assert already == (
        "2 authors, 4 categories, 5 tags, 6 posts, 2 pages and 34 comments were already here and were skipped."
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 8


def test_a_truncated_file_names_its_line_and_imports_nothing(owner_client, sample_bytes):
    data, line, _ = truncated(sample_bytes)
    response = upload(owner_client, data)
    assert response.status_code == 200  # the job page, which says the import failed
    message = notice(response)
    assert (
        f"line {line}:" in message and "truncated" in message and "Nothing was imported." in message
    )
    assert content_counts() == NOTHING
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_orphaned_replies_are_refused_unless_the_box_is_ticked(owner_client, sample_bytes):
    data, line, _ = missing_parent(sample_bytes)
    refused = upload(owner_client, data)
    assert page_soup(refused).select_one("[data-status=failed]") is not None
    assert f"line {line}: comment 5 replies to comment 4" in notice(refused)
    assert content_counts() == NOTHING

    accepted = upload(owner_client, data, orphans_top_level="y")
    assert accepted.status_code == 200
    warnings = [li.get_text() for li in page_soup(accepted).select(".import-warnings li")]
    assert any(w.startswith(f"line {line}: comment 5 replies to comment 4") for w in warnings)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == SAMPLE_COMMENTS - 1


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("export.txt", b"<rss/>", "Choose the .xml file that WordPress"),
        ("", b"", "Choose the export file to import."),
    ],
)
def test_a_missing_or_non_xml_file_is_refused(owner_client, filename, data, message):
    response = upload(owner_client, data, filename=filename)
    assert response.status_code == 400
    assert message in page_soup(response).select_one(".field-error").get_text()


def test_an_upload_over_the_limit_gets_a_413_page_that_says_so(app_factory, sample_bytes):
    app = app_factory(WXR_UPLOAD_MAX_BYTES=10_000)
    with app.app_context():
        client = app.test_client()
        login_as(client, make_user(True, "Blog Owner", "owner@example.com"))
        response = upload(client, sample_bytes)
        assert response.status_code == 413
        message = notice(response)
        assert "The file is too large: uploads here are limited to 9.8 KiB" in message
        assert "flask --app app wxr import FILE.xml" in message
        assert page_soup(response).select_one("form.import-form input[type=file]") is not None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0
        under = upload(client, b"<rss/>" * 100, filename="small.xml")  # under it: read, refused
        assert page_soup(under).select_one("[data-status=failed]") is not None


def test_an_oversize_upload_over_real_http_gets_the_413_page_not_a_reset(app_factory):
    app = app_factory(WXR_UPLOAD_MAX_BYTES=10_000)
    with app.app_context():
        client = app.test_client()
        login_as(client, make_user(True, "Blog Owner", "owner@example.com"))
        token = csrf_token_from(client.get(IMPORT))
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
        with serve(app) as base:
            response = requests.post(
                base + IMPORT,
                timeout=10,
                cookies={app.config["SESSION_COOKIE_NAME"]: cookie},
                data={"csrf_token": token},
                files={"file": ("big.xml", b"<!-- -->" * 500_000)},
            )
        assert response.status_code == 413
        assert "The file is too large" in response.text


def test_readers_cannot_import(wxr_app, sample_bytes):
    reader = wxr_app.test_client()
    login_as(reader, make_user(False, "Plain Reader", "reader@example.com"))
    with wxr_app.test_request_context():
        page = post_url(make_post())
    _, hidden = form_fields(reader.get(page))  # a valid token for the reader's session
    response = reader.post(
        IMPORT,
        data={"csrf_token": hidden["csrf_token"], "file": (io.BytesIO(sample_bytes), "x.xml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert content_counts() == {**NOTHING, "posts": 1}


def test_an_import_shows_at_once_on_cached_pages(owner_client, wxr_app, sample_bytes):
    reader = wxr_app.test_client()
    assert reader.get("/").headers["X-Page-Cache"] == "miss"
    assert reader.get("/").headers["X-Page-Cache"] == "hit"
    upload(owner_client, sample_bytes)
    front = reader.get("/")
    assert front.headers["X-Page-Cache"] == "miss"
    assert "The Follow-Up Email I Actually Send" in front.get_data(as_text=True)


def test_export_page_offers_the_download(owner_client, sample_bytes):
    import_bytes(sample_bytes)
    soup = page_soup(owner_client.get(EXPORT))
    form = soup.select_one("form.export-form")
    assert form["method"] == "get" and form["action"] == DOWNLOAD
    assert "(6 posts)" in soup.get_text() and form.select_one("input[name=include_spam]")


def test_export_downloads_a_dated_wxr_that_reimports_to_the_same_data(
    owner_client, wxr_app, sample_bytes
):
    import_bytes(sample_bytes)
    before = snapshot()
    response = owner_client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    today = date.today()  # the sample's zone is behind UTC: accept either side of midnight
    names = {
        f"attachment; filename=careernotes.WordPress.{day:%Y-%m-%d}.xml"
        for day in (today, date.fromordinal(today.toordinal() - 1))
    }
    assert response.headers["Content-Disposition"] in names
    data = response.get_data()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8" ?>')

    empty_content()
    import_bytes(data)
    after = snapshot()
    for part in ("terms", "posts", "comments"):
        assert after[part] == before[part], part
    assert {login for login in after["users"]} == {login for login in before["users"] if login}


def test_spam_is_exported_only_when_asked_for(owner_client):
    post = make_post()
    make_comment(post, status="spam", body="Buy now")
    make_comment(post, status="approved", body="Kind words")
    plain = owner_client.get(DOWNLOAD).get_data(as_text=True)
    with_spam = owner_client.get(DOWNLOAD, query_string={"include_spam": "y"}).get_data(
        as_text=True
    )
    assert "Kind words" in plain and "Buy now" not in plain
    assert "Kind words" in with_spam and "Buy now" in with_spam


def test_the_app_starts_from_the_command_line_with_the_tools_routes():
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "BLOG_ENV": "testing"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert IMPORT in result.stdout and DOWNLOAD in result.stdout
