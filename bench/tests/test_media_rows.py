"""`make bench`'s media rows, on tiny settings: the fill makes the library images and posts it says,
each server serves the same medium image, the upload's code paths make an image ready, the memory
child measures, and the targets are printed from one run's rows."""

import io
import os
import re
import subprocess

import pytest
import requests
from PIL import Image

from bench import media_rows
from bench.media_children import (
    PHOTO_QUALITY,
    MediaFolders,
    fill_media_blog,
    in_process,
    photo_jpeg,
    run_in_child,
)
from bench.media_rows import (
    WITH_IMAGES,
    WITHOUT_IMAGES,
    admin_session,
    print_media_table,
    target_lines,
    upload_endpoint,
    upload_over_http,
    upload_row,
)
from bench.media_serving import NGINX_SKIPPED, Nginx, fetch_image, nginx_binary, nginx_config
from bench.run import PYTHON, ROOT, Server, blog_env
from bench.tests.scratch import read_rows, scratch_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")
IMAGES, IMAGE_SIZE = 10, (320, 240)


@pytest.fixture(scope="module")
def media_blog(tmp_path_factory):
    """A migrated database (a fresh one beside the test database on PostgreSQL) filled by the rows'
    fill with small library images, and its media folders: (database URL, folders, the fill's JSON)."""
    workdir = tmp_path_factory.mktemp("media-rows")
    folders = MediaFolders.under(workdir)
    with scratch_database("media_rows", workdir) as database_url:
        yield database_url, folders, fill_media_blog(database_url, folders, IMAGES, IMAGE_SIZE)


@pytest.fixture(scope="module")
def servers(media_blog, tmp_path_factory):
    """The blog under gunicorn with each storage (one worker each), as the rows start them."""
    database_url, folders, _filled = media_blog
    logs = tmp_path_factory.mktemp("media-rows-logs")
    started = {storage: Server("app:create_app()", blog_env(database_url) | folders.env(storage), 1,
                               logs / f"{storage}.log") for storage in ("folder", "database")}
    yield started
    for server in started.values():
        server.stop()


def test_the_photo_is_a_jpeg_of_the_size_asked_that_compresses_like_a_camera_photo():
    data = photo_jpeg(400, 300)
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size, image.mode) == ("JPEG", (400, 300), "RGB")
        assert image.getexif()[0x010F] == "Bench Camera"  # metadata for make_sizes to leave out
    flat = io.BytesIO()
    Image.new("RGB", (400, 300), (90, 140, 210)).save(flat, "JPEG", quality=PHOTO_QUALITY)
    assert len(data) > 10 * len(flat.getvalue())
    assert 0.2 < len(data) / (400 * 300) < 0.6  # bytes a pixel: a 12-megapixel photo of 3 to 5 MB


def test_the_fill_makes_ready_library_images_posts_and_a_copy_in_the_database_storage(media_blog):
    database_url, folders, filled = media_blog
    media = read_rows(database_url, "SELECT path, status, width, height FROM media ORDER BY id")
    assert [(status, width, height) for _path, status, width, height in media] == [("ready", *IMAGE_SIZE)] * IMAGES
    assert [path for path, *_ in media] == filled["images"]
    public = sorted(f.relative_to(folders.public).as_posix() for f in folders.public.rglob("*") if f.is_file())
    stored = read_rows(database_url, "SELECT key FROM stored_files WHERE bucket = 'public' ORDER BY key")
    assert [key for (key,) in stored] == public and filled["database_files"] == len(public)
    assert filled["medium"] in public and re.search(r"-300x225\.jpg$", filled["medium"])
    bodies = dict(read_rows(database_url, "SELECT slug, body FROM posts"))
    assert bodies["ten-pictures"].count("![") == IMAGES and "![" not in bodies["no-pictures"]
    assert bodies["no-pictures"] == bodies["warm-up"]
    assert re.sub(r"\n\n!\[[^\]]*\]\([^)]*\)", "", bodies["ten-pictures"]) == bodies["no-pictures"]


