"""The post editor's media: the Featured image box (works without JavaScript), the missing-alt-text
warning on save and on the page, and the Add Media controls for who may upload."""

from io import BytesIO

import sqlalchemy as sa

from auth.roles import CONTRIBUTOR
from blog.media import library
from blog.media.models import Media
from blog.models import Post
from extensions import db
from tests.support.admin import client_as, csrf_token_from, staff_user
from tests.support.helpers import page_soup
from tests.support.media_files import image_bytes


def upload(client, token, name="photo.jpg", size=(600, 400), **fields) -> dict:
    answer = client.post("/admin/media/upload", headers={"Accept": "application/json"},
                         content_type="multipart/form-data",
                         data={"csrf_token": token, "file": (BytesIO(image_bytes(size)), name), **fields})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()


def editor_fields(token, **fields) -> dict:
    """The post editor as a browser sends it, with the Categories box (and so the Featured image box)."""
    return {"csrf_token": token, "title": "Harbour walk", "slug": "", "body": "A walk.", "excerpt": "",
            "published_at": "", "visibility": "public", "password": "", "comments_open": "y",
            "terms_shown": "1", "tags_text": "", "featured_media_id": "0", "publish": "Publish"} | fields


def only_post() -> Post:
    db.session.expire_all()
    (post,) = db.session.scalars(sa.select(Post).where(Post.kind == "post")).all()
    return post


def test_the_featured_image_is_chosen_in_the_editor_and_attached_to_the_post(admin_client):
    token = csrf_token_from(admin_client.get("/admin/posts/new"))
    image = upload(admin_client, token, "harbour.jpg", alt_text="Boats")
    box = page_soup(admin_client.get("/admin/posts/new")).select_one("#postimagediv")
    assert [(o["value"], o.get_text()) for o in box.select("select#featured_media_id option")] == [
        ("0", "No featured image"), (str(image["id"]), "harbour")]
    saved = admin_client.post("/admin/posts/new", data=editor_fields(token, featured_media_id=str(image["id"])))
    assert saved.status_code == 303
    post = only_post()
    assert post.featured_media_id == image["id"]
    assert db.session.get(Media, image["id"]).post_id == post.id  # it was unattached
    page = page_soup(admin_client.get(f"/admin/posts/{post.id}/edit"))
    assert page.select_one("#featured_media_id option[selected]")["value"] == str(image["id"])
    preview = page.select_one("#featured-preview img")
    assert preview["src"].startswith("/media/") and preview["alt"] == "Boats"


def test_removing_the_featured_image_and_a_form_without_the_box_keeps_it(admin_client, admin_user):
    token = csrf_token_from(admin_client.get("/admin/posts/new"))
    image = upload(admin_client, token)
    admin_client.post("/admin/posts/new", data=editor_fields(token, featured_media_id=str(image["id"])))
    post = only_post()
    without_box = {k: v for k, v in editor_fields(token, publish="Update").items()
                   if k not in ("terms_shown", "featured_media_id")}
    admin_client.post(f"/admin/posts/{post.id}/edit", data=without_box)
    assert only_post().featured_media_id == image["id"]
    admin_client.post(f"/admin/posts/{post.id}/edit", data=editor_fields(token, publish="Update"))
    assert only_post().featured_media_id is None


def test_an_image_not_offered_or_not_ready_cannot_be_featured(app, admin_client):
    token = csrf_token_from(admin_client.get("/admin/posts/new"))
    queued = upload(admin_client, token, "huge.jpg", size=(2000, 1500))
    assert queued["status"] == "queued"
    for chosen in (str(queued["id"]), "424242", "x"):
        answer = admin_client.post("/admin/posts/new", data=editor_fields(token, featured_media_id=chosen))
        assert answer.status_code == 400
        assert page_soup(answer).select_one("#featured_media_id-error").get_text() == (
            "Choose a featured image from the list.")
    assert db.session.scalars(sa.select(Post)).all() == []
    library.process_queued()
    answer = admin_client.post("/admin/posts/new", data=editor_fields(token, featured_media_id=str(queued["id"])))
    assert answer.status_code == 303


def test_saving_a_post_with_an_image_without_alt_text_flashes_a_warning(admin_client):
    token = csrf_token_from(admin_client.get("/admin/posts/new"))
    image = upload(admin_client, token)
    body = f"Intro.\n\n![]({image['url']})\n\n![A gull]({image['url']})\n\n![ ]({image['url']})"
    saved = admin_client.post("/admin/posts/new", data=editor_fields(token, body=body))
    page = page_soup(admin_client.get(saved.headers["Location"]))
    warning = page.select_one("main > .notice-warning").get_text(" ", strip=True)
    assert warning.startswith("2 images have no alt text")
    notice = page.select_one("#alt-notice")
    assert not notice.has_attr("hidden") and "2 images have no alt text" in notice.get_text()


def test_a_post_whose_images_all_have_alt_text_gets_no_warning(admin_client):
    token = csrf_token_from(admin_client.get("/admin/posts/new"))
    saved = admin_client.post("/admin/posts/new", data=editor_fields(token, body="![A gull](/media/x.jpg)"))
    page = page_soup(admin_client.get(saved.headers["Location"]))
    assert page.select("main > .notice-warning") == []
    assert page.select_one("#alt-notice").has_attr("hidden")


def test_the_add_media_controls_show_to_uploaders_only(app, admin_client):
    page = page_soup(admin_client.get("/admin/posts/new"))
    buttons = page.select_one("#media-buttons")
    assert buttons["data-upload-url"] == "/admin/media/upload"
    assert page.select_one("#alt-dialog") is not None
    contributor = client_as(app, staff_user(CONTRIBUTOR))
    page = page_soup(contributor.get("/admin/posts/new"))
    assert page.select_one("#media-buttons") is None and page.select_one("#alt-dialog") is None
    assert page.select_one("#postimagediv select") is not None  # choosing a library image needs no upload


def test_the_published_post_shows_its_featured_image(admin_client, client):
    token = csrf_token_from(admin_client.get("/admin/posts/new"))
    image = upload(admin_client, token, "gull.jpg", alt_text="A gull on a post")
    admin_client.post("/admin/posts/new", data=editor_fields(
        token, featured_media_id=str(image["id"]), body=f"![A gull on a post]({image['url']})"))
    post = only_post()
    assert post.status == "published"
    from blog.permalinks import post_url

    page = page_soup(client.get(post_url(post)))
    sources = [img["src"] for img in page.select("article img")]
    assert any(src.startswith(image["url"].rpartition(".")[0]) for src in sources)
    assert any(img.get("srcset") for img in page.select("article img"))
