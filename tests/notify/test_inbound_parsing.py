"""Reading an inbound mail (notify.inbound.message.parse_mail): sender, subject, automatic mail,
SPF/DKIM verdicts, delivery reports; and that no mail, however broken, makes it raise."""

import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify.inbound.message import AuthResults, BounceReport, ParsedMail, auth_results, parse_mail

SAMPLES = Path(__file__).parent / "inbound_samples"
SAMPLE_NAMES = sorted(path.name for path in SAMPLES.glob("*.eml"))
SERVER = "mx.blog.example"


def raw_sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def raw_mail(headers: str = "", body: str = "Hello there.", *, subject: str = "Re: New comment") -> bytes:
    return (f"From: Reader <reader@example.org>\nTo: reply+r1@blog.example\nSubject: {subject}\n"
            f"Message-ID: <m1@example.org>\n{headers}MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
            f"{body}\n").encode()


def nested(depth: int, kind: str = "multipart/mixed") -> bytes:
    """A mail whose parts nest `depth` levels deep."""
    if kind == "message/rfc822":
        head = b"Content-Type: message/rfc822\n\n" * depth
        tail = b""
    else:
        head = b"".join(b"Content-Type: %s; boundary=b%d\n\n--b%d\n" % (kind.encode(), i, i) for i in range(depth))
        tail = b"".join(b"--b%d--\n" % i for i in reversed(range(depth)))
    return b"From: a@example.org\nSubject: deep\n" + head + b"Content-Type: text/plain\n\nhello\n" + tail


def assert_well_formed(parsed: ParsedMail, raw: bytes) -> None:
    """What the caller stores must fit its columns and be text a database accepts."""
    assert isinstance(parsed, ParsedMail)
    assert parsed.size == len(raw)
    for value in (parsed.message_id, parsed.from_addr, parsed.from_name, parsed.subject, parsed.text,
                  parsed.auth.spf, parsed.auth.dkim):
        assert isinstance(value, str) and "\x00" not in value
        value.encode("utf-8")  # no lone surrogates
    assert len(parsed.message_id) <= 255 and len(parsed.from_addr) <= 254 and len(parsed.subject) <= 300
    assert "\n" not in parsed.subject and "\n" not in parsed.from_name
    assert len(parsed.auth.spf) <= 20 and len(parsed.auth.dkim) <= 20
    assert parsed.auto_submitted is None or isinstance(parsed.auto_submitted, str)
    for bounce in parsed.bounces:
        assert isinstance(bounce, BounceReport) and len(bounce.recipient) <= 254
        assert len(bounce.status) <= 20 and len(bounce.diagnostic) <= 500


def test_a_gmail_reply_is_read_field_by_field():
    raw = raw_sample("gmail.eml")

    parsed = parse_mail(raw, trusted_authserv_id=SERVER)

    assert parsed.message_id == "CAF4kQ+9vZpQ1xT=Ew7_Lq@mail.gmail.com"
    assert (parsed.from_addr, parsed.from_name) == ("grace.hopper@example.net", "Grace Hopper")
    assert parsed.subject == 'Re: New comment on "Engines of Thought"'
    assert parsed.auto_submitted is None
    assert parsed.auth == AuthResults(spf="pass", dkim="pass")
    assert parsed.text.startswith("The difference engine chapter") and "Bernoulli" not in parsed.text
    assert parsed.bounces == []
    assert parsed.size == len(raw)


@pytest.mark.parametrize("name", ["gmail.eml", "outlook_desktop.eml", "outlook_ios.eml", "apple_mail.eml",
                                  "thunderbird.eml", "html_only.eml", "attachment.eml"])
def test_replies_from_people_are_not_automatic_and_carry_new_text(name):
    parsed = parse_mail(raw_sample(name))

    assert parsed.auto_submitted is None
    assert parsed.text and "Bernoulli" not in parsed.text
    assert parsed.from_addr.endswith(".example") or "@example." in parsed.from_addr


def test_encoded_sender_name_and_subject_are_decoded():
    parsed = parse_mail(raw_sample("html_only.eml"))

    assert parsed.from_name == "Ida Rhódas"
    assert parsed.subject == "Re: New comment on “Engines of Thought”"


def test_a_mail_of_only_quoted_text_has_no_text():
    parsed = parse_mail(raw_sample("only_quoted.eml"))

    assert parsed.text == "" and parsed.auto_submitted is None and parsed.from_addr == "alan@example.ac.uk"


