"""The "Your data" page and its mailed links, through the real outbox, worker and SMTP sink."""

import json
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from blog.models import Comment, ModerationLog
from extensions import db
from privacy.models import PrivacyRequest
from privacy.views import SAME_ANSWER
from tests.support.factories import make_comment
from tests.support.mail import csrf_token_from, links_in, text_of

ANN = "ann@example.com"


@pytest.fixture
def ann_comment(mail_post):
    return make_comment(mail_post, author_email=ANN, author_name="Ann Lee", author_ip="192.0.2.44",
                        body="Ann's own words")


def ask(client, email: str, kind: str = "export", ip: str = "203.0.113.5", **extra):
    page = client.get("/your-data/", environ_base={"REMOTE_ADDR": ip})
    data = {"csrf_token": csrf_token_from(page), "email": email, "kind": kind, **extra}
    return client.post("/your-data/", data=data, environ_base={"REMOTE_ADDR": ip})


def link_from(deliver, address: str) -> str:
    mails = [m for m in deliver() if m["To"] == address]
    assert mails, f"no mail to {address}"
    return links_in(mails[-1], "/your-data/")[0]


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_mail(
        mail_client, ann_comment, deliver):
    known = ask(mail_client, "  Ann@Example.com ")
    unknown = ask(mail_client, "nobody@example.com", ip="203.0.113.6")
    assert known.status_code == unknown.status_code == 200
    assert SAME_ANSWER in known.get_data(as_text=True) and SAME_ANSWER in unknown.get_data(as_text=True)
    mails = deliver()
    assert [m["To"] for m in mails] == [ANN]
    assert "24 hours" in text_of(mails[0]) and links_in(mails[0], "/your-data/export/")
    request_row = db.session.scalar(sa.select(PrivacyRequest))
    assert (request_row.kind, request_row.status, request_row.source) == ("export", "pending", "reader")
    logged = db.session.scalar(sa.select(ModerationLog))
    assert logged.action == "privacy-request" and logged.comment_id is None and "ann" not in logged.detail.lower()


def test_the_form_refuses_a_bad_address_and_a_missing_token(mail_client):
    bad = ask(mail_client, "not an address")
    assert bad.status_code == 400 and "valid email address" in bad.get_data(as_text=True)
    no_token = mail_client.post("/your-data/", data={"email": ANN, "kind": "export"})
    assert no_token.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PrivacyRequest)) == 0


def test_requests_are_limited_per_address(mail_client, ann_comment):
    for n in range(3):
        assert ask(mail_client, ANN, ip=f"198.51.100.{n}").status_code == 200
    refused = ask(mail_client, ANN.upper(), ip="198.51.100.9")
    assert refused.status_code == 429 and "Too many requests" in refused.get_data(as_text=True)


def test_requests_are_limited_per_client_address(mail_client):
    for n in range(5):
        assert ask(mail_client, f"someone{n}@example.com", ip="198.51.100.20").status_code == 200
    assert ask(mail_client, "someone9@example.com", ip="198.51.100.20").status_code == 429
    assert ask(mail_client, "someone9@example.com", ip="198.51.100.21").status_code == 200


def test_the_export_link_confirms_then_downloads_json_and_html(mail_client, ann_comment, deliver):
    ask(mail_client, ANN)
    link = link_from(deliver, ANN)
    page = mail_client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(sa.select(PrivacyRequest.status)) == "confirmed"

    download = mail_client.get(link + "/json")
    assert download.status_code == 200 and download.is_streamed
    assert download.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.get_data(as_text=True))
    assert [(c["body"], c["author_ip"]) for c in data["comments"]] == [("Ann's own words", "192.0.2.44")]
    request_row = db.session.scalar(sa.select(PrivacyRequest))
    assert request_row.status == "done" and request_row.completed_at is not None

    readable = mail_client.get(link + "/html")
    assert readable.status_code == 200 and "Ann&#39;s own words" in readable.get_data(as_text=True)
    actions = db.session.scalars(sa.select(ModerationLog.action).order_by(ModerationLog.id)).all()
    assert actions == ["privacy-request", "privacy-confirm", "privacy-export"]  # one export step, not two


