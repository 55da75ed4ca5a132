"""WordPress attachments: media rows, files from --uploads-dir, image URLs, featured images, export."""

import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from blog.media.models import Media
from blog.models import Post
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.wxr import (
    UPLOADS_URL,
    empty_content,
    empty_media,
    image_bytes,
    import_bytes,
    wp_attachment_item,
    wp_post_item,
    wxr_with,
)
from tests.wordpress.test_wxr_background_import import _owner_client, _send
from wordpress.wxr.attachments import NOT_IMPORTED
from wordpress.wxr.exporter import iter_wxr
from wordpress.wxr.jobs import run_queued_imports

BODY = (
    f'<figure><a href="{UPLOADS_URL}/2022/10/photo.jpg"><img src="{UPLOADS_URL}/2022/10/photo-300x200.jpg" '
    'alt="Tea on the table" class="wp-image-45"/></a></figure>\n'
    f'<p><img src="{UPLOADS_URL.replace("http:", "https:")}/2022/10/big-scaled.jpg" alt="Hills"/></p>\n'
    '<p><img src="http://before-the-move.example/wp-content/uploads/2022/10/big-1024x683.jpg" '
    'alt="Hills, smaller"/></p>\n'
    '<p><img src="/wp-content/uploads/2022/10/photo-150x150.jpg" alt="Tea, square"/></p>\n'
    f'<p><img src="{UPLOADS_URL}/2022/11/gone.jpg" alt="Gone"/></p>\n'
    f'<p><img src="{UPLOADS_URL}/2019/01/stray.png" alt="Never an attachment"/></p>\n'
    '<p><img src="https://elsewhere.example/wp-content/uploads/2022/10/photo.jpg" alt="Another site"/></p>'
)
LEFT = [f"{UPLOADS_URL}/2022/11/gone.jpg", f"{UPLOADS_URL}/2019/01/stray.png"]

EXPORT = wxr_with(
    wp_attachment_item(45, "2022/10/photo.jpg", parent=10, title="Tea", alt="Tea on the table",
                       caption="Morning tea", description="<p>Taken at home.</p>")
    + wp_post_item(10, "Hello pictures", BODY, thumbnail_id=45)
    + wp_attachment_item(46, "2022/10/big-scaled.jpg", parent=10, title="Hills", alt="Green hills",
                         width=2560, height=1707, guid_site="http://before-the-move.example")
    + wp_attachment_item(47, "2022/11/gone.jpg", parent=11, title="Gone", alt="A lost picture",
                         date="2022-11-02 08:00:00")
    + wp_post_item(11, "Lost and found", "<p>No pictures yet.</p>", thumbnail_id=47)
    + wp_attachment_item(48, "../secret.jpg", title="Outside")
    + wp_attachment_item(49, "/etc/hostname.jpg", title="Absolute")
    + wp_attachment_item(50, "2022/10/notes.pdf", title="Notes")
    + wp_attachment_item(51, "2022/10/fake.jpg", title="Not a picture")
    + wp_attachment_item(52, "2022/10/link.jpg", title="A link out")
)


@pytest.fixture
def media_app(app_factory):
    app = app_factory()
    with app.app_context():
        yield app


