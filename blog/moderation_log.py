"""The moderation log's server lines: each step's JSON line (queued by moderation.log_action in the
session) is written once the step is committed, and dropped when it is rolled back.

`init_app` attaches the two listeners to the app's own session, once however many apps share it.
"""

import logging

from flask import Flask
from sqlalchemy.orm import Session, scoped_session

from blog.moderation import PENDING_LINES
from core.db_connections import listen_once
from extensions import db

log = logging.getLogger("blog.moderation")


def init_app(app: Flask) -> None:
    """Write moderation lines on the commits of the app's session (db.session, which every app shares)."""
    listen_to(db.session)


def listen_to(session: scoped_session) -> None:
    listen_once(session, (("after_commit", write_moderation_lines), ("after_soft_rollback", drop_moderation_lines)))


def write_moderation_lines(session: Session) -> None:
    for line in session.info.pop(PENDING_LINES, []):
        log.info(line)


def drop_moderation_lines(session: Session, _previous) -> None:
    session.info.pop(PENDING_LINES, None)  # nothing happened: nothing to report