def test_both_storages_and_nginx_serve_the_same_medium_image(media_blog, servers, tmp_path):
    _database_url, folders, filled = media_blog
    on_disk = (folders.public / filled["medium"]).read_bytes()
    for server in servers.values():
        assert fetch_image(f"{server.url}/media/{filled['medium']}") == on_disk
    with pytest.raises(RuntimeError, match="answered 404"):
        fetch_image(f"{servers['database'].url}/media/2026/01/missing.jpg")
    binary = nginx_binary()
    if binary is None:
        pytest.skip("nginx is not installed: its row prints " + NGINX_SKIPPED)
    nginx = Nginx(binary, folders.public, 1, tmp_path / "nginx", tmp_path / "nginx.log")
    try:
        assert fetch_image(f"{nginx.url}/media/{filled['medium']}") == on_disk
        answer = requests.get(f"{nginx.url}/media/{filled['medium']}", timeout=10)
        assert answer.headers["Cache-Control"] == "max-age=31536000"
        assert requests.get(f"{nginx.url}/media/../media.sqlite", timeout=10).status_code in (400, 404)
    finally:
        nginx.stop()


def test_nginx_serves_the_folder_with_an_alias_on_this_machine_only(tmp_path):
    config = nginx_config(tmp_path / "media", 8123, 2, tmp_path / "nginx")
    assert "listen 127.0.0.1:8123;" in config and f"alias {tmp_path / 'media'}/;" in config
    assert "worker_processes 2;" in config and "expires 1y;" in config


def test_the_post_with_ten_images_costs_at_most_one_statement_more_and_shows_each_with_srcset(media_blog, servers):
    database_url, _folders, filled = media_blog
    paths = filled["paths"]
    costs = in_process(database_url, [paths["with_images"], paths["without_images"]], paths["warm_up"], 2, 2)
    pictured, plain = costs[paths["with_images"]], costs[paths["without_images"]]
    assert pictured["first"] <= plain["first"] + 1 and pictured["again"] <= plain["again"] + 1, costs
    assert pictured["ms"] > 0 and plain["ms"] > 0
    page = requests.get(servers["folder"].url + paths["with_images"], timeout=10).text
    images = re.findall(r'<img\b[^>]*src="/media/[^>]*>', page)
    assert len(images) == IMAGES and all("srcset=" in img for img in images)


def test_an_upload_through_the_endpoint_answers_then_becomes_ready(media_blog, servers):
    server = servers["folder"]
    session = admin_session(server.url)
    if not upload_endpoint(server.url, session):
        pytest.skip(f"{media_rows.UPLOAD_PATH} is not there yet: the rows upload in-process")
    results = upload_over_http(server.url, session, photo_jpeg(2000, 1200), 1)  # over the inline limit: queued
    assert [r["status"] for r in results] == ["ready"]
    assert 0 < results[0]["answer_ms"] <= results[0]["ready_ms"]
    refused = upload_over_http(server.url, session, b"not an image", 1)
    assert refused[0]["status"].startswith("answered 400 (") and "answer_ms" not in refused[0]


def test_an_upload_in_process_is_queued_then_processed_into_its_sizes(media_blog, tmp_path):
    database_url, folders, filled = media_blog
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(photo_jpeg(200, 150))
    env = blog_env(database_url) | folders.env("database") | {"MEDIA_BACKGROUND_THREAD": "0",
                                                               "MEDIA_INLINE_MAX_PIXELS": "1000"}
    runs = run_in_child(["--upload-in-process", str(photo), str(filled["admin_id"]), "2"], env)["runs"]
    assert [r["status"] for r in runs] == ["ready", "ready"]
    assert all(0 < r["answer_ms"] <= r["ready_ms"] for r in runs)
    uploads = read_rows(database_url, "SELECT status FROM media WHERE width = 200 AND height = 150")
    assert uploads == [("ready",), ("ready",)]
    row = upload_row("sqlite", "database", photo, runs + [{"status": "failed"}], "in-process")
    assert row["page"] == "upload 200x150 JPEG (0.0 MB), database storage" and row["failed"] == ["failed"]