@pytest.fixture
def uploads(tmp_path) -> Path:
    """A copy of wp-content/uploads: a photo with a WordPress size, a big image with its -scaled copy."""
    folder = tmp_path / "uploads"
    (folder / "2022" / "10").mkdir(parents=True)
    (folder / "2022" / "10" / "photo.jpg").write_bytes(image_bytes(1200, 800, "teal"))
    (folder / "2022" / "10" / "photo-300x200.jpg").write_bytes(image_bytes(300, 200, "teal"))
    (folder / "2022" / "10" / "big.jpg").write_bytes(image_bytes(3000, 2000, "green"))
    (folder / "2022" / "10" / "big-scaled.jpg").write_bytes(image_bytes(2560, 1707, "red"))
    (folder / "2022" / "10" / "notes.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    (folder / "2022" / "10" / "fake.jpg").write_bytes(b"<html>not a picture</html>")
    (tmp_path / "secret.jpg").write_bytes(image_bytes(40, 40, "black"))  # outside: never to be read
    (folder / "2022" / "10" / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    return folder


def media_by_wp_id() -> dict[int, Media]:
    db.session.expire_all()
    return {media.wp_id: media for media in db.session.scalars(sa.select(Media))}


def post(wp_id: int) -> Post:
    return db.session.scalars(sa.select(Post).where(Post.wp_id == wp_id)).one()


def served(client, url: str) -> Image.Image:
    response = client.get(url)
    assert response.status_code == 200, url
    return Image.open(io.BytesIO(response.get_data()))


def test_attachments_become_media_with_their_details_files_and_parent(media_app, uploads):
    report = import_bytes(EXPORT, uploads_dir=uploads)
    media = media_by_wp_id()
    assert sorted(media) == [45, 46, 47]  # the hostile paths, the PDF and the fake JPEG made no rows
    tea = media[45]
    assert (tea.status, tea.path, tea.title, tea.alt_text) == ("ready", "2022/10/photo.jpg", "Tea", "Tea on the table")
    assert (tea.caption, tea.description) == ("Morning tea", "<p>Taken at home.</p>")
    assert tea.post_id == post(10).id  # the post came after its attachment in the file
    assert db.session.get(type(post(10).author), tea.author_id).login == "ruth"
    assert (tea.uploaded_at.year, tea.uploaded_at.month) == (2022, 10)
    client = media_app.test_client()
    assert served(client, "/media/2022/10/photo.jpg").size == (1200, 800)
    assert served(client, tea.url("medium")).size == (300, 200)
    assert report.media["imported"] == 2 and report.media["refused"] == 4
    assert report.skipped["attachments that are not images (the media library holds images)"] == 1


def test_a_big_image_is_read_from_its_unscaled_original_and_processed_before_the_import_returns(
        media_app, uploads):
    import_bytes(EXPORT, uploads_dir=uploads)
    hills = media_by_wp_id()[46]
    assert hills.status == "ready"  # it was queued (3000x2000) and processed within the import
    assert hills.original_name == "big.jpg"  # the original, not WordPress's -scaled copy
    assert hills.file_size == (uploads / "2022/10/big.jpg").stat().st_size
    assert hills.path == "2022/10/big.jpg" and hills.sizes["full"]["file"] == "big-scaled.jpg"
    full = served(media_app.test_client(), hills.url())
    assert full.size == (2560, 1707)
    assert full.convert("RGB").getpixel((10, 10))[1] > 100  # green: made from big.jpg, not the red copy


def test_an_original_over_the_size_limit_gives_way_to_wordpress_scaled_copy(media_app, uploads):
    original, scaled = (uploads / "2022/10/big.jpg").stat().st_size, (uploads / "2022/10/big-scaled.jpg").stat().st_size
    assert scaled < original
    save_settings({"media_max_upload_mb": (original + scaled) / 2 / 1024 / 1024})
    db.session.commit()
    import_bytes(EXPORT, uploads_dir=uploads)
    hills = media_by_wp_id()[46]
    assert (hills.status, hills.original_name, hills.file_size) == ("ready", "big-scaled.jpg", scaled)
    assert hills.path == "2022/10/big.jpg"  # named as WordPress's original, without -scaled


def test_a_missing_file_is_kept_as_a_failed_media_row_and_hostile_paths_are_never_read(media_app, uploads):
    report = import_bytes(EXPORT, uploads_dir=uploads)
    gone = media_by_wp_id()[47]
    assert (gone.status, gone.error, gone.sizes) == ("failed", NOT_IMPORTED, {})
    assert (gone.path, gone.alt_text, gone.post_id) == ("2022/11/gone.jpg", "A lost picture", post(11).id)
    assert media_app.test_client().get("/media/2022/11/gone.jpg").status_code == 404
    text = "\n".join(report.summary())
    assert "2022/11/gone.jpg is not in the uploads folder" in text
    assert "attachment 48 ('../secret.jpg'): the file name points outside the uploads folder" in text
    assert "attachment 49 ('/etc/hostname.jpg'): the file name points outside the uploads folder" in text
    assert "attachment 51 (2022/10/fake.jpg): " in text  # refused by the library: not an image
    assert "attachment 52 ('2022/10/link.jpg'): the file is a link to outside the uploads folder" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Media).where(
        Media.original_name.in_(("secret.jpg", "hostname.jpg")))) == 0