def test_utf8_headers_sent_raw_are_read():
    raw = "From: Zoë Ölund <Zoë@Example.org>\nSubject: Re: Café\n\nMerci.\n".encode()

    parsed = parse_mail(raw)

    assert (parsed.from_addr, parsed.from_name, parsed.subject) == ("zoë@example.org", "Zoë Ölund", "Re: Café")


def test_latin1_bytes_in_headers_are_read_as_windows_1252():
    parsed = parse_mail(b"From: Ren\xe9 <rene@example.org>\nSubject: Caf\xe9\n\nx\n")

    assert (parsed.from_name, parsed.subject) == ("René", "Café")


def test_the_subject_is_one_line_of_at_most_300_characters():
    raw = b"From: a@example.org\nSubject: " + b"word " * 40 + b"\n\t" + b"more " * 200 + b"\n\nx\n"

    subject = parse_mail(raw).subject

    assert len(subject) == 300 and "\n" not in subject and "\t" not in subject and subject.startswith("word word")


def test_the_message_id_loses_its_brackets_and_is_cut_to_255():
    assert parse_mail(b"Message-ID:  <abc@example.org> (comment)\n\nx").message_id == "abc@example.org"
    assert parse_mail(b"Message-ID: <" + b"a" * 400 + b"@x>\n\nx").message_id == "a" * 255
    assert parse_mail(b"Message-ID: bare-id@example.org\n\nx").message_id == "bare-id@example.org"


@pytest.mark.parametrize(("header", "expected"), [
    ("Ada <ADA@Example.ORG>", ("ada@example.org", "Ada")),
    ('"Lovelace, Ada" <ada@example.org>', ("ada@example.org", "Lovelace, Ada")),
    ("ada@example.org (Ada Lovelace)", ("ada@example.org", "")),
    ("  ada@example.org  ", ("ada@example.org", "")),
    ("Ada <ada@example.org>, Bob <bob@example.org>", ("ada@example.org", "Ada")),
    ("=?utf-8?q?Ad=C3=A1?= <ada@example.org>", ("ada@example.org", "Adá")),
    ("undisclosed-recipients:;", ("", "")),
    ("not an address", ("", "")),
    ("<>", ("", "")),
    ("", ("", "")),
])
def test_the_from_address_is_its_lower_case_addr_spec(header, expected):
    parsed = parse_mail(f"From: {header}\nSubject: x\n\nbody\n".encode())

    assert (parsed.from_addr, parsed.from_name) == expected


def test_a_mail_without_from_has_empty_sender_fields():
    parsed = parse_mail(b"Subject: anonymous\n\nWho am I?\n")

    assert (parsed.from_addr, parsed.from_name) == ("", "")
    assert parsed.text == "Who am I?"


@pytest.mark.parametrize(("headers", "subject", "expected"), [
    ("Auto-Submitted: auto-replied\n", "Re: x", "Auto-Submitted: auto-replied"),
    ("Auto-Submitted: auto-generated; owner-email=a@example.org\n", "Re: x",
     "Auto-Submitted: auto-generated; owner-email=a@example.org"),
    ("Precedence: bulk\n", "Re: x", "Precedence: bulk"),
    ("Precedence: JUNK\n", "Re: x", "Precedence: JUNK"),
    ("Precedence: list\n", "Re: x", "Precedence: list"),
    ("Precedence: auto_reply\n", "Re: x", "Precedence: auto_reply"),
    ("X-Autoreply: yes\n", "Re: x", "X-Autoreply: yes"),
    ("X-Autorespond: Vacation\n", "Re: x", "X-Autorespond"),
    ("List-Id: Computing history <history.lists.example.com>\n", "Re: x", "List-Id"),
    ("List-Unsubscribe: <mailto:u@lists.example.com>\n", "Re: x", "List-Unsubscribe"),
    ("", "Out of Office: Re: New comment", "vacation subject"),
    ("", "Automatic reply: New comment", "vacation subject"),
    ("", "AUTO: Ada is away", "vacation subject"),
    ("", "Abwesenheitsnotiz: Neuer Kommentar", "vacation subject"),
    ("", "=?utf-8?q?R=C3=A9ponse_automatique_=3A_Nouveau?=", "vacation subject"),
    ("", "Autoreply: away", "vacation subject"),
    ("", "Vacation reply", "vacation subject"),
])
def test_automatic_mail_says_why(headers, subject, expected):
    assert parse_mail(raw_mail(headers, subject=subject)).auto_submitted == expected


