"""The Media Library: uploading through the real endpoint (with CSRF), bad files refused with a
message, the library's grid, list and filters, editing, attaching, deleting, and who may do what."""

import re
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth.roles import AUTHOR, CONTRIBUTOR, EDITOR
from blog.media import library
from blog.media.models import Media
from blog.models import Post
from blog.settings import save_settings
from extensions import db
from tests.support.admin import client_as, csrf_token_from, staff_user
from tests.support.factories import make_post
from tests.support.helpers import page_soup
from tests.support.media_files import SVG_WITH_SCRIPT, gif_with_frames, image_bytes, png_bomb

SAFE_PATH = re.compile(r"^\d{4}/\d{2}/[a-z0-9][a-z0-9-]*\.(jpg|png|gif|webp|avif)$")


def upload(client, token: str, data: bytes, name: str = "photo.jpg", json: bool = True, **fields):
    """POST one file to the upload endpoint as the editor's fetch (json) or the library's form does."""
    headers = {"Accept": "application/json"} if json else {}
    return client.post("/admin/media/upload", headers=headers, content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (BytesIO(data), name), **fields})


def all_media() -> list[Media]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Media).order_by(Media.id)).all()


def stored_files(app) -> set[Path]:
    """Every file under the test app's media folders' parent (public, originals and anything else)."""
    parent = Path(app.config["MEDIA_ROOT"]).parent
    return {path for path in parent.rglob("*") if path.is_file()}


def assert_inside_media_folders(app):
    public, originals = Path(app.config["MEDIA_ROOT"]), Path(app.config["MEDIA_ORIGINALS_ROOT"])
    for path in stored_files(app):
        assert public in path.parents or originals in path.parents, path


@pytest.fixture
def token(admin_client) -> str:
    return csrf_token_from(admin_client.get("/admin/media"))