def test_the_memory_child_measures_making_the_sizes_in_a_fresh_process(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(photo_jpeg(1200, 900))
    found = media_rows.memory_row("sqlite", photo)
    assert found["page"] == "make_sizes of the 1200x900 photo, fresh process"
    assert set(found["sizes"]) == {"full", "thumbnail", "medium", "medium_large", "large"}
    assert 0 <= found["extra_mb"] < found["peak_mb"] and found["seconds"] > 0


def test_the_child_names_its_failure():
    with pytest.raises(RuntimeError, match="--sizes-memory /nonexistent.jpg failed"):
        run_in_child(["--sizes-memory", "/nonexistent.jpg"], {})


def _load(rps: float) -> dict:
    return {"rps": rps, "p50": 2.0, "p99": 9.0, "errors": 0}


ROWS = [
    {"media": "serve", "db": "sqlite", "page": "medium image: app, folder storage", "storage": "folder", "kb": 4.4,
     **_load(500.0)},
    {"media": "serve", "db": "sqlite", "page": "medium image: app, database storage", "storage": "database",
     "kb": 4.4, **_load(200.0)},
    {"media": "serve", "db": "sqlite", "page": "medium image: nginx, alias", "skipped": NGINX_SKIPPED},
    *[{"media": "post", "db": "sqlite", "page": f"{label}, {kind}", "cached": cached, "with_images": with_images,
       **_load(rps), "alone_ms": 5.0 if with_images else 4.0,
       "in_process_ms": 3.3 if with_images else 3.0, "html_kb": 18.0, "queries_first": first,
       "queries_again": 4, "images": images,
       "srcset": images} for label, with_images, images, first in ((WITH_IMAGES, True, 10, 14),
                                                                    (WITHOUT_IMAGES, False, 0, 4))
      for kind, cached, rps in (("uncached", False, 80.0 if with_images else 100.0),
                                ("page cache", True, 2000.0))],
    {"media": "upload", "db": "sqlite", "page": "upload 4000x3000 JPEG (3.9 MB), folder storage", "storage": "folder",
     "via": "POST /admin/media/upload", "runs": 3, "failed": [], "answer_ms": 250.0, "answer_worst_ms": 330.0,
     "answers_ms": [330.0, 250.0, 240.0], "ready_ms": 1300.0, "worker_peak_mb": 180.0},
    {"media": "upload", "db": "sqlite", "page": "upload 4000x3000 JPEG (3.9 MB), database storage",
     "storage": "database", "via": "POST /admin/media/upload", "runs": 1, "failed": ["answered 413 (too large)"],
     "worker_peak_mb": 70.0},
    {"media": "memory", "db": "sqlite", "page": "make_sizes of the 4000x3000 photo, fresh process", "extra_mb": 120.5,
     "peak_mb": 190.0, "seconds": 0.5, "method": "VmHWM after clear_refs"},
]


def test_the_targets_are_ratios_of_one_runs_rows_and_a_missed_one_says_so():
    assert target_lines(ROWS) == [
        "medium image, requests a second against the app's with the folder storage: the database storage 0.40x",
        "upload (folder storage) answers in 250 ms (median; target under 300 ms; met); all sizes after 1300 ms",
        "upload (database storage): no upload was made into its sizes (answered 413 (too large)): MISSED",
        "making the sizes of a 12-megapixel photo takes 120.5 MB of extra memory (target under 100 MB; MISSED)",
        "post page uncached, with 10 images / without: 0.80x the requests a second (80 against 100; target the "
        "same within noise, 0.90x at least; MISSED); alone 5.00 ms against 4.00 ms (1.25x); in process 3.30 ms "
        "against 3.00 ms (1.10x)",
        "queries per post page, with images / without: first request 14/4, next ones 4/4 (target +1 at most, not "
        "one per image; MISSED); srcset on 10 of 10 images",
        "post page through the page cache, with 10 images / without: 1.00x the requests a second (2000 against "
        "2000; target the same within noise, 0.90x at least; met); alone 5.00 ms against 4.00 ms (1.25x)",
    ]


def test_the_table_prints_every_row_and_the_skipped_nginx_says_why(capsys):
    print_media_table(ROWS)
    out = capsys.readouterr().out
    assert re.search(r"sqlite\s+medium image: nginx, alias\s+skipped: nginx not installed", out)
    assert re.search(r"sqlite\s+medium image: app, folder storage\s+500\s+2.00\s+9.00\s+0\s+4.4", out)
    assert re.search(r"post, 10 library images, uncached\s+80 .* 5.00\s+3.30\s+18.0\s+14/4\s+10/10", out)
    assert re.search(r"database storage\s+-\s+-\s+-\s+POST /admin/media/upload, median of 1; worker peak 70 MB; "
                     r"not ready: answered 413", out)
    assert re.search(r"folder storage\s+250\s+330\s+1300  POST /admin/media/upload, median of 3 "
                     r"\(330, 250, 240 ms in turn\); worker peak 180 MB\n", out)
    assert "extra memory 120.5 MB (peak 190.0 MB, VmHWM after clear_refs)" in out
    assert out.count("sqlite: ") == 7
    print_media_table([])
    assert capsys.readouterr().out == ""


def test_the_rows_run_alone_with_their_options():
    done = subprocess.run([PYTHON, "-m", "bench.media_rows", "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert "--uploads" in done.stdout and "--databases" in done.stdout
