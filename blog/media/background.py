"""Large uploads are made into their sizes by one thread per app process, right after the upload
answers; the worker's pass (core.worker) takes any a stopped process left queued."""

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app

from extensions import db

log = logging.getLogger(__name__)
_EXECUTOR = "media_executor"


def schedule(media_id: int) -> None:
    """Process the image soon in this process, when MEDIA_BACKGROUND_THREAD is on (never in tests)."""
    executor = current_app.extensions.get(_EXECUTOR)
    if executor is not None:
        executor.submit(_process_in_app, current_app._get_current_object(), media_id)


def _process_in_app(app: Flask, media_id: int) -> None:
    from blog.media.library import process

    with app.app_context():
        try:
            process(media_id)
        except Exception:
            log.exception("media %s: processing failed", media_id)
            db.session.rollback()


def init_app(app: Flask) -> None:
    if app.config["MEDIA_BACKGROUND_THREAD"] and not app.testing:
        # One at a time: a 12-megapixel photo needs tens of MB while its sizes are made.
        app.extensions[_EXECUTOR] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="media")