def test_an_upload_by_fetch_answers_201_with_the_contracts_json_and_its_sizes_exist(app, admin_client, token):
    answer = upload(admin_client, token, image_bytes((1200, 800)), "Summer Holiday.JPG", alt_text="A beach")
    assert answer.status_code == 201
    body = answer.get_json()
    (media,) = all_media()
    assert body == {"id": media.id, "status": "ready", "url": media.url(), "thumbnail": media.url("thumbnail"),
                    "title": "summer holiday", "alt_text": "A beach", "width": 1200, "height": 800,
                    "edit_url": f"/admin/media/{media.id}/edit", "failure": None}
    assert SAFE_PATH.match(media.path) and media.path.endswith("/summer-holiday.jpg")
    assert set(media.sizes) >= {"full", "thumbnail", "medium", "medium_large", "large"}
    served = admin_client.get(body["thumbnail"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert admin_client.get(f"/admin/media/{media.id}.json").get_json() == body
    assert_inside_media_folders(app)


def test_the_library_form_upload_redirects_to_the_library_with_a_notice(admin_client, token):
    answer = upload(admin_client, token, image_bytes((300, 200), "PNG"), "chart.png", json=False)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/admin/media")
    page = page_soup(admin_client.get("/admin/media"))
    assert "“chart.png” was uploaded." in page.select_one(".notice-success").get_text()
    (item,) = page.select(".media-grid .media-item")
    assert item.select_one(".media-title").get_text() == "chart"
    assert item.select_one("img")["src"].startswith("/media/")


def test_an_upload_without_the_csrf_token_is_refused(admin_client):
    answer = admin_client.post("/admin/media/upload", content_type="multipart/form-data",
                               headers={"Accept": "application/json"},
                               data={"file": (BytesIO(image_bytes()), "a.jpg")})
    assert answer.status_code == 400
    assert all_media() == []


def test_the_csrf_token_may_come_in_the_header_as_fetch_sends_it(admin_client, token):
    answer = admin_client.post("/admin/media/upload", content_type="multipart/form-data",
                               headers={"Accept": "application/json", "X-CSRFToken": token},
                               data={"file": (BytesIO(image_bytes()), "a.jpg")})
    assert answer.status_code == 201


BAD_FILES = [
    ("a text file named .jpg", b"hello, this is not an image\n" * 20, "notes.jpg"),
    ("a zero-byte file", b"", "empty.png"),
    ("an SVG with a script", SVG_WITH_SCRIPT, "logo.svg"),
    ("an SVG named .png", SVG_WITH_SCRIPT, "logo.png"),
    ("an HTML page named .gif", b"<html><script>alert(1)</script></html>", "page.gif"),
]


@pytest.mark.parametrize(("what", "data", "name"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_file_that_is_not_an_image_is_refused_with_a_message(app, admin_client, token, what, data, name):
    answer = upload(admin_client, token, data, name)
    assert answer.status_code == 400, what
    message = answer.get_json()["error"]
    assert message and "Traceback" not in message
    assert all_media() == []
    assert stored_files(app) == set()


def test_a_refused_file_from_the_form_is_a_flashed_error(admin_client, token):
    answer = upload(admin_client, token, SVG_WITH_SCRIPT, "logo.svg", json=False)
    assert answer.status_code == 303
    notice = page_soup(admin_client.get("/admin/media")).select_one(".notice-error").get_text()
    assert notice.startswith("Upload failed: ")


def test_a_png_decompression_bomb_is_refused(app, admin_client, token):
    answer = upload(admin_client, token, png_bomb(20000), "bomb.png")
    assert answer.status_code == 400
    assert answer.get_json()["error"]
    assert all_media() == [] and stored_files(app) == set()


def test_a_gif_with_five_thousand_frames_is_refused(app, admin_client, token):
    answer = upload(admin_client, token, gif_with_frames(5000), "flicker.gif")
    assert answer.status_code == 400
    assert "frames" in answer.get_json()["error"]
    assert all_media() == []


def test_a_truncated_jpeg_is_refused_or_stored_as_failed_never_a_500(app, admin_client, token):
    whole = image_bytes((1200, 800))
    answer = upload(admin_client, token, whole[: len(whole) // 2], "cut.jpg")
    assert answer.status_code in (201, 400)
    if answer.status_code == 400:
        assert answer.get_json()["error"]
        assert all_media() == []
    else:
        (media,) = all_media()
        assert media.status == "failed" and media.error
        item = page_soup(admin_client.get("/admin/media")).select_one(f"#media-{media.id}")
        assert "Failed: " + media.error in item.get_text(" ", strip=True)


def test_an_extension_that_lies_is_stored_under_the_real_type(admin_client, token):
    answer = upload(admin_client, token, image_bytes((40, 30), "PNG"), "really-a-png.jpg")
    assert answer.status_code == 201
    (media,) = all_media()
    assert media.mime_type == "image/png" and media.path.endswith(".png")


@pytest.mark.parametrize("name", ["../../../etc/passwd.png", "..\\..\\boot.png", "evil\x00.php.png",
                                  "x" * 300 + ".png", "😀🎉🐍.png", ".htaccess", "a/b/../../c.png"])
def test_hostile_file_names_are_stored_safely_inside_the_media_folder(app, admin_client, token, name):
    answer = upload(admin_client, token, image_bytes((20, 20), "PNG"), name)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    (media,) = all_media()
    assert SAFE_PATH.match(media.path), media.path
    assert len(media.path) < 120
    assert "\x00" not in media.original_name
    assert_inside_media_folders(app)
    assert (Path(app.config["MEDIA_ROOT"]) / media.path).is_file()


def test_two_uploads_of_one_name_get_two_addresses(admin_client, token):
    first = upload(admin_client, token, image_bytes((20, 20), "PNG"), "same.png").get_json()
    second = upload(admin_client, token, image_bytes((20, 20), "PNG", color=(0, 0, 0)), "same.png").get_json()
    assert first["url"] != second["url"]
    assert first["url"].endswith("/same.png") and second["url"].endswith("/same-1.png")


def test_an_upload_above_the_setting_is_413_with_a_json_message(app, admin_client, token):
    save_settings({"media_max_upload_mb": 1})
    db.session.commit()
    big = image_bytes((20, 20), "PNG") + b"\0" * (1024 * 1024 + 200 * 1024)
    answer = upload(admin_client, token, big, "big.png")
    assert answer.status_code == 413
    assert answer.get_json() == {"error": "The file is larger than the 1 MB limit."}
    page = upload(admin_client, token, big, "big.png", json=False)
    assert page.status_code == 413
    assert "The file is larger than the 1 MB limit. Nothing was saved." in page_soup(page).get_text()
    assert all_media() == []


def test_a_file_just_over_the_setting_within_the_forms_allowance_is_413_too(admin_client, token):
    save_settings({"media_max_upload_mb": 1})
    db.session.commit()
    answer = upload(admin_client, token, image_bytes((20, 20), "PNG") + b"\0" * (1024 * 1024), "edge.png")
    assert answer.status_code == 413 and "1 MB" in answer.get_json()["error"]


def test_an_upload_below_a_raised_setting_passes_the_apps_request_limit(app, admin_client, token):
    save_settings({"media_max_upload_mb": 20})
    db.session.commit()
    from PIL import Image

    noisy = Image.effect_noise((1400, 1000), 120).convert("RGB")
    out = BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > app.config["MAX_CONTENT_LENGTH"]
    answer = upload(admin_client, token, out.getvalue(), "noise.png")
    assert answer.status_code == 201


def test_a_large_image_answers_queued_and_the_status_endpoint_says_when_it_is_ready(app, admin_client, token):
    answer = upload(admin_client, token, image_bytes((2000, 1500)), "wide.jpg")
    assert answer.status_code == 201 and answer.get_json()["status"] == "queued"
    media_id = answer.get_json()["id"]
    item = page_soup(admin_client.get("/admin/media")).select_one(f"#media-{media_id}")
    assert "Queued" in item.get_text()
    library.process_queued()
    status = admin_client.get(f"/admin/media/{media_id}.json").get_json()
    assert status["status"] == "ready" and status["thumbnail"].endswith("-150x150.jpg")


def test_a_contributor_may_neither_upload_nor_open_the_library(app, admin_client, token):
    contributor = client_as(app, staff_user(CONTRIBUTOR))
    assert contributor.get("/admin/media").status_code == 403
    mine = csrf_token_from(contributor.get("/admin/posts/new"))
    answer = upload(contributor, mine, image_bytes(), "a.jpg")
    assert answer.status_code == 403
    assert all_media() == []
    menu = page_soup(contributor.get("/admin/")).select(".admin-menu a")
    assert "Media" not in [a.get_text(strip=True) for a in menu]


def test_an_author_may_upload_but_not_edit_or_delete_an_editors_image(app):
    editor, author = staff_user(EDITOR), staff_user(AUTHOR)
    editor_client, author_client = client_as(app, editor), client_as(app, author)
    editor_token = csrf_token_from(editor_client.get("/admin/media"))
    theirs = upload(editor_client, editor_token, image_bytes(), "e.jpg").get_json()
    author_token = csrf_token_from(author_client.get("/admin/media"))
    mine = upload(author_client, author_token, image_bytes(), "a.jpg").get_json()
    assert author_client.get(f"/admin/media/{theirs['id']}/edit").status_code == 403
    changed = author_client.post(f"/admin/media/{theirs['id']}/edit", data={
        "csrf_token": author_token, "title": "Mine now", "alt_text": "", "caption": "", "description": "",
        "post_id": 0})
    assert changed.status_code == 403
    deleted = author_client.post(f"/admin/media/{theirs['id']}/delete", data={"csrf_token": author_token})
    assert deleted.status_code == 403
    assert {m.title for m in all_media()} == {"e", "a"}
    assert author_client.get(f"/admin/media/{mine['id']}/edit").status_code == 200
    grid = page_soup(author_client.get("/admin/media"))
    assert grid.select_one(f"#media-{theirs['id']} a") is None  # shown, not linked to an edit screen
    assert grid.select_one(f"#media-{mine['id']} a")["href"] == mine["edit_url"]
    assert editor_client.get(f"/admin/media/{mine['id']}/edit").status_code == 200


def test_the_edit_screen_saves_details_and_attaches_and_detaches(app, admin_client, admin_user, token):
    post = make_post(title="Trip report", author=admin_user)
    media_id = upload(admin_client, token, image_bytes(), "trip.jpg").get_json()["id"]
    page = page_soup(admin_client.get(f"/admin/media/{media_id}/edit"))
    assert page.select_one("#media-file-url")["value"].endswith(f"/media/{all_media()[0].path}")
    assert [r.th.get_text() for r in page.select(".media-sizes tbody tr")][0] == "Thumbnail"
    assert ("Trip report", str(post.id)) in [(o.get_text(), o["value"]) for o in page.select("#post_id option")]
    fields = {"csrf_token": token, "title": "The bay", "alt_text": "Boats in the bay at dusk",
              "caption": "Our first evening", "description": "Taken from the hill.", "post_id": post.id}
    saved = admin_client.post(f"/admin/media/{media_id}/edit", data=fields)
    assert saved.status_code == 303
    (media,) = all_media()
    assert (media.title, media.alt_text, media.caption, media.post_id) == (
        "The bay", "Boats in the bay at dusk", "Our first evening", post.id)
    assert page_soup(admin_client.get("/admin/media?attached=attached&mode=list")).select_one(
        f"#media-{media_id}").get_text(" ", strip=True).count("Trip report") == 1
    admin_client.post(f"/admin/media/{media_id}/edit", data=fields | {"post_id": 0})
    assert all_media()[0].post_id is None


def test_the_edit_screen_refuses_a_post_not_offered(admin_client, token):
    media_id = upload(admin_client, token, image_bytes(), "x.jpg").get_json()["id"]
    answer = admin_client.post(f"/admin/media/{media_id}/edit", data={
        "csrf_token": token, "title": "t", "alt_text": "", "caption": "", "description": "", "post_id": 999999})
    assert answer.status_code == 400
    assert all_media()[0].post_id is None


def test_deleting_asks_first_then_removes_the_files_and_the_featured_image(app, admin_client, admin_user, token):
    media_id = upload(admin_client, token, image_bytes(), "gone.jpg").get_json()["id"]
    post = make_post(title="With a picture", author=admin_user)
    post.featured_media_id = media_id
    db.session.commit()
    confirm = admin_client.get(f"/admin/media/{media_id}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    assert all_media()  # a GET deletes nothing
    answer = admin_client.post(f"/admin/media/{media_id}/delete", data={"csrf_token": token})
    assert answer.status_code == 303
    assert all_media() == []
    assert not any(p.suffix == ".jpg" for p in stored_files(app))
    db.session.expire_all()
    assert db.session.get(Post, post.id).featured_media_id is None


def test_the_library_searches_filters_and_pages(app, admin_client, token):
    upload(admin_client, token, image_bytes((30, 30), "PNG"), "harbour.png", alt_text="Fishing boats")
    upload(admin_client, token, image_bytes((30, 30), "GIF"), "logo.gif")
    upload(admin_client, token, image_bytes((30, 30)), "portrait.jpg")

    def titles(query: str) -> list[str]:
        page = page_soup(admin_client.get("/admin/media" + query))
        return sorted(t.get_text() for t in page.select(".media-item .media-title, .media-table .row-title"))

    assert titles("") == ["harbour", "logo", "portrait"]
    assert titles("?s=boats") == ["harbour"]  # alt text
    assert titles("?s=portrait.jpg") == ["portrait"]  # file name
    assert titles("?type=gif") == ["logo"]
    assert titles("?type=exe") == ["harbour", "logo", "portrait"]
    assert titles("?mode=list&type=jpeg") == ["portrait"]
    assert titles("?attached=attached") == []
    assert titles("?attached=unattached") == ["harbour", "logo", "portrait"]
    month = all_media()[0].uploaded_at.strftime("%Y-%m")
    page = page_soup(admin_client.get("/admin/media"))
    assert [o["value"] for o in page.select("#media-month option")] == ["", month]
    assert titles(f"?m={month}") == ["harbour", "logo", "portrait"]
    assert titles("?m=1999-01") == []
    assert titles("?m=not-a-month&s=%25_") == []


def test_the_library_pages_past_forty_images(app, admin_client, admin_user):
    for number in range(41):
        db.session.add(Media(path=f"2026/01/p{number}.png", original_key=f"o{number}", mime_type="image/png",
                             status="ready", sizes={}, author_id=admin_user.id))
    db.session.commit()
    first = page_soup(admin_client.get("/admin/media"))
    assert len(first.select(".media-item")) == 40
    second = page_soup(admin_client.get(first.select_one("a[rel=next]")["href"]))
    assert len(second.select(".media-item")) == 1
    for paged in ("99999999999999999999999", "-3", "x"):
        assert admin_client.get(f"/admin/media?mode=list&paged={paged}").status_code == 200


def test_the_editors_alt_text_question_saves_it_on_the_image_for_who_may_change_it(app, admin_client, token):
    media_id = upload(admin_client, token, image_bytes(), "gull.jpg").get_json()["id"]
    fetch = {"Accept": "application/json", "X-CSRFToken": token}
    answer = admin_client.post(f"/admin/media/{media_id}/alt", headers=fetch, data={"alt_text": "  A gull on a post  "})
    assert answer.status_code == 200 and answer.get_json()["alt_text"] == "A gull on a post"
    assert all_media()[0].title == "gull"  # the other details stay
    author = client_as(app, staff_user(AUTHOR))
    refused = author.post(f"/admin/media/{media_id}/alt", data={
        "csrf_token": csrf_token_from(author.get("/admin/media")), "alt_text": "Mine"})
    assert refused.status_code == 403
    assert all_media()[0].alt_text == "A gull on a post"


def test_an_upload_for_a_post_attaches_the_image_when_the_uploader_may_edit_it(app, admin_user):
    author = staff_user(AUTHOR)
    own, others = make_post(title="Mine", author=author), make_post(title="Theirs", author=admin_user)
    client = client_as(app, author)
    token = csrf_token_from(client.get("/admin/media"))
    answer = upload(client, token, image_bytes(), "a.jpg", post_id=str(own.id))
    assert answer.status_code == 201
    assert all_media()[0].post_id == own.id
    refused = upload(client, token, image_bytes(), "b.jpg", post_id=str(others.id))
    assert refused.status_code == 403 and refused.get_json()["error"] == "You cannot attach images to that post."
    assert upload(client, token, image_bytes(), "c.jpg", post_id="99999999999999").status_code == 400
    assert len(all_media()) == 1


def test_uploads_are_rate_limited_per_user(app_factory):
    app = app_factory(MEDIA_UPLOAD_RATE_LIMIT="2 per minute")
    with app.app_context():
        first, second = staff_user(AUTHOR, "Ann Author"), staff_user(AUTHOR, "Bob Author")
        clients = [client_as(app, first), client_as(app, second)]
    tokens = [csrf_token_from(client.get("/admin/media")) for client in clients]
    small = image_bytes((10, 10), "PNG")
    assert [upload(clients[0], tokens[0], small, "x.png").status_code for _ in range(3)] == [201, 201, 429]
    assert upload(clients[1], tokens[1], small, "y.png").status_code == 201  # each user has their own count
