"""The media library: uploaded images, their sizes, and where their files are kept."""

import uuid

from flask import Flask

from core.worker import add_pass


def init_app(app: Flask) -> None:
    """Storage, the background processor and the worker's pass for queued images."""
    from blog.media import background, csp, library, storage

    storage.init_app(app)
    csp.init_app(app)
    background.init_app(app)
    app.extensions["media_app_key"] = uuid.uuid4().hex
    add_pass(app, library.process_queued)