@pytest.mark.parametrize(("headers", "subject"), [
    ("Auto-Submitted: no\n", "Re: x"),
    ("Auto-Submitted: No\n", "Re: x"),
    ("X-Auto-Response-Suppress: All\n", "Re: x"),
    ("X-Autoreply: no\n", "Re: x"),
    ("Precedence: first-class\n", "Re: x"),
    ("", "Re: Out of Office hours are the best for reading"),
    ("", "Re: Vacation photos of the engine"),
    ("", "Automobiles and engines"),
])
def test_a_persons_mail_is_not_automatic(headers, subject):
    assert parse_mail(raw_mail(headers, subject=subject)).auto_submitted is None


def test_the_vacation_and_bulk_samples_are_automatic():
    assert parse_mail(raw_sample("vacation.eml")).auto_submitted == "vacation subject"
    assert parse_mail(raw_sample("bulk.eml")).auto_submitted == "Precedence: bulk"


def test_a_failure_report_gives_one_bounce_per_recipient_and_is_not_automatic():
    parsed = parse_mail(raw_sample("dsn_failed.eml"))

    assert parsed.auto_submitted is None  # it says Auto-Submitted, but the caller reads its bounces
    assert parsed.bounces == [
        BounceReport(recipient="ada.gone@reader.example", action="failed", status="5.1.1",
                     diagnostic="550 5.1.1 <ada.gone@reader.example>: Recipient address rejected: "
                                "User unknown in local recipient table"),
        BounceReport(recipient="full@reader.example", action="failed", status="5.2.2",
                     diagnostic="552 5.2.2 Mailbox full"),
    ]
    assert parsed.from_addr == "mailer-daemon@mx.reader.example"


def test_a_delay_report_is_a_delayed_bounce():
    parsed = parse_mail(raw_sample("dsn_delayed.eml"))

    assert parsed.auto_submitted is None
    assert parsed.bounces == [BounceReport(
        recipient="slow.reader@slow.example", action="delayed", status="4.4.1",
        diagnostic="connect to mx2.slow.example[203.0.113.9]:25: Connection timed out")]


def report(status_part: str, *, report_type: str = "delivery-status",
           status_type: str = "message/delivery-status", encoding: str = "") -> bytes:
    return ("From: MAILER-DAEMON@mx.example\nSubject: Undelivered\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/report; report-type={report_type}; boundary=R\n\n"
            "--R\nContent-Type: text/plain\n\nIt failed.\n"
            f"--R\nContent-Type: {status_type}\n{encoding}\n{status_part}\n--R--\n").encode()


def test_a_long_diagnostic_is_cut_to_500_characters():
    parsed = parse_mail(report("Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@example.org\n"
                               "Action: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 " + "x" * 900 + "\n"))

    assert len(parsed.bounces[0].diagnostic) == 500 and parsed.bounces[0].diagnostic.startswith("550 xxx")


def test_an_smtputf8_report_is_read_from_its_text():
    status = ("Reporting-MTA: dns; mx\n\nFinal-Recipient: utf-8; Zoë@example.org\nAction: failed\n"
              "Status: 5.1.1\n")

    parsed = parse_mail(report(status, report_type="global-delivery-status",
                               status_type="message/global-delivery-status"))

    assert parsed.bounces == [BounceReport("zoë@example.org", "failed", "5.1.1", "")]


def test_an_encoded_status_part_is_read_from_its_decoded_text():
    import base64

    status = base64.b64encode(b"Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; b@example.org\n"
                              b"Action: failed\nStatus: 5.7.1\n").decode()

    parsed = parse_mail(report(status, report_type="global-delivery-status",
                               status_type="message/global-delivery-status",
                               encoding="Content-Transfer-Encoding: base64\n"))

    assert parsed.bounces == [BounceReport("b@example.org", "failed", "5.7.1", "")]


def test_a_report_without_recipient_blocks_is_dropped_as_automatic():
    parsed = parse_mail(report("Reporting-MTA: dns; mx\n"))

    assert parsed.bounces == [] and parsed.auto_submitted == "report: delivery-status"


def test_a_read_receipt_is_automatic_and_no_bounce():
    parsed = parse_mail(report("Reporting-UA: mail.example.org\nFinal-Recipient: rfc822; a@example.org\n"
                               "Disposition: manual-action/MDN-sent-manually; displayed\n",
                               report_type="disposition-notification",
                               status_type="message/disposition-notification"))

    assert parsed.bounces == [] and parsed.auto_submitted == "report: disposition-notification"


