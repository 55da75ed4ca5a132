"""Tools -> Import saves the upload and returns at once; the background worker imports it."""

import io
from pathlib import Path

import sqlalchemy as sa

from blog.models import Post
from extensions import db
from tests.support.admin import csrf_token_from, make_user
from tests.support.helpers import login_as, page_soup
from tests.support.wxr import SITE_ZONE
from tests.wordpress.test_wxr_bad_input import truncated
from wordpress.wxr.jobs import ImportJob, _claim_next, run_import, run_queued_imports

IMPORT = "/admin/tools/import"


def _owner_client(app):
    client = app.test_client()
    login_as(client, make_user(True, "Blog Owner", "owner@example.com"))
    return client


def _send(client, data: bytes):
    token = csrf_token_from(client.get(IMPORT))
    form = {"csrf_token": token, "file": (io.BytesIO(data), "export.xml")}
    return client.post(IMPORT, data=form, content_type="multipart/form-data")


def _posts() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Post))


def test_an_upload_is_queued_at_once_and_the_worker_imports_it(wxr_app, sample_bytes):
    client = _owner_client(wxr_app)
    response = _send(client, sample_bytes)
    assert response.status_code == 303
    job = db.session.scalars(sa.select(ImportJob)).one()
    assert (job.status, job.bytes_total, _posts()) == ("queued", len(sample_bytes), 0)
    assert Path(job.file_path).parent == Path(wxr_app.instance_path) / "imports"
    assert Path(job.file_path).read_bytes() == sample_bytes
    waiting = client.get(response.headers["Location"])
    assert waiting.headers["Refresh"] == "2"
    assert page_soup(waiting).select_one("meta[http-equiv=refresh]") is not None
    assert "Waiting for the background worker" in waiting.get_data(as_text=True)

    assert run_queued_imports() == 1
    db.session.expire_all()
    assert (job.status, job.items_read, _posts()) == ("done", job.items_read, 8)
    assert job.report["imported"]["posts"] == 6 and job.finished_at is not None
    assert not Path(job.file_path).exists()
    done = client.get(response.headers["Location"])
    assert "Refresh" not in done.headers
    assert page_soup(done).select_one("[data-imported=posts]").get_text() == "6"


def test_the_mail_worker_runs_queued_imports_after_the_mail(wxr_app, sample_bytes):
    _send(_owner_client(wxr_app), sample_bytes)
    result = wxr_app.test_cli_runner().invoke(args=["mail", "send"])  # cron's entry to the worker's passes
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["Mail: 0 sent, 0 to retry, 0 failed.", "WordPress imports run: 1."]
    assert _posts() == 8


def test_a_running_import_shows_its_progress_and_reloads(wxr_app, sample_bytes):
    client = _owner_client(wxr_app)
    location = _send(client, sample_bytes).headers["Location"]
    job_id = _claim_next()  # as the worker does before it starts reading
    running = client.get(location)
    assert running.headers["Refresh"] == "2"
    assert page_soup(running).select_one("[data-status=running] progress") is not None
    run_import(job_id)
    assert "All done." in client.get(location).get_data(as_text=True)


def test_a_file_that_cannot_be_read_ends_as_a_failed_job_naming_its_line(wxr_app, sample_bytes):
    client = _owner_client(wxr_app)
    data, line, _ = truncated(sample_bytes)
    location = _send(client, data).headers["Location"]
    run_queued_imports()
    job = db.session.scalars(sa.select(ImportJob)).one()
    assert (job.status, job.error_line, _posts()) == ("failed", line, 0)
    text = " ".join(page_soup(client.get(location)).select_one("[data-status=failed]").text.split())
    assert f"line {line}:" in text and "Nothing was imported." in text


def test_an_unknown_job_is_a_404(wxr_app):
    assert _owner_client(wxr_app).get(f"{IMPORT}/4242").status_code == 404


def test_the_import_keeps_its_own_upload_limit_under_a_small_global_one(app_factory, sample_bytes):
    app = app_factory(BLOG_TIMEZONE=SITE_ZONE, MAX_CONTENT_LENGTH=1_000_000)
    big = sample_bytes.replace(b"<channel>", b"<channel><!--" + b" " * 1_500_000 + b"-->", 1)
    with app.app_context():
        client = _owner_client(app)
        assert _send(client, big).status_code == 303
        run_queued_imports()
        assert _posts() == 8