def _erase_link(client, deliver, erase_text: bool = False) -> str:
    ask(client, ANN, kind="erase", **({"erase_text": "y"} if erase_text else {}))
    return link_from(deliver, ANN)


def test_the_erasure_link_erases_once_with_its_button(mail_client, mail_post, ann_comment, deliver):
    held = make_comment(mail_post, author_email=ANN, status="pending", body="Held words")
    link = _erase_link(mail_client, deliver, erase_text=True)
    page = mail_client.get(link)
    assert page.status_code == 200 and "Erase my data" in page.get_data(as_text=True)
    assert db.session.get(Comment, ann_comment.id).author_name == "Ann Lee"  # opening it erased nothing

    done = mail_client.post(link, data={"csrf_token": csrf_token_from(page)})
    assert done.status_code == 200
    assert "2 comments anonymised, 1 text removed, 1 text kept: awaiting moderation" in done.get_data(as_text=True)
    erased, kept = db.session.get(Comment, ann_comment.id), db.session.get(Comment, held.id)
    assert (erased.author_name, erased.author_email, erased.author_ip) == ("Anonymous", "", "")
    assert kept.body == "Held words" and kept.author_name == "Anonymous"
    request_row = db.session.scalar(sa.select(PrivacyRequest))
    assert request_row.email is None and request_row.status == "done" and "anonymised" in request_row.outcome
    assert request_row.email_hash and ANN not in request_row.outcome

    again = mail_client.post(link, data={"csrf_token": csrf_token_from(page)})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert mail_client.get(link).status_code == 410
    details = db.session.scalars(sa.select(ModerationLog.detail)).all()
    assert all("ann" not in d.lower() and "Held words" not in d for d in details)


def test_the_erasure_needs_the_csrf_token(mail_client, ann_comment, deliver):
    link = _erase_link(mail_client, deliver)
    refused = mail_client.post(link, data={})
    assert refused.status_code == 400
    assert db.session.get(Comment, ann_comment.id).author_name == "Ann Lee"


def _token_signed_at(app, data: dict, seconds_ago: int, salt: str) -> str:
    class Earlier(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - seconds_ago

    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=salt, signer=Earlier).dumps(data)


def test_expired_tampered_and_misdirected_links_are_refused_and_change_nothing(
        mail_app, mail_client, ann_comment, deliver):
    link = _erase_link(mail_client, deliver)
    request_row = db.session.scalar(sa.select(PrivacyRequest))
    ref = {"r": request_row.id, "k": request_row.link_secret}
    expired = _token_signed_at(mail_app, ref, 25 * 3600, "notify.privacy-erase")
    assert _token_signed_at(mail_app, ref, 60, "notify.privacy-erase") != expired

    refused = {
        "/your-data/erase/" + expired: 410,
        link[:-3] + ("abc" if not link.endswith("abc") else "xyz"): 400,  # tampered
        "/your-data/erase/" + _token_signed_at(mail_app, {**ref, "k": "0" * 32}, 60, "notify.privacy-erase"): 400,
        "/your-data/export/" + link.rsplit("/", 1)[1]: 400,  # an erasure link is no export link
    }
    for url, status in refused.items():
        got = mail_client.get(url)
        assert got.status_code == status, url
        assert "cannot be used" in got.get_data(as_text=True)
    fresh = "/your-data/erase/" + _token_signed_at(mail_app, ref, 60, "notify.privacy-erase")
    token = csrf_token_from(mail_client.get(fresh))
    assert mail_client.post("/your-data/erase/" + expired, data={"csrf_token": token}).status_code == 410
    assert db.session.get(Comment, ann_comment.id).author_name == "Ann Lee"
    assert db.session.scalar(sa.select(PrivacyRequest.status)) == "confirmed"  # only the fresh link's opening
