"""Two app servers sharing the database and Redis act as one blog (rate limits, cache, sessions,
pictures kept in the database storage)."""

import io
import re
import uuid

import pytest
import requests
from PIL import Image

from auth.models import User
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL
from tests.support.factories import make_comment, make_post
from tests.support.images import photo
from tests.support.servers import Server

TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def two_servers(app_factory, tmp_path):
    yield from _two_servers(app_factory, tmp_path, ("en", "en"))


@pytest.fixture
def english_and_german_servers(app_factory, tmp_path):
    yield from _two_servers(app_factory, tmp_path, ("en", "de"))


def _two_servers(app_factory, tmp_path, languages):
    database_url = TEST_DATABASE_URL if ON_POSTGRES else f"sqlite:///{tmp_path / 'shared.sqlite'}"
    app = app_factory(SQLALCHEMY_DATABASE_URI=database_url)
    with app.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        admin = User(email="owner@example.com", display_name="Owner", role="administrator", email_verified=True)
        admin.set_password("correct horse battery")
        db.session.add(admin)
        post = make_post()
        db.session.commit()
        held_id = make_comment(post, status="pending", body="Approved through the other server").id
        path = post_url(post)
    run = uuid.uuid4().hex[:8]
    env = {"BLOG_ENV": "production", "SECRET_KEY": "shared-secret-of-both-servers", "DATABASE_URL": database_url,
           "REDIS_URL": "redis://127.0.0.1:6379/0", "COMMENT_RATE_LIMIT": "3 per minute",
           "RATELIMIT_KEY_PREFIX": f"scale-{run}", "CACHE_KEY_PREFIX": f"scale-{run}:",
           "SESSION_COOKIE_SECURE": "0", "MAIL_BACKGROUND_THREAD": "0", "MEDIA_STORAGE": "database"}
    servers = [Server("app:create_app()", env | {"BLOG_LANGUAGE": language}, 1, tmp_path / f"server-{n}.log")
               for n, language in enumerate(languages, 1)]
    yield servers, path, held_id
    for server in servers:
        server.stop()


def _comment(server: Server, session: requests.Session, path: str, text: str) -> int:
    token = TOKEN.search(session.get(server.url + path, timeout=10).text).group(1)
    action = re.search(r'<form id="commentform"[^>]*action="([^"]+)"', session.get(server.url + path).text).group(1)
    return session.post(server.url + action, data={
        "csrf_token": token, "author": "Reader", "email": "reader@example.com", "comment": text,
        "comment_parent": "0"}, allow_redirects=False, timeout=10).status_code


def _log_in(server: Server, session: requests.Session) -> None:
    token = TOKEN.search(session.get(server.url + "/login", timeout=10).text).group(1)
    answer = session.post(server.url + "/login", data={"csrf_token": token, "email": "owner@example.com",
                                                      "password": "correct horse battery"}, allow_redirects=False)
    assert answer.status_code == 302


def test_a_rate_limit_reached_through_one_server_applies_through_the_other(two_servers):
    (first, second), path, _ = two_servers
    browser_one, browser_two = requests.Session(), requests.Session()
    codes = [_comment(first, browser_one, path, "one"), _comment(second, browser_two, path, "two"),
             _comment(first, browser_one, path, "three"), _comment(second, browser_two, path, "four")]
    assert codes == [303, 303, 303, 429]


def test_a_comment_approved_through_one_server_shows_at_once_on_the_other(two_servers):
    (first, second), path, held_id = two_servers
    reader = requests.Session()
    assert reader.get(second.url + path).headers["X-Page-Cache"] == "miss"
    assert reader.get(second.url + path).headers["X-Page-Cache"] == "hit"
    owner = requests.Session()
    _log_in(first, owner)
    token = TOKEN.search(owner.get(first.url + "/admin/comments").text).group(1)
    owner.post(f"{first.url}/admin/comments/{held_id}/approve", data={"csrf_token": token})
    page = reader.get(second.url + path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Approved through the other server" in page.text


def test_a_session_started_on_one_server_works_on_the_other(two_servers):
    (first, second), _, _ = two_servers
    owner = requests.Session()
    _log_in(first, owner)
    assert owner.get(second.url + "/admin/", allow_redirects=False).status_code == 200
    assert requests.get(second.url + "/admin/", allow_redirects=False).status_code == 302


def test_an_image_uploaded_through_one_server_is_served_by_the_other(two_servers):
    (first, second), _, _ = two_servers
    owner = requests.Session()
    _log_in(first, owner)
    token = TOKEN.search(owner.get(first.url + "/admin/media").text).group(1)
    answer = owner.post(first.url + "/admin/media/upload", files={"file": ("harbour.jpg", photo(1600, 1200))},
                        headers={"X-CSRFToken": token, "Accept": "application/json"}, timeout=30)
    assert answer.status_code == 201, answer.text
    uploaded = answer.json()
    reader = requests.Session()
    full = reader.get(second.url + uploaded["url"], timeout=10)
    assert full.status_code == 200 and full.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(full.content)).size == (1600, 1200)
    thumbnail = reader.get(second.url + uploaded["thumbnail"], timeout=10)
    assert Image.open(io.BytesIO(thumbnail.content)).size == (150, 150)
    again = reader.get(first.url + uploaded["thumbnail"], headers={"If-None-Match": thumbnail.headers["ETag"]})
    assert again.status_code == 304  # both servers name the file by the same ETag


def test_servers_in_two_languages_sharing_one_cache_never_hand_out_each_others_pages(english_and_german_servers):
    (english, german), path, _ = english_and_german_servers
    reader = requests.Session()
    assert reader.get(english.url + path).headers["X-Page-Cache"] == "miss"
    assert reader.get(english.url + path).headers["X-Page-Cache"] == "hit"
    page = reader.get(german.url + path)
    assert page.headers["X-Page-Cache"] == "miss"
    assert '<html lang="de"' in page.text
    again = reader.get(german.url + path)
    assert again.headers["X-Page-Cache"] == "hit" and '<html lang="de"' in again.text
    assert '<html lang="en"' in reader.get(english.url + path).text
