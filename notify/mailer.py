"""Writing mail: render a template pair and put the message in the outbox of this transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from jinja2 import Environment

from core.dbtypes import utcnow
from extensions import db
from notify.models import OutboxMessage

_inside_site_links: ContextVar[bool] = ContextVar("inside_site_links", default=False)
# Every mail the blog sends is automatic (RFC 3834): vacation responders do not answer it.
AUTOMATIC = {"Auto-Submitted": "auto-generated"}


@contextmanager
def site_links() -> Iterator[None]:
    """A request context on SITE_URL, so that links in mails never come from a Host header.

    It also lets the worker, which has no request, build the same links with url_for.
    """
    if _inside_site_links.get():
        yield
        return
    reset = _inside_site_links.set(True)
    try:
        with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
            yield
    finally:
        _inside_site_links.reset(reset)


def enqueue(
    to: str,
    subject: str,
    template_name: str,
    *,
    unsubscribe_url: str | None = None,
    reply_to: str | None = None,
    send_after: datetime | None = None,
    **context,
) -> OutboxMessage:
    """Add a mail to the current session without committing, so it rides the caller's transaction.

    Bodies come from templates/notify/mail/<template_name>.txt and .html; an unsubscribe_url adds
    the one-click List-Unsubscribe headers (RFC 8058) and is given to the templates, as is a
    reply_to (notify.reply_addresses), which becomes the Reply-To header.

    Call it inside core.i18n.in_language(the recipient's language), subject included: a mail is in
    its recipient's language, whoever's request writes it.
    """
    subject = one_line(subject)
    body_text, body_html = render_bodies(template_name, context | {"subject": subject,
                                                                   "unsubscribe_url": unsubscribe_url,
                                                                   "reply_to": reply_to})
    headers = dict(AUTOMATIC)
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if reply_to:
        headers["Reply-To"] = reply_to
    message = OutboxMessage(
        to_addr=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers,
        next_attempt_at=max(send_after, utcnow()) if send_after else utcnow(),
    )
    db.session.add(message)
    return message


class LaterMails:
    """The INSERT…SELECT that queues a mail to each (address, language) a SELECT returns, for
    enqueue_later.

    Built once, at import: building the statement costs more than running it, and one statement
    queues the mail for every recipient, where a query and an INSERT each would take a round trip more.
    """

    # What every such mail starts with, written into the statement itself.
    _FIXED = {"body_text": "", "body_html": "", "headers": AUTOMATIC, "status": "pending", "attempts": 0,
              "last_error": ""}

    def __init__(self, recipients: sa.Select):
        table = OutboxMessage.__table__
        given = [sa.bindparam(name, type_=table.c[name].type)
                 for name in ("subject", "template", "template_data", "next_attempt_at")]
        created_at = sa.bindparam("next_attempt_at", type_=table.c.created_at.type)  # due as soon as written
        fixed = [sa.literal(value, type_=table.c[name].type) for name, value in self._FIXED.items()]
        self.statement = sa.insert(table).from_select(
            ["to_addr", "language", "subject", "template", "template_data", "next_attempt_at", "created_at",
             *self._FIXED],
            recipients.add_columns(*given, created_at, *fixed))


def enqueue_later(recipients: LaterMails, subject: str, template_name: str, data: dict, **recipient_filter) -> None:
    """Queue a mail to each of `recipients` (their SELECT's parameters in recipient_filter); the
    sender writes the bodies (notify.sender.write_bodies) from the JSON data.

    For mails a reader's request causes: the rows still go in with the caller's transaction, so no
    mail is lost, but the request pays for one INSERT, not for rendering and signing links.
    """
    db.session.execute(recipients.statement, recipient_filter | {
        "subject": one_line(subject), "template": template_name, "template_data": data, "next_attempt_at": utcnow()})


def render_bodies(template_name: str, context: dict) -> tuple[str, str]:
    """The text and HTML bodies of templates/notify/mail/<template_name>, with links on SITE_URL."""
    with site_links():
        text = _plain_text_templates().get_template(f"notify/mail/{template_name}.txt")
        return (render_template(text, **context),
                render_template(f"notify/mail/{template_name}.html", **context))


def _plain_text_templates() -> Environment:
    """The current Jinja environment (the mail's language: core.translated_templates) without
    trim_blocks and lstrip_blocks, which the HTML pages use.

    In plain text every newline is content: the text mails read as they are written.
    """
    environments = current_app.extensions.setdefault("notify.plain_text_templates", {})
    html = current_app.jinja_env
    env = environments.get(html)
    if env is None:
        # Its own cache: a shared one would hand back templates compiled with the trimming.
        env = environments[html] = html.overlay(trim_blocks=False, lstrip_blocks=False, cache_size=50)
    return env


def one_line(subject: str) -> str:
    return " ".join(subject.split())[:300]  # a newline would inject headers


def normalize_email(email: str | None) -> str:
    return (email or "").strip().lower()
