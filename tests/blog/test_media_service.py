"""The media library's service: what an upload stores, where, under which name; queued processing."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from blog.media import library
from blog.media.errors import ImageRefused
from blog.media.models import Media, StoredFile
from blog.models import Post
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_post
from tests.support.images import SVG_WITH_SCRIPT, photo, photo_with_exif


def _public_files(app) -> set[str]:
    root = Path(app.config["MEDIA_ROOT"])
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_an_upload_is_stored_with_its_sizes_and_its_original_kept_private(app):
    media = library.upload(photo(1200, 800), "Summer Trip.JPG", None)
    assert (media.status, media.path, media.mime_type) == ("ready", f"{media.uploaded_at:%Y/%m}/summer-trip.jpg",
                                                           "image/jpeg")
    folder = media.folder
    assert _public_files(app) == {f"{folder}/summer-trip{suffix}.jpg" for suffix in
                                  ("", "-150x150", "-300x200", "-768x512", "-1024x683")}
    originals = Path(app.config["MEDIA_ORIGINALS_ROOT"])
    assert (originals / media.original_key).read_bytes() == photo(1200, 800)
    assert media.title == "summer trip"


def test_the_public_files_keep_no_camera_metadata_but_the_original_does(app):
    media = library.upload(photo_with_exif(900, 600, orientation=1), "phone.jpg", None)
    public = (Path(app.config["MEDIA_ROOT"]) / media.path).read_bytes()
    assert b"PhoneMaker" not in public
    assert b"PhoneMaker" in (Path(app.config["MEDIA_ORIGINALS_ROOT"]) / media.original_key).read_bytes()


@pytest.mark.parametrize(("filename", "stored_as"), [
    ("../../../etc/passwd.jpg", "passwd.jpg"),
    ("evil\x00name.jpg", "evil-name.jpg"),
    ("x" * 300 + ".jpg", "x" * 80 + ".jpg"),
    ("😀🎉.jpg", "image.jpg"),
    ("C:\\Users\\me\\Desktop\\photo.jpg", "photo.jpg"),
    ("picture.png", "picture.jpg"),  # the extension lied: the file is a JPEG
])
def test_hostile_or_odd_file_names_are_stored_safely_inside_the_media_folder(app, filename, stored_as):
    media = library.upload(photo(300, 200), filename, None)
    assert media.path.rpartition("/")[2] == stored_as
    assert media.original_name.isprintable()  # the library lists it as uploaded, without NUL
    root = Path(app.config["MEDIA_ROOT"]).resolve()
    assert all((root / name).resolve().is_relative_to(root) for name in _public_files(app))


def test_two_uploads_of_one_name_get_numbered_as_wordpress_numbers_them(app):
    paths = [library.upload(photo(300, 200), "photo.jpg", None).path.rpartition("/")[2] for _ in range(3)]
    assert paths == ["photo.jpg", "photo-1.jpg", "photo-2.jpg"]


def test_a_name_that_looks_like_a_size_of_another_image_is_renamed(app):
    first = library.upload(photo(1200, 800), "photo.jpg", None)
    second = library.upload(photo(300, 200), "photo-300x200.jpg", None)
    assert second.path != first.folder + "/photo-300x200.jpg"
    assert library.upload(photo(300, 200), "photo-scaled.jpg", None).path.endswith("photo-2.jpg")


def test_a_refused_upload_leaves_no_row_and_no_file(app):
    with pytest.raises(ImageRefused, match="SVG"):
        library.upload(SVG_WITH_SCRIPT, "logo.svg", None)
    assert db.session.scalar(sa.select(sa.func.count(Media.id))) == 0
    assert not _public_files(app) and not list(Path(app.config["MEDIA_ORIGINALS_ROOT"]).rglob("*.*"))


def test_the_upload_limit_is_the_owners_setting(app):
    save_settings({"media_max_upload_mb": 1})
    db.session.commit()
    with pytest.raises(ImageRefused, match="1 MB"):
        library.upload(b"\xff\xd8" + b"\x00" * (1024 * 1024), "big.jpg", None)


def test_a_large_image_answers_queued_and_the_workers_pass_makes_its_sizes(app):
    media = library.upload(photo(2000, 1500), "large.jpg", None)  # 3 MP: above the in-request limit
    assert media.status == "queued" and media.sizes == {}
    assert library.process_queued() == "media: processed 1 of 1 queued images"
    db.session.refresh(media)
    assert media.status == "ready" and set(media.sizes) == {"full", "thumbnail", "medium", "medium_large", "large"}
    assert library.process_queued() is None
    assert library.process(media.id) is False  # already made: nobody makes it twice


def test_a_file_that_turns_out_broken_while_processing_is_marked_failed_with_a_reason(app):
    current_app.config["MEDIA_INLINE_MAX_PIXELS"] = 0
    media = library.upload(photo(640, 480), "photo.jpg", None)
    path = Path(app.config["MEDIA_ORIGINALS_ROOT"]) / media.original_key
    path.write_bytes(path.read_bytes()[:3000])  # damaged on disk after the upload
    library.process_queued()
    db.session.refresh(media)
    assert media.status == "failed" and "damaged" in media.error


def test_deleting_an_image_removes_its_files_and_its_use_as_a_featured_image(app):
    media = library.upload(photo(1200, 800), "photo.jpg", None)
    post = make_post(featured_media_id=media.id)
    library.delete(media)
    assert not _public_files(app) and not list(Path(app.config["MEDIA_ORIGINALS_ROOT"]).rglob("*.*"))
    assert db.session.get(Post, post.id).featured_media_id is None


def test_the_database_storage_keeps_files_in_chunks_and_deletes_them_with_the_image(app_factory):
    app = app_factory(MEDIA_STORAGE="database")
    with app.test_request_context():
        media = library.upload(photo(1200, 800), "photo.jpg", None)
        keys = set(db.session.scalars(sa.select(StoredFile.key).where(StoredFile.bucket == "public")))
        assert keys == {f"{media.folder}/{media.sizes[name]['file']}" for name in media.sizes}
        assert not Path(app.config["MEDIA_ROOT"]).exists()
        library.delete(media)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