def test_a_person_quoting_a_status_block_makes_no_bounce():
    body = "Final-Recipient: rfc822; victim@example.org\nAction: failed\nStatus: 5.1.1\n"

    assert parse_mail(raw_mail(body=body)).bounces == []


def test_a_report_with_many_recipients_is_cut_to_100_bounces():
    blocks = "".join(f"\nFinal-Recipient: rfc822; r{i}@example.org\nAction: failed\nStatus: 5.1.1\n"
                     for i in range(300))

    assert len(parse_mail(report("Reporting-MTA: dns; mx\n" + blocks)).bounces) == 100


def test_authentication_results_of_the_trusted_server_win_over_forged_ones():
    raw = raw_sample("auth_results.eml")

    assert parse_mail(raw, trusted_authserv_id=SERVER).auth == AuthResults(spf="pass", dkim="fail")
    assert parse_mail(raw, trusted_authserv_id="MX.BLOG.EXAMPLE").auth == AuthResults(spf="pass", dkim="fail")


def test_without_a_trusted_server_only_the_topmost_authentication_results_count():
    assert parse_mail(raw_sample("auth_results.eml")).auth == AuthResults(spf="pass", dkim="fail")


def test_authentication_results_of_another_server_are_ignored_when_one_is_trusted():
    raw = raw_sample("auth_results.eml")

    assert parse_mail(raw, trusted_authserv_id="mx.trusted-looking.example").auth == AuthResults("pass", "pass")
    assert parse_mail(raw, trusted_authserv_id="mx.elsewhere.example").auth == AuthResults("", "")


def test_a_mail_without_authentication_results_has_empty_verdicts():
    assert parse_mail(raw_mail(), trusted_authserv_id=SERVER).auth == AuthResults("", "")


@pytest.mark.parametrize(("values", "expected"), [
    (["mx; dkim=fail header.d=a.example; dkim=pass header.d=b.example"], AuthResults("", "pass")),
    (["mx; dkim=neutral (no key); dkim=fail"], AuthResults("", "neutral")),
    (["mx 1; SPF=SoftFail smtp.mailfrom=a.example; DKIM=PASS"], AuthResults("softfail", "pass")),
    (["mx; spf=pass (a; b; c; dkim=pass) smtp.mailfrom=x; dkim=fail"], AuthResults("pass", "fail")),
    (["mx; spf=(nested (comment) here)none; dkim=temperror"], AuthResults("none", "temperror")),
    (['mx; dkim=fail header.b="a;b"; spf=pass'], AuthResults("pass", "fail")),
    (["mx; none"], AuthResults("", "")),
    (["spf=pass; dkim=pass"], AuthResults("", "")),  # no authserv-id: not the trusted server's
    (["mx; spf=" + "x" * 60], AuthResults("x" * 20, "")),
    (["mx; spf=pass", "mx; dkim=pass"], AuthResults("pass", "pass")),
    (["mx; spf=fail", "mx; spf=pass; dkim=pass", "mx; dkim=fail"], AuthResults("fail", "pass")),
])
def test_authentication_results_are_parsed_per_rfc_8601(values, expected):
    assert auth_results(values, "mx") == expected


def test_untrusted_parsing_reads_the_first_header_only():
    assert auth_results(["mx; spf=fail", "other; spf=pass; dkim=pass"]) == AuthResults("fail", "")


def test_header_only_input_parses():
    parsed = parse_mail(b"From: a@example.org\nSubject: no body")

    assert parsed.from_addr == "a@example.org" and parsed.subject == "no body" and parsed.text == ""


