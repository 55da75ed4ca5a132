"""notify.mail_check.send_test_mail: one mail sent right now, and the SMTP conversation reported step
by step, against real SMTP servers on 127.0.0.1 (and a port that refuses, and one that never answers)."""

import ipaddress
import socket
import ssl
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from extensions import db
from notify.mail_check import send_test_mail
from notify.models import OutboxMessage
from tests.support.mail import MailSink, text_of
from tests.support.servers import free_port

PASSWORD = "correct horse battery staple"


class LogInSink(MailSink):
    """A MailSink that offers AUTH (without TLS, on 127.0.0.1 only) and knows one account."""

    def start(self) -> "LogInSink":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="127.0.0.1",
                                     authenticator=self.authenticate, auth_require_tls=False)
        self.controller.start()
        return self

    @staticmethod
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == (b"sam", PASSWORD.encode())
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535


@pytest.fixture
def mail_site(app_factory):
    """Build an app with these mail settings, its context pushed for the test."""
    contexts = []

    def build(**config):
        app = app_factory(**config)
        contexts.append(app.app_context())
        contexts[-1].push()
        return app

    yield build
    for context in reversed(contexts):
        context.pop()


def test_a_test_email_arrives_and_every_step_shows_the_servers_reply(mail_site, smtp_server):
    mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    report = send_test_mail("ada@example.com")
    assert report.ok and report.error == ""
    [received] = smtp_server.messages
    assert received["To"] == "ada@example.com" and received["Subject"] == "Test email from Career Notes"
    assert received["From"] == "Career Notes <blog@example.com>"
    assert "test email from Career Notes" in text_of(received)
    assert report.steps[0].startswith(f"Connected to 127.0.0.1:{smtp_server.port}: 220 ")
    assert report.steps[1:] == ["EHLO: 250 127.0.0.1", "MAIL FROM:<blog@example.com>: 250 OK",
                                "RCPT TO:<ada@example.com>: 250 OK", "DATA: 250 Message accepted for delivery",
                                "QUIT: 221 Bye"]


def test_a_test_email_does_not_go_through_the_outbox(mail_site, smtp_server):
    mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    assert send_test_mail("ada@example.com").ok
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_a_server_that_is_down_is_reported_as_a_refused_connection(mail_site):
    port = free_port()  # nothing listens here
    mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    report = send_test_mail("ada@example.com")
    assert not report.ok and report.steps == []
    assert report.error.startswith(f"Could not connect to the mail server at 127.0.0.1:{port}: the connection "
                                   "was refused.")
    assert "MAIL_SERVER and MAIL_PORT" in report.error


def test_a_recipient_refused_at_rcpt_is_reported_with_the_servers_550(mail_site, smtp_server):
    mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    report = send_test_mail("rejected@example.com")
    assert not report.ok and smtp_server.messages == []
    assert report.error == ("The mail server refused the recipient rejected@example.com. It answered: "
                            "550 5.1.1 No such user here")
    assert report.steps[-2:] == ["RCPT TO:<rejected@example.com>: 550 5.1.1 No such user here", "QUIT: 221 Bye"]
    assert not any(step.startswith("DATA") for step in report.steps)


def test_without_a_mail_server_nothing_is_tried_and_the_report_says_so(mail_site):
    mail_site(MAIL_SERVER=None)
    report = send_test_mail("ada@example.com")
    assert not report.ok and not report.configured and report.steps == []
    assert report.error.startswith("Mail is not configured: set MAIL_SERVER")


def test_a_server_that_never_answers_is_reported_after_the_timeout(mail_site):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # the connection is made, but nobody ever greets it
    port = silent.getsockname()[1]
    try:
        mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=0.3)
        report = send_test_mail("ada@example.com")
    finally:
        silent.close()
    assert not report.ok and report.steps == []
    assert report.error == f"The mail server at 127.0.0.1:{port} did not answer within 0.3 seconds (MAIL_TIMEOUT)."