def test_image_urls_in_posts_point_at_this_blogs_media_and_the_rest_are_reported(media_app, uploads):
    report = import_bytes(EXPORT, uploads_dir=uploads)
    body = post(10).body
    assert '<a href="/media/2022/10/photo.jpg"><img src="/media/2022/10/photo-300x200.jpg"' in body
    assert '<img src="/media/2022/10/big-scaled.jpg" alt="Hills"/>' in body  # https, the -scaled copy
    assert '<img src="/media/2022/10/big-1024x683.jpg" alt="Hills, smaller"/>' in body  # the guid's host
    assert '<img src="/media/2022/10/photo-150x150.jpg" alt="Tea, square"/>' in body  # site-relative
    for url in LEFT:
        assert f'src="{url}"' in body
    assert 'src="https://elsewhere.example/wp-content/uploads/2022/10/photo.jpg"' in body  # not the old site
    assert (report.image_urls_rewritten, report.image_urls_left) == (5, 2)
    assert report.image_urls_left_examples == LEFT
    assert "Image URLs in posts: 5 rewritten to this blog's media, 2 left pointing at the old site:" in (
        report.summary())
    with media_app.test_request_context():
        address = post_url(post(10))
    html = media_app.test_client().get(address).get_data(as_text=True)
    assert '<a href="/media/2022/10/photo.jpg"' in html and 'src="/media/2022/10/photo-300x200.jpg"' in html
    assert 'srcset="/media/2022/10/big-300x200.jpg 300w' in html  # the library's own images now


def test_featured_images_come_from_thumbnail_ids(media_app, uploads):
    import_bytes(EXPORT, uploads_dir=uploads)
    media = media_by_wp_id()
    assert post(10).featured_media_id == media[45].id
    assert post(11).featured_media_id == media[47].id  # kept, shown once its file comes


def test_reimporting_updates_never_duplicates_and_brings_a_file_that_was_missing(media_app, uploads):
    import_bytes(EXPORT, uploads_dir=uploads)
    first = media_by_wp_id()
    changed = EXPORT.replace(b"Tea on the table]]>", b"Tea on the garden table]]>")
    (uploads / "2022" / "11").mkdir()
    (uploads / "2022" / "11" / "gone.jpg").write_bytes(image_bytes(800, 600, "navy"))
    report = import_bytes(changed, uploads_dir=uploads)
    again = media_by_wp_id()
    assert sorted(again) == [45, 46, 47]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Media)) == 3
    assert again[45].id == first[45].id and again[45].alt_text == "Tea on the garden table"
    found = again[47]
    assert (found.status, found.path, found.alt_text) == ("ready", "2022/11/gone.jpg", "A lost picture")
    assert post(11).featured_media_id == found.id
    assert '<img src="/media/2022/11/gone.jpg" alt="Gone"/>' in post(10).body
    assert report.media["updated"] == 2 and report.media["imported"] == 1
    assert (report.image_urls_rewritten, report.image_urls_left) == (1, 1)


def test_without_uploads_dir_attachments_are_kept_without_files_and_urls_left(media_app):
    report = import_bytes(EXPORT)
    media = media_by_wp_id()
    assert {m.status for m in media.values()} == {"failed"}
    assert media[45].path == "2022/10/photo.jpg" and media[45].error == NOT_IMPORTED
    assert all(".." not in m.path and not m.path.startswith("/") for m in media.values())
    assert sorted(media) == [45, 46, 47, 51, 52]  # a PDF is not an image; hostile paths are refused
    assert report.media["refused"] == 2 and report.media["without file"] == 5
    assert report.image_urls_rewritten == 0 and report.image_urls_left == 7
    assert f'src="{UPLOADS_URL}/2022/10/photo-300x200.jpg"' in post(10).body


