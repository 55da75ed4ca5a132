"""WXR imports run by the background worker: an upload is saved and queued, then imported.

A big export takes longer to import than a web request may last, so Tools -> Import only
saves the file under the instance folder and queues a job; the worker that sends mail
(`flask mail worker`, or the development thread) runs queued jobs between its mail passes.
The import itself stays one transaction, so its progress goes to a small file beside the
upload that the progress page reads: on SQLite another write would wait for the import.
"""

import json
import logging
import os
import time
import uuid
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from core.dbtypes import NEVER_REUSE_IDS, UTCDateTime, utcnow
from core.i18n import gettext as _
from extensions import db

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 0.5


class ImportJob(db.Model):
    """One uploaded WXR file and what became of it: queued, running, done or failed."""

    __tablename__ = "import_jobs"
    __table_args__ = (sa.Index("ix_import_jobs_status", "status", "id"), NEVER_REUSE_IDS)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    file_path: Mapped[str] = mapped_column(sa.String(500))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    bytes_total: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    orphans: Mapped[str] = mapped_column(sa.String(10), default="error")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    items_read: Mapped[int] = mapped_column(default=0)
    comments_read: Mapped[int] = mapped_column(default=0)
    # ImportReport.as_dict(): its counts, skips and warnings once done.
    report: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    error_line: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def progress(self) -> dict:
        """Bytes, items and comments read so far by the running import (from its file)."""
        try:
            return json.loads(Path(_progress_path(self.file_path)).read_text())
        except (OSError, ValueError):
            return {"bytes_read": 0, "items_read": 0, "comments_read": 0}


def queue_import(upload: FileStorage, orphans: str, user_id: int | None) -> ImportJob:
    """Save an uploaded export under the instance folder and queue its import; admins only."""
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.xml"
    upload.save(path)  # copied in chunks from Werkzeug's spooled temporary file
    job = ImportJob(
        file_path=str(path),
        filename=(upload.filename or "")[:255],
        bytes_total=path.stat().st_size,
        orphans=orphans,
        user_id=user_id,
    )
    db.session.add(job)
    db.session.commit()
    return job


def import_pass() -> str | None:
    """The worker's pass (core.worker): every queued import; a line when any ran."""
    ran = run_queued_imports()
    return _("WordPress imports run: %(num)d.", num=ran) if ran else None


def run_queued_imports() -> int:
    """Run every queued import, oldest first; the worker calls this between mail passes."""
    ran = 0
    while (job_id := _claim_next()) is not None:
        run_import(job_id)
        ran += 1
    return ran


def _claim_next() -> int | None:
    """The oldest queued job, marked running by a conditional UPDATE so that one worker runs it."""
    job_id = db.session.scalar(
        sa.select(ImportJob.id).where(ImportJob.status == "queued").order_by(ImportJob.id).limit(1)
    )
    if job_id is None:
        return None
    claimed = db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status == "queued")
        .values(status="running", started_at=utcnow())
    ).rowcount
    db.session.commit()
    return job_id if claimed else _claim_next()


def run_import(job_id: int) -> None:
    """Import one claimed job's file and record the result; the file is removed afterwards."""
    # Here, not at the top: the importer's lxml loads only in the process that runs imports.
    from wordpress.wxr.importer import import_wxr
    from wordpress.wxr.reader import WXRError

    job = db.session.get(ImportJob, job_id)
    path, orphans = job.file_path, job.orphans
    outcome: dict = {"status": "failed", "finished_at": None}
    try:
        with open(path, "rb") as source:
            report = import_wxr(source, orphans=orphans, progress=_ProgressFile(path))
        outcome.update(status="done", report=report.as_dict())
        outcome.update(items_read=report.items_read, comments_read=report.comments_read)
    except WXRError as error:
        outcome.update(error=error.reason, error_line=error.line)
    except Exception:  # the job must end as failed, whatever went wrong
        log.exception("WXR import job %s failed", job_id)
        db.session.rollback()
        outcome.update(error=_("the import stopped on an unexpected error (see the worker's log)"))
    finally:
        _remove(path)
    outcome["finished_at"] = utcnow()
    db.session.execute(sa.update(ImportJob).where(ImportJob.id == job_id).values(**outcome))
    db.session.commit()
    log.info("WXR import job %s: %s %s", job_id, outcome["status"], outcome.get("error", ""))


class _ProgressFile:
    """import_wxr's progress callback: writes what was read, at most twice a second."""

    def __init__(self, upload_path: str):
        self.path = _progress_path(upload_path)
        self.written = 0.0

    def __call__(self, position: int, report) -> None:
        now = time.monotonic()
        if now - self.written < PROGRESS_EVERY_SECONDS:
            return
        self.written = now
        state = {
            "bytes_read": position,
            "items_read": report.items_read,
            "comments_read": report.comments_read,
        }
        partial = f"{self.path}.partial"
        Path(partial).write_text(json.dumps(state))
        os.replace(partial, self.path)  # the page never reads a half-written file


def _progress_path(upload_path: str) -> str:
    return f"{upload_path}.progress"


def _remove(upload_path: str) -> None:
    for path in (upload_path, _progress_path(upload_path)):
        Path(path).unlink(missing_ok=True)