@pytest.mark.parametrize("raw", [
    b"", b"\n", b"\r\n\r\n", b"garbage without headers", b":::\n:::", b"\x00" * 100, b"\xff\xfe\xfd" * 1000,
    b"From:\nSubject:\nContent-Type:\n\n", b"Content-Type: multipart/mixed\n\nno boundary at all",
    b"Content-Type: multipart/mixed; boundary=\n\n--\n--\n", b"Content-Type: multipart/alternative; boundary=x\n\n--x",
    b"Content-Type: text/plain; charset=\"\n\nunterminated", b"Content-Type: text/html; charset=utf-7\n\n+ADw-p+AD4-",
    b"Content-Transfer-Encoding: base64\n\n!!!not base64!!!", b"Content-Transfer-Encoding: quoted-printable\n\n=Z=",
    b"Content-Type: message/rfc822\n\n", b"Content-Type: message/delivery-status\n\n\n\n",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=R\n\n--R\n"
    b"Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; " + b"a" * 600 + b"@x\n--R--",
    b"From: =?utf-8?b?////?= <a@b>\nSubject: =?unknown?q?=FF?=\n\nx",
    b"From: " + b"<" * 5000 + b"\n\nx", b"From: \"" + b"\\\"" * 5000 + b"\n\nx",
    b"Authentication-Results: " + b"(" * 10000 + b"\n\nx", b"Subject: " + b"=?utf-8?q?a?=" * 20000 + b"\n\nx",
])
def test_garbage_never_raises(raw):
    assert_well_formed(parse_mail(raw, trusted_authserv_id=SERVER), raw)


def test_the_broken_sample_is_read_as_far_as_it_goes():
    raw = raw_sample("broken.eml")

    parsed = parse_mail(raw, trusted_authserv_id=SERVER)

    assert_well_formed(parsed, raw)
    assert parsed.from_addr == "" and "broken été" in parsed.subject


@pytest.mark.parametrize("kind", ["multipart/mixed", "multipart/alternative", "message/rfc822"])
def test_five_thousand_nested_parts_are_read_fast(kind):
    raw = nested(5000, kind)
    started = time.monotonic()

    parsed = parse_mail(raw)

    assert time.monotonic() - started < 2
    assert parsed.from_addr == "a@example.org" and parsed.subject == "deep"


def test_parts_nested_as_deep_as_mail_clients_write_them_are_read():
    assert parse_mail(nested(8)).text == "hello"


def test_a_mail_of_many_thousand_parts_is_read_fast():
    parts = b"".join(b"--x\nContent-Type: text/plain\n\npart %d\n" % i for i in range(20000))
    raw = b"From: a@example.org\nContent-Type: multipart/mixed; boundary=x\n\n" + parts + b"--x--\n"
    started = time.monotonic()

    assert_well_formed(parse_mail(raw), raw)
    assert time.monotonic() - started < 3


def test_a_huge_quoted_mail_is_read_fast():
    raw = raw_mail(body="New words.\n\n" + "On Mon, Ada wrote:\n> quoted line\n" * 100_000)
    started = time.monotonic()

    assert parse_mail(raw).text == "New words."
    assert time.monotonic() - started < 5


def test_random_bytes_never_raise():
    rng = random.Random(28)
    for _ in range(200):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(2000)))
        assert_well_formed(parse_mail(raw), raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_parse_mail_never_raises_on_mangled_samples(data):
    raw = bytearray(raw_sample(data.draw(st.sampled_from(SAMPLE_NAMES))))
    for _ in range(data.draw(st.integers(0, 8))):
        position = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["cut", "insert", "flip", "delete"]))
        if action == "cut":
            del raw[position:]
        elif action == "insert":
            raw[position:position] = data.draw(st.sampled_from([
                b"\n", b"\n\n", b"--", b"=?", b"(", b">", b"\xff", b"\x00", b"Content-Type: multipart/mixed\n",
                b"<div class=gmail_quote>", b"boundary=", b";", b":", b"\r", b"Content-Type: message/rfc822\n"]))
        elif action == "flip" and position < len(raw):
            raw[position] = data.draw(st.integers(0, 255))
        else:
            del raw[position:position + data.draw(st.integers(1, 200))]

    assert_well_formed(parse_mail(bytes(raw), trusted_authserv_id=SERVER), bytes(raw))


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=3000))
def test_parse_mail_never_raises_on_any_bytes(raw):
    assert_well_formed(parse_mail(raw), raw)


@settings(max_examples=200, deadline=None)
@given(headers=st.lists(st.tuples(st.sampled_from(["From", "Subject", "Message-ID", "Content-Type", "Precedence",
                                                    "Auto-Submitted", "Authentication-Results", "List-Id",
                                                    "Content-Transfer-Encoding", "Content-Disposition"]),
                                  st.text(max_size=80)), max_size=8),
       body=st.text(max_size=500))
def test_parse_mail_never_raises_on_random_headers(headers, body):
    raw = "".join(f"{name}: {value}\n" for name, value in headers).encode("utf-8", "surrogatepass") + \
        b"\n" + body.encode("utf-8", "surrogatepass")

    assert_well_formed(parse_mail(raw, trusted_authserv_id=SERVER), raw)
