"""The Mail screen (Administrators): the outbox with Retry, the addresses that bounce, the mail
received, the mail settings at a glance, and "Send a test email", which reports the SMTP conversation."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp, requires
from admin.forms import ActionForm, safe_next
from admin.mail_forms import MailTestForm
from admin.mail_queries import (
    STATUSES,
    failing_addresses,
    outbox_query,
    received_mail,
    status_counts,
    stopped_among,
)
from auth.roles import MANAGE_OPTIONS
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db, limiter
from notify import reply_addresses
from notify.mail_check import TestMailReport, send_test_mail
from notify.models import MailAddress, OutboxMessage
from notify.sender import stopped_address

PER_PAGE = 50
MAX_PAGE = 100_000  # past any real list: keeps the offset a small number for the database
TEST_MAIL_LIMIT = "10 per minute"  # per account: each test is a mail sent to an address of one's choice


def _tester_key() -> str:
    return f"mail-test:{current_user.get_id()}"


@bp.get("/mail")
@requires(MANAGE_OPTIONS)
def mail():
    """The Mail screen: the outbox filtered by status, newest first, 50 a page."""
    return _screen(MailTestForm(data={"email": current_user.email or ""}))


@bp.post("/mail/retry/<int:message_id>")
@requires(MANAGE_OPTIONS)
def mail_retry(message_id: int):
    """Make a failed mail (or one still being retried) due now, with a full set of tries."""
    form = ActionForm()
    message = db.get_or_404(OutboxMessage, message_id)
    back = safe_next(form.next.data, url_for("admin.mail"))
    stopped = stopped_address(message.to_addr)
    if message.status == "sent" or (message.status == "pending" and not message.attempts):
        flash(_("Only a mail that failed can be retried."), "error")
    elif stopped is not None:
        flash(ngettext("Not queued: %(email)s has bounced %(num)d time, so no mail is sent to it. If it works "
                       "again, clear it under Failing addresses, then retry.",
                       "Not queued: %(email)s has bounced %(num)d times, so no mail is sent to it. If it works "
                       "again, clear it under Failing addresses, then retry.",
                       stopped.bounce_count, email=stopped.email), "error")
    else:
        # The worker's backoff and MAIL_MAX_ATTEMPTS count from zero again: the retry comes after the
        # fault was mended, and deserves every try a new mail gets. The last error stays on the screen
        # until the next try replaces it.
        message.status, message.attempts, message.next_attempt_at = "pending", 0, utcnow()
        db.session.commit()
        flash(_("The mail to %(email)s is queued again: the worker sends it on its next pass.",
                email=message.to_addr), "success")
    return redirect(back, 303)


@bp.post("/mail/addresses/<int:address_id>/clear")
@requires(MANAGE_OPTIONS)
def mail_address_clear(address_id: int):
    """Forget an address's bounces, so that mail to it is sent again."""
    form = ActionForm()
    address = db.get_or_404(MailAddress, address_id)
    db.session.delete(address)
    db.session.commit()
    flash(_("Mail to %(email)s will be sent again; mails stopped before can be retried in the outbox.",
            email=address.email), "success")
    return redirect(safe_next(form.next.data, url_for("admin.mail")), 303)


@bp.post("/mail/test")
@requires(MANAGE_OPTIONS)
@limiter.limit(TEST_MAIL_LIMIT, key_func=_tester_key)
def mail_test():
    """Send a test email now and show how the conversation with the mail server went."""
    form = MailTestForm()
    if not form.validate_on_submit():
        return _screen(form), 400
    report = send_test_mail(form.email.data)
    return _screen(form, report), 200 if report.ok else 502 if report.configured else 503


def _screen(test_form: MailTestForm, report: TestMailReport | None = None):
    """The screen with the outbox filter the query string names, and the test form (and its report)."""
    status = request.args.get("status", "all")
    if status not in STATUSES:
        abort(404)
    page = db.paginate(outbox_query(status), page=min(max(request.args.get("paged", 1, type=int), 1), MAX_PAGE),
                       per_page=PER_PAGE, error_out=False)
    addresses, address_total = failing_addresses()
    return render_template(
        "admin/mail_screen.html", status=status, statuses=STATUSES, counts=status_counts(), page=page,
        stopped=stopped_among({m.to_addr for m in page.items}), addresses=addresses, address_total=address_total,
        received=received_mail(), two_way=reply_addresses.enabled(),
        bounce_limit=current_app.config["MAIL_BOUNCE_LIMIT"], settings=_settings(), test_form=test_form,
        report=report, here=request.full_path.rstrip("?") if request.method == "GET" else url_for("admin.mail"))


def _settings() -> list[tuple[str, str]]:
    """The mail configuration as the screen shows it (read-only; never a password)."""
    config = current_app.config
    imap = config["MAIL_IMAP_HOST"]
    return [
        (_("Mail server"), f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}" if config["MAIL_SERVER"]
         else _("Not configured (MAIL_SERVER): mail stays in the outbox")),
        (_("Encryption"), "STARTTLS" if config["MAIL_USE_TLS"] else _("None (MAIL_USE_TLS is off)")),
        (_("Log-in"), config["MAIL_USERNAME"] or _("None")),
        (_("Sender"), config["MAIL_DEFAULT_SENDER"] or "—"),
        (_("Reply address"), config["MAIL_REPLY_ADDRESS"] if reply_addresses.enabled() else _("Two-way mail is off")),
        (_("Mailbox polled (IMAP)"), f"{imap}:{config['MAIL_IMAP_PORT']}" if imap else _("None")),
        (_("Tries per mail"), str(config["MAIL_MAX_ATTEMPTS"])),
        (_("Bounces before an address is stopped"), str(config["MAIL_BOUNCE_LIMIT"])),
    ]