def test_cli_import_with_uploads_dir_reports_media_and_urls(media_app, uploads, tmp_path):
    path = tmp_path / "export.xml"
    path.write_bytes(EXPORT)
    wordpress = tmp_path / "wordpress"  # given the WordPress folder, the import finds wp-content/uploads
    (wordpress / "wp-content").mkdir(parents=True)
    uploads.rename(wordpress / "wp-content" / "uploads")
    result = media_app.test_cli_runner().invoke(args=["wxr", "import", str(path), "--uploads-dir", str(wordpress)])
    assert result.exit_code == 0, result.output
    assert "Media: 2 imported with their files, 1 kept without their file" in result.output
    assert "Image URLs in posts: 5 rewritten to this blog's media, 2 left pointing at the old site:" in result.output
    assert f"  {LEFT[0]}" in result.output
    assert media_by_wp_id()[46].status == "ready"


def test_the_admin_import_report_shows_media_and_image_urls(media_app):
    client = _owner_client(media_app)
    response = _send(client, EXPORT)
    assert run_queued_imports() == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<span data-media="without-file">5</span> kept without their file' in page
    assert '<span data-media="refused">2</span> refused' in page  # the hostile paths
    assert '<span data-image-urls="rewritten">0</span>' in page
    assert '<span data-image-urls="left">7</span> left pointing at the old site' in page
    assert f"<code>{LEFT[0]}</code>" in page


def test_export_writes_attachments_as_wordpress_and_imports_back(app_factory, media_app, uploads):
    import_bytes(EXPORT, uploads_dir=uploads)
    with media_app.test_request_context():
        exported = "".join(iter_wxr()).encode()
    text = exported.decode()
    site = media_app.config["SITE_URL"].rstrip("/")
    assert "<wp:post_type><![CDATA[attachment]]></wp:post_type>" in text
    assert f"<wp:attachment_url><![CDATA[{site}/media/2022/10/photo.jpg]]></wp:attachment_url>" in text
    assert "<wp:meta_value><![CDATA[2022/10/big-scaled.jpg]]></wp:meta_value>" in text
    assert "<wp:meta_value><![CDATA[Tea on the table]]></wp:meta_value>" in text
    assert "<wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key>" in text
    assert "<excerpt:encoded><![CDATA[Morning tea]]></excerpt:encoded>" in text
    assert f'src="{site}/media/2022/10/photo-300x200.jpg"' in text  # absolute, for a WordPress site
    assert "gone.jpg" not in text.split("Lost and found")[1]  # a row without its file is not exported
    media_root = Path(media_app.config["MEDIA_ROOT"])
    own = import_bytes(exported, uploads_dir=media_root)  # this blog's own export: nothing new
    assert (own.media["updated"], own.media["imported"], own.image_urls_left) == (2, 0, 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Media)) == 3
    empty_media()  # on PostgreSQL the apps of a test share the database: start the other empty
    empty_content()

    other = app_factory()
    with other.app_context():
        report = import_bytes(exported, uploads_dir=media_root)
        back = {m.title: m for m in db.session.scalars(sa.select(Media))}
        assert sorted(back) == ["Hills", "Tea"] and report.media["imported"] == 2
        tea, hills = back["Tea"], back["Hills"]
        assert (tea.status, tea.path, tea.alt_text, tea.caption) == (
            "ready", "2022/10/photo.jpg", "Tea on the table", "Morning tea")
        assert (hills.status, hills.sizes["full"]["width"]) == ("ready", 2560)
        hello = db.session.scalars(sa.select(Post).where(Post.title == "Hello pictures")).one()
        assert tea.post_id == hello.id and hello.featured_media_id == tea.id
        assert '<img src="/media/2022/10/photo-300x200.jpg"' in hello.body
        assert served(other.test_client(), "/media/2022/10/photo-300x200.jpg").size == (300, 200)