def test_starttls_that_the_server_does_not_offer_stops_before_any_password_is_sent(mail_site, smtp_server):
    mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_USE_TLS=True, MAIL_USERNAME="sam",
              MAIL_PASSWORD=PASSWORD)
    report = send_test_mail("ada@example.com")
    assert not report.ok and smtp_server.messages == []
    assert report.error.startswith("The mail server does not offer what the settings ask for (MAIL_USE_TLS")
    assert "STARTTLS" in report.error
    assert not any("Logged in" in step for step in report.steps)


def test_a_refused_log_in_is_reported_without_the_password(mail_site):
    sink = LogInSink(free_port()).start()
    try:
        mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_USERNAME="sam", MAIL_PASSWORD="wrong guess")
        report = send_test_mail("ada@example.com")
    finally:
        sink.stop()
    assert not report.ok and sink.messages == []
    assert report.error.startswith("The mail server refused the log-in: check MAIL_USERNAME and MAIL_PASSWORD. "
                                   "It answered: 535 ")
    assert "wrong guess" not in report.error + " ".join(report.steps)


def test_a_log_in_is_reported_by_the_account_name_only(mail_site):
    sink = LogInSink(free_port()).start()
    try:
        mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_USERNAME="sam", MAIL_PASSWORD=PASSWORD)
        report = send_test_mail("ada@example.com")
    finally:
        sink.stop()
    assert report.ok and len(sink.messages) == 1
    assert "Logged in as sam: 235 2.7.0 Authentication successful" in report.steps
    assert PASSWORD not in " ".join(report.steps)


def self_signed(folder) -> tuple[ssl.SSLContext, str]:
    """A server TLS context for 127.0.0.1 whose certificate signs itself, and that certificate's file
    (which a client trusts only when told to)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, str(cert_file)


class StartTLSSink(MailSink):
    """A MailSink that offers STARTTLS with a certificate of its own making."""

    def __init__(self, port: int, tls_context: ssl.SSLContext):
        super().__init__(port)
        self.tls_context = tls_context

    def start(self) -> "StartTLSSink":
        # AUTH is offered only once the connection is encrypted (aiosmtpd's auth_require_tls).
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, server_hostname="127.0.0.1",
                                     tls_context=self.tls_context, authenticator=LogInSink.authenticate)
        self.controller.start()
        return self


def test_a_certificate_the_blog_cannot_trust_is_reported_and_no_password_is_sent(mail_site, tmp_path):
    sink = StartTLSSink(free_port(), self_signed(tmp_path)[0]).start()
    try:
        mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_USE_TLS=True, MAIL_USERNAME="sam",
                  MAIL_PASSWORD=PASSWORD)
        report = send_test_mail("ada@example.com")
    finally:
        sink.stop()
    assert not report.ok and sink.messages == []
    assert report.error.startswith(f"The secure connection (STARTTLS) with the mail server at 127.0.0.1:{sink.port} "
                                   "failed: ")
    assert "CERTIFICATE_VERIFY_FAILED" in report.error
    assert not any("Logged in" in step for step in report.steps)


def test_starttls_with_a_trusted_certificate_encrypts_before_the_log_in(mail_site, tmp_path, monkeypatch):
    context, cert_file = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", cert_file)  # this machine's trust store, for this test: our certificate
    sink = StartTLSSink(free_port(), context).start()
    try:
        mail_site(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_USE_TLS=True, MAIL_USERNAME="sam",
                  MAIL_PASSWORD=PASSWORD)
        report = send_test_mail("ada@example.com")
    finally:
        sink.stop()
    assert report.ok and len(sink.messages) == 1
    assert [step.split(":")[0] for step in report.steps] == [
        "Connected to 127.0.0.1", "EHLO", "STARTTLS", "EHLO (encrypted)", "Logged in as sam", "MAIL FROM", "RCPT TO",
        "DATA", "QUIT"]
    assert "STARTTLS: 220 Ready to start TLS" in report.steps
