"""The Mail screen: the outbox with Retry (a failed mail delivered once the server is back), the
failing addresses and Clear, the settings at a glance, "Send a test email", who may open it, and the
dashboard's notice when mail has been failing for over an hour. Real SMTP servers on 127.0.0.1."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from auth.roles import AUTHOR, EDITOR
from core.dbtypes import utcnow
from extensions import db
from notify.models import MailAddress, OutboxMessage
from notify.sender import run_pass
from tests.support.admin import client_as, csrf_token_from, make_user, staff_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, query_plan, statements_during
from tests.support.mail import MailSink
from tests.support.servers import free_port

SCREEN = "/admin/mail"


@pytest.fixture
def sink():
    sink = MailSink(free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture
def site(app_factory, sink):
    """The blog, sending to `sink`, giving each mail one try (MAIL_MAX_ATTEMPTS=1)."""
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_MAX_ATTEMPTS=1)
    with app.app_context():
        yield app


@pytest.fixture
def owner(site):
    return make_user(True, "Blog Owner", "owner@example.com")


@pytest.fixture
def owner_client(site, owner):
    return client_as(site, owner)


def queue(to: str = "reader@example.com", subject: str = "New reply to your comment", **fields) -> OutboxMessage:
    message = OutboxMessage(to_addr=to, subject=subject, body_text="Someone answered you.", **fields)
    db.session.add(message)
    db.session.commit()
    return message


def bounced(email: str, count: int, **fields) -> MailAddress:
    now = utcnow()
    values = {"first_bounce_at": now - timedelta(days=2), "last_bounce_at": now, "last_status": "5.1.1",
              "last_diagnostic": "smtp; 550 5.1.1 No such user here"}
    address = MailAddress(email=email, bounce_count=count, **(values | fields))
    db.session.add(address)
    db.session.commit()
    return address


def reloaded(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def rows(response, selector: str = "tr.mail-row") -> list[str]:
    return [" ".join(row.get_text(" ", strip=True).split()) for row in page_soup(response).select(selector)]


def press(client, response, button: str, row_text: str):
    """Press the button of the row that shows `row_text`, with the CSRF token its form carries."""
    for row in page_soup(response).select("tr"):
        for form in row.select("form") if row_text in row.get_text(" ", strip=True) else ():
            if form.button.get_text(" ", strip=True).startswith(button):
                data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
                return client.post(form["action"], data=data)
    raise AssertionError(f"no row shows {row_text!r} with a {button} button")


def notice(client) -> str:
    found = page_soup(client.get("/admin/")).select_one(".mail-failing-notice")
    return " ".join(found.get_text(" ", strip=True).split()) if found else ""


def test_a_failed_mail_shows_on_the_screen_and_retry_delivers_it_once_the_server_is_back(site, owner_client, sink):
    sink.stop()
    message = queue()
    assert run_pass().failed == 1
    failed = owner_client.get(SCREEN + "?status=failed")
    [shown] = rows(failed)
    assert shown.startswith("reader@example.com New reply to your comment failed 1 ")
    assert "ConnectionRefusedError" in shown and "Retry" in shown

    back = MailSink(sink.port).start()
    try:
        response = press(owner_client, failed, "Retry", "reader@example.com")
        assert response.status_code == 303 and response.headers["Location"] == SCREEN + "?status=failed"
        assert "is queued again" in owner_client.get(SCREEN).get_data(as_text=True)
        row = reloaded(OutboxMessage, message.id)
        assert (row.status, row.attempts) == ("pending", 0) and row.next_attempt_at <= utcnow()
        assert "ConnectionRefusedError" in row.last_error  # why it failed stays visible until the next try
        assert run_pass().sent == 1
        run_pass()
        assert [m["To"] for m in back.messages] == ["reader@example.com"]  # delivered, and once
    finally:
        back.stop()
    row = reloaded(OutboxMessage, message.id)
    assert (row.status, row.attempts) == ("sent", 1) and row.sent_at is not None
    assert rows(owner_client.get(SCREEN + "?status=sent"))[0].startswith("reader@example.com New reply")


def test_the_outbox_lists_newest_first_with_a_count_for_each_status(site, owner_client):
    queue("old@example.com", status="sent", attempts=1, sent_at=utcnow())
    queue("waiting@example.com")
    queue("broken@example.com", status="failed", attempts=6, last_error="SMTPServerDisconnected: gone")
    response = owner_client.get(SCREEN)
    assert [row.split()[0] for row in rows(response)] == ["broken@example.com", "waiting@example.com",
                                                          "old@example.com"]
    filters = [" ".join(a.get_text(" ", strip=True).split()) for a in page_soup(response).select(".mail-filter a")]
    assert filters == ["All (3)", "Pending (1)", "Sent (1)", "Failed (1)"]
    assert [row.split()[0] for row in rows(owner_client.get(SCREEN + "?status=pending"))] == ["waiting@example.com"]
    assert owner_client.get(SCREEN + "?status=nope").status_code == 404


def test_retry_is_offered_on_failed_mail_and_on_pending_mail_that_failed_before(site, owner_client):
    queue("never-tried@example.com")
    queue("retrying@example.com", attempts=2, last_error="TimeoutError: timed out")
    queue("failed@example.com", status="failed", attempts=1, last_error="SMTPRecipientsRefused")
    queue("sent@example.com", status="sent", attempts=1, sent_at=utcnow())
    offered = {row.split()[0]: "Retry" in row for row in rows(owner_client.get(SCREEN))}
    assert offered == {"never-tried@example.com": False, "retrying@example.com": True, "failed@example.com": True,
                       "sent@example.com": False}


def test_a_long_error_is_cut_short_with_the_whole_text_a_click_away_and_escaped(site, owner_client):
    error = "SMTPDataError: (554, b'<script>alert(1)</script> " + "message refused " * 20 + "end of reply')"
    queue(status="failed", attempts=1, last_error=error)
    response = owner_client.get(SCREEN)
    details = page_soup(response).select_one("tr.mail-row .error-cell details")
    assert details.summary.get_text().endswith("…") and len(details.summary.get_text()) == 81
    assert details.get_text().endswith("end of reply')")
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_the_outbox_pages_fifty_mails_at_a_time(site, owner_client):
    db.session.add_all(OutboxMessage(to_addr=f"r{n}@example.com", subject="Hi", body_text="x") for n in range(55))
    db.session.commit()
    first, second = owner_client.get(SCREEN), owner_client.get(SCREEN + "?paged=2")
    assert len(rows(first)) == 50 and len(rows(second)) == 5
    assert rows(first)[0].startswith("r54@example.com") and rows(second)[-1].startswith("r0@example.com")
    assert owner_client.get(SCREEN + "?paged=99999999999999").status_code == 200


def test_retry_of_a_mail_that_did_not_fail_changes_nothing(site, owner_client):
    message = queue(status="sent", attempts=1, sent_at=utcnow())
    token = csrf_token_from(owner_client.get(SCREEN))
    response = owner_client.post(f"{SCREEN}/retry/{message.id}", data={"csrf_token": token})
    assert response.status_code == 303
    assert reloaded(OutboxMessage, message.id).status == "sent"
    assert "Only a mail that failed can be retried." in owner_client.get(SCREEN).get_data(as_text=True)


def test_retry_of_a_missing_mail_is_not_found(site, owner_client):
    token = csrf_token_from(owner_client.get(SCREEN))
    assert owner_client.post(f"{SCREEN}/retry/999", data={"csrf_token": token}).status_code == 404
    assert owner_client.post(f"{SCREEN}/addresses/999/clear", data={"csrf_token": token}).status_code == 404


def test_retry_without_a_csrf_token_is_refused(site, owner_client):
    message = queue(status="failed", attempts=1, last_error="boom")
    assert owner_client.post(f"{SCREEN}/retry/{message.id}").status_code == 400
    assert reloaded(OutboxMessage, message.id).status == "failed"


def test_mail_to_a_stopped_address_is_not_retried_until_the_address_is_cleared(site, owner_client, sink):
    bounced("gone@example.com", 3)
    message = queue("gone@example.com")
    run_pass()
    assert sink.messages == []
    screen = owner_client.get(SCREEN)
    [shown] = rows(screen)
    assert "stopped" in shown and "Not sent: gone@example.com bounced 3 times" in shown

    response = press(owner_client, screen, "Retry", "gone@example.com")
    assert response.status_code == 303
    flashed = owner_client.get(SCREEN).get_data(as_text=True)
    assert "Not queued: gone@example.com has bounced 3 times" in flashed and "clear it under Failing" in flashed
    assert reloaded(OutboxMessage, message.id).status == "failed"

    screen = owner_client.get(SCREEN)
    assert press(owner_client, screen, "Clear", "gone@example.com").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailAddress)) == 0
    screen = owner_client.get(SCREEN)
    assert "Mail to gone@example.com will be sent again" in screen.get_data(as_text=True)
    assert "stopped" not in rows(screen)[0]
    press(owner_client, screen, "Retry", "gone@example.com")
    run_pass()
    assert [m["To"] for m in sink.messages] == ["gone@example.com"]
    assert reloaded(OutboxMessage, message.id).status == "sent"


def test_failing_addresses_show_their_bounces_and_a_stopped_badge_at_the_limit(site, owner_client):
    bounced("flaky@example.com", 1, last_status="4.2.2", last_diagnostic="smtp; 452 Mailbox full")
    bounced("gone@example.com", 3)
    bounced("fine@example.com", 0)
    shown = rows(owner_client.get(SCREEN), "tr.mail-address-row")
    assert len(shown) == 2
    [gone] = [row for row in shown if row.startswith("gone@example.com")]
    [flaky] = [row for row in shown if row.startswith("flaky@example.com")]
    assert gone.startswith("gone@example.com stopped 3 ") and "5.1.1 smtp; 550 5.1.1 No such user here" in gone
    assert flaky.startswith("flaky@example.com 1 ") and "4.2.2 smtp; 452 Mailbox full" in flaky
    assert "stopped" not in flaky and "Clear" in flaky


def test_the_settings_at_a_glance_show_the_mail_setup_and_never_a_password(app_factory, sink):
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_USERNAME="sam",
                      MAIL_PASSWORD="smtp-secret-word", MAIL_IMAP_HOST="127.0.0.1", MAIL_IMAP_PORT=1993,
                      MAIL_IMAP_PASSWORD="imap-secret-word", MAIL_REPLY_ADDRESS="reply@blog.example")
    with app.app_context():
        client = client_as(app, make_user(True, "Blog Owner", "owner@example.com"))
        response = client.get(SCREEN)
    settings = dict(zip([th.get_text(strip=True) for th in page_soup(response).select(".mail-settings th")],
                        [td.get_text(strip=True) for td in page_soup(response).select(".mail-settings td")],
                        strict=True))
    assert settings["Mail server"] == f"127.0.0.1:{sink.port}" and settings["Log-in"] == "sam"
    assert settings["Encryption"] == "None (MAIL_USE_TLS is off)"
    assert settings["Sender"] == "Career Notes <blog@example.com>"
    assert settings["Reply address"] == "reply@blog.example"
    assert settings["Mailbox polled (IMAP)"] == "127.0.0.1:1993"
    page = response.get_data(as_text=True)
    assert "smtp-secret-word" not in page and "imap-secret-word" not in page


def test_the_settings_say_when_two_way_mail_is_off(site, owner_client):
    settings = [td.get_text(strip=True) for td in page_soup(owner_client.get(SCREEN)).select(".mail-settings td")]
    assert "Two-way mail is off" in settings


def test_the_test_email_form_offers_ones_own_address(site, owner_client):
    field = page_soup(owner_client.get(SCREEN)).select_one(".mail-test-form input[name=email]")
    assert field["value"] == "owner@example.com"


def send_test(client, address: str):
    token = csrf_token_from(client.get(SCREEN))
    return client.post(f"{SCREEN}/test", data={"csrf_token": token, "email": address})


def report_of(response) -> tuple[str, list[str]]:
    report = page_soup(response).select_one(".mail-test-report")
    return " ".join(report.get_text(" ", strip=True).split()), [li.get_text() for li in report.select("li")]


def test_a_test_email_is_sent_and_the_screen_shows_each_step(site, owner_client, sink):
    response = send_test(owner_client, "ada@example.com")
    assert response.status_code == 200
    text, steps = report_of(response)
    assert text.startswith("The test email was sent: the mail server accepted it.")
    assert steps[-3:] == ["RCPT TO:<ada@example.com>: 250 OK", "DATA: 250 Message accepted for delivery",
                          "QUIT: 221 Bye"]
    [received] = sink.messages
    assert received["To"] == "ada@example.com" and received["Subject"] == "Test email from Career Notes"


def test_a_test_email_to_a_server_that_is_down_answers_502_with_what_went_wrong(site, owner_client, sink):
    sink.stop()
    response = send_test(owner_client, "ada@example.com")
    assert response.status_code == 502
    text, steps = report_of(response)
    assert text.startswith("The test email could not be sent. Could not connect to the mail server at 127.0.0.1:")
    assert "the connection was refused" in text and steps == []


def test_a_test_email_refused_at_rcpt_answers_502_with_the_servers_550(site, owner_client, sink):
    response = send_test(owner_client, "rejected@example.com")
    assert response.status_code == 502
    text, steps = report_of(response)
    assert "The mail server refused the recipient rejected@example.com. It answered: 550 5.1.1 No such user" in text
    assert "RCPT TO:<rejected@example.com>: 550 5.1.1 No such user here" in steps
    assert sink.messages == []


@pytest.mark.parametrize("address", ["", "not an address", "ada@", "<ada@example.com>\r\nBcc: x@example.com"])
def test_a_test_email_to_a_bad_address_is_refused_with_400_and_nothing_is_sent(site, owner_client, sink, address):
    response = send_test(owner_client, address)
    assert response.status_code == 400
    assert page_soup(response).select_one(".field-email .field-error").get_text()
    assert page_soup(response).select_one(".mail-test-report") is None and sink.messages == []


def test_a_test_email_without_a_mail_server_says_mail_is_not_configured(app_factory):
    app = app_factory(MAIL_SERVER=None)
    with app.app_context():
        client = client_as(app, make_user(True, "Blog Owner", "owner@example.com"))
        response = send_test(client, "ada@example.com")
    assert response.status_code == 503
    assert "Mail is not configured: set MAIL_SERVER" in report_of(response)[0]


def test_test_emails_are_limited_to_ten_a_minute_per_account(site, owner_client, sink):
    token = csrf_token_from(owner_client.get(SCREEN))
    statuses = [owner_client.post(f"{SCREEN}/test", data={"csrf_token": token, "email": "ada@example.com"}).status_code
                for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    assert len(sink.messages) == 10


ROUTES = [("GET", SCREEN), ("POST", f"{SCREEN}/retry/1"), ("POST", f"{SCREEN}/addresses/1/clear"),
          ("POST", f"{SCREEN}/test")]


@pytest.mark.parametrize("role", [EDITOR, AUTHOR])
def test_editors_and_authors_may_not_open_the_screen_nor_press_its_buttons(site, sink, role):
    queue(status="failed", attempts=1, last_error="boom")
    bounced("gone@example.com", 3)
    client = client_as(site, staff_user(role))
    token = csrf_token_from(client.get("/admin/"))
    for method, url in ROUTES:
        data = {"csrf_token": token, "email": "ada@example.com"} if method == "POST" else None
        assert client.open(url, method=method, data=data).status_code == 403, url
    assert reloaded(OutboxMessage, 1).status == "failed" and db.session.get(MailAddress, 1) is not None
    assert sink.messages == []
    assert 'href="/admin/mail"' not in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_visitors_who_are_not_logged_in_are_sent_to_log_in(site, method, url):
    client = site.test_client()
    data = {"csrf_token": csrf_token_from(client.get("/login"))} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_the_menu_shows_mail_to_administrators(site, owner_client):
    link = page_soup(owner_client.get("/admin/")).select_one('.admin-menu a[href="/admin/mail"]')
    assert link.get_text(strip=True) == "Mail"


def test_the_dashboard_tells_administrators_when_mail_has_failed_for_over_an_hour(site, owner_client):
    message = queue(attempts=2, last_error="ConnectionRefusedError", created_at=utcnow() - timedelta(minutes=70))
    shown = notice(owner_client)
    assert shown.startswith("Mail has been failing for over an hour.")
    link = page_soup(owner_client.get("/admin/")).select_one(".mail-failing-notice a")
    assert link["href"] == SCREEN
    editor = client_as(site, staff_user(EDITOR))
    assert notice(editor) == ""  # not theirs to mend

    queue("other@example.com", status="sent", attempts=1, sent_at=utcnow() - timedelta(minutes=5))
    assert notice(owner_client) == ""  # mail gets through again
    db.session.delete(db.session.get(OutboxMessage, message.id))
    db.session.commit()
    assert notice(owner_client) == ""


@pytest.mark.parametrize(("what", "fields", "shown"), [
    ("retried for 70 minutes", {"attempts": 2, "created": 70}, True),
    ("retried for 50 minutes", {"attempts": 2, "created": 50}, False),
    ("never tried yet", {"attempts": 0, "created": 70}, False),
    ("failed after every try, lately", {"status": "failed", "attempts": 1, "created": 90, "tried": 20}, True),
    ("failed after every try, days ago", {"status": "failed", "attempts": 1, "created": 4000, "tried": 3000}, False),
    ("refused at once for that address", {"status": "failed", "attempts": 1, "created": 90, "tried": 20,
                                          "max_attempts": 3}, False),
    ("stopped address, never tried", {"status": "failed", "attempts": 0, "created": 90, "tried": 20}, False),
])
def test_the_mail_notice_holds_only_for_mail_the_server_keeps_failing(app_factory, sink, what, fields, shown):
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_MAX_ATTEMPTS=fields.get("max_attempts", 1))
    with app.app_context():
        now = utcnow()
        queue(status=fields.get("status", "pending"), attempts=fields["attempts"], last_error="boom",
              created_at=now - timedelta(minutes=fields["created"]),
              next_attempt_at=now - timedelta(minutes=fields.get("tried", 1)))
        client = client_as(app, make_user(True, "Blog Owner", "owner@example.com"))
        assert bool(notice(client)) is shown, what


def test_the_mail_notice_finds_stuck_mail_through_the_outbox_index(site, owner_client):
    # A blog's outbox: thousands of mails sent, a few waiting; statistics gathered (ANALYZE), as a DBA does.
    long_ago = utcnow() - timedelta(days=30)
    db.session.execute(sa.insert(OutboxMessage), [
        {"to_addr": f"r{n}@example.com", "subject": "Hi", "body_text": "x", "status": "sent", "attempts": 1,
         "created_at": long_ago, "next_attempt_at": long_ago, "sent_at": long_ago} for n in range(3000)])
    queue("waiting@example.com")
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    statements = statements_during(site, lambda: owner_client.get("/admin/"))
    [notice_query] = [(s, p) for s, p in statements if "FROM outbox" in s]
    plan = query_plan(*notice_query)
    # The mail still being retried, or that failed lately: looked up in the index on every dashboard
    # view. The mail sent within the hour is asked for only when there is such mail.
    stuck_parts = [part.split("InitPlan 2")[0].split("SCALAR SUBQUERY 2")[0]
                   for part in plan.split("Result ")]
    # Either of the outbox's (status, …) indexes serves; the planner picks by its statistics.
    assert all("ix_outbox_due" in part or "ix_outbox_sent" in part for part in stuck_parts if part.strip()), plan
    assert not any("SCAN outbox" in part or "Seq Scan on outbox" in part for part in stuck_parts), plan


def test_the_mail_screen_lists_mail_received_with_its_outcome(site, owner_client):
    from notify.models import InboundMail

    comment_post = make_post()
    comment = make_comment(comment_post)
    db.session.add_all([
        InboundMail(from_addr="rae@example.com", subject="Re: <b>New</b> comment", kind="reply", outcome="comment",
                    detail=f"comment {comment.id} (approved)", spf="pass", dkim="pass", comment_id=comment.id),
        InboundMail(from_addr="away@example.com", subject="Out of Office", kind="reply", outcome="dropped",
                    detail="automatic message (Auto-Submitted: auto-replied)"),
    ])
    db.session.commit()
    response = owner_client.get("/admin/mail")
    page = response.get_data(as_text=True)
    received = page_soup(response).select("tr.mail-received-row")
    assert [row["class"][1] for row in received] == ["outcome-dropped", "outcome-comment"]  # newest first
    assert "Auto-Submitted" in received[0].get_text() and "pass / pass" in received[1].get_text()
    assert received[1].select_one(f'a[href="/admin/comments/{comment.id}/edit"]')
    assert "<b>New</b>" not in page  # escaped


def test_the_mail_screen_runs_as_many_statements_however_many_rows(site, owner_client):
    """Its query budget: no statement per mail, address or received mail."""
    from notify.models import InboundMail

    counts = []
    for size in (2, 30):
        for n in range(size):
            queue(to=f"reader{size}-{n}@example.com", status="failed", attempts=6, last_error="550 no such user")
            bounced(f"gone{size}-{n}@example.com", 3)
            db.session.add(InboundMail(from_addr=f"r{n}@example.com", kind="reply", outcome="dropped"))
        db.session.commit()
        responses = []
        counts.append(len(statements_during(site, lambda seen=responses: seen.append(owner_client.get(SCREEN)))))
        assert responses[0].status_code == 200
    assert counts[0] == counts[1] <= 9, counts
