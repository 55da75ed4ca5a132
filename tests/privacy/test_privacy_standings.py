"""The commenters' ladder and a person's data: the export discloses their standings and the moderators'
steps (a shadow ban too), and erasure deletes trust and always hold but keeps suspensions and bans."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.models import ModerationLog
from blog.spam.models import CommenterAction, CommenterStanding
from blog.spam.standings import set_standing
from core.dbtypes import utcnow
from extensions import db
from privacy import ladder_data, personal_data
from tests.support.factories import make_comment, make_post
from tests.support.mail import csrf_token_from, links_in

ANN = "Ann.Lee@example.com"  # the ladder keys her as annlee@example.com


def stand(kind: str, value: str, level: str | None, note: str = "", until=None) -> None:
    set_standing(kind, value, level, until, note, None)
    db.session.commit()


def _account(name: str = "Ann Account", email: str = ANN) -> User:
    user = User(display_name=name, email=email, email_verified=True)
    db.session.add(user)
    db.session.commit()
    return user


def _ladder() -> set[tuple[str, str, str]]:
    db.session.expire_all()
    return set(db.session.execute(sa.select(CommenterStanding.kind, CommenterStanding.value,
                                            CommenterStanding.level)).tuples())


def _history() -> list[tuple[str, str, str]]:
    return list(db.session.execute(sa.select(CommenterAction.kind, CommenterAction.value, CommenterAction.level)
                                   .order_by(CommenterAction.id)).tuples())


def test_the_export_holds_the_standings_and_history_of_her_email_accounts_and_comment_addresses(app):
    user = _account()
    post = make_post()
    make_comment(post, author_email=ANN, author_ip="192.0.2.44")
    make_comment(post, author_email=ANN, author_ip="2001:db8:0:0:0:0:0:1")  # spelt unlike the ladder's key
    stand("email", "ann.lee+news@EXAMPLE.com", "banned", "Casino links")
    stand("email", "annlee@example.com", "shadow", "Sock puppet")
    stand("account", str(user.id), "trusted", "Known reader")
    stand("ip", "2001:db8::1", "hold", "Shared office")
    stand("ip", "198.51.100.7", "banned", "Someone else's address")
    stand("email", "bob@example.com", "banned", "Bob's ban")

    data = json.loads("".join(personal_data.export_json(ANN, [user.id])))

    ladder = data["commenter_standing"]
    assert [(s["kind"], s["value"], s["level"], s["note"]) for s in ladder["standings"]] == [
        ("account", str(user.id), "trusted", "Known reader"), ("email", "annlee@example.com", "shadow", "Sock puppet"),
        ("ip", "2001:db8::1", "hold", "Shared office")]
    assert [(a["kind"], a["level"], a["note"]) for a in ladder["history"]] == [
        ("email", "banned", "Casino links"), ("email", "shadow", "Sock puppet"), ("account", "trusted", "Known reader"),
        ("ip", "hold", "Shared office")]
    assert all("moderator_name" not in a and "moderator_id" not in a for a in ladder["history"])
    assert "Bob's ban" not in json.dumps(data) and "Someone else's address" not in json.dumps(data)


def test_the_export_finds_no_standing_of_an_unknown_person(app):
    stand("email", "bob@example.com", "banned", "Bob's ban")
    data = json.loads("".join(personal_data.export_json("nobody@example.com", [])))
    assert data["commenter_standing"] == {"standings": [], "history": []}


def test_the_readable_export_names_a_shadow_ban_and_a_suspension_in_plain_words(app):
    stand("email", ANN, "shadow", "<b>Sock</b> puppet")
    stand("email", ANN, "suspended", "Cooling off", until=utcnow() + timedelta(days=3))
    page = "".join(personal_data.export_html(ANN, []))
    assert "Your standing as a commenter" in page
    assert "suspended until" in page and "Cooling off" in page
    assert "shadow-banned: your comments are filed as spam and shown to you alone" in page  # in the history
    assert "&lt;b&gt;Sock&lt;/b&gt; puppet" in page and "<b>Sock</b>" not in page


@pytest.mark.parametrize("level", ladder_data.KEPT_LEVELS)
def test_erasure_deletes_trust_and_hold_with_their_history_and_keeps_a_ban_whole(app, level):
    first, second = _account(), _account("Ann Again", "ann.second@example.com")
    stand("account", str(first.id), "hold", "Links, links")
    stand("account", str(second.id), "trusted", "")
    stand("email", "annlee@example.com", "hold", "First warning")
    stand("email", "annlee@example.com", level, "Kept away", until=utcnow() + timedelta(days=30))
    stand("ip", "192.0.2.44", "hold", "Shared office")
    stand("email", "bob@example.com", "trusted", "")

    outcome = personal_data.erase(ANN, [first.id, second.id], False, "Reader (signed link)", request_id=7)
    db.session.commit()

    assert _ladder() == {("email", "annlee@example.com", level), ("ip", "192.0.2.44", "hold"),
                         ("email", "bob@example.com", "trusted")}
    assert _history() == [("email", "annlee@example.com", "hold"), ("email", "annlee@example.com", level),
                          ("ip", "192.0.2.44", "hold"), ("email", "bob@example.com", "trusted")]
    kept = db.session.scalar(sa.select(CommenterStanding.note).where(CommenterStanding.level == level))
    assert kept == "Kept away"
    assert "2 commenter standings deleted, 1 commenter standing kept: suspensions and bans outlast erasure" in outcome
    detail = db.session.scalar(sa.select(ModerationLog.detail).where(ModerationLog.action == "privacy-erase"))
    assert detail.endswith("1 commenter standing kept: suspensions and bans outlast erasure")


def test_erasure_forgets_the_history_of_a_lifted_ban(app):
    stand("email", ANN, "banned", "Spam run")
    stand("email", ANN, None, "Apologised")
    outcome = personal_data.erase(ANN, [], False, "Reader (signed link)")
    db.session.commit()
    assert _ladder() == set() and _history() == []
    assert "commenter standing" not in outcome  # nothing stood


def test_the_erasure_link_tells_the_reader_a_ban_was_kept(mail_client, mail_post, deliver):
    make_comment(mail_post, author_email=ANN, author_name="Ann Lee", body="Ann's words")
    stand("email", ANN, "banned", "Casino links")
    page = mail_client.get("/your-data/", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    mail_client.post("/your-data/", data={"csrf_token": csrf_token_from(page), "email": ANN, "kind": "erase"},
                     environ_base={"REMOTE_ADDR": "203.0.113.5"})
    link = links_in([m for m in deliver() if m["To"].lower() == ANN.lower()][-1], "/your-data/")[0]
    confirm = mail_client.get(link)
    done = mail_client.post(link, data={"csrf_token": csrf_token_from(confirm)})
    assert done.status_code == 200
    assert "1 commenter standing kept: suspensions and bans outlast erasure" in done.get_data(as_text=True)
    assert _ladder() == {("email", "annlee@example.com", "banned")}


def test_the_export_link_discloses_a_shadow_ban(mail_client, mail_post, deliver):
    make_comment(mail_post, author_email=ANN, author_name="Ann Lee", body="Ann's words", author_ip="192.0.2.44")
    stand("ip", "192.0.2.44", "shadow", "Sock puppet")
    page = mail_client.get("/your-data/", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    mail_client.post("/your-data/", data={"csrf_token": csrf_token_from(page), "email": ANN, "kind": "export"},
                     environ_base={"REMOTE_ADDR": "203.0.113.5"})
    link = links_in([m for m in deliver() if m["To"].lower() == ANN.lower()][-1], "/your-data/")[0]
    mail_client.get(link)
    readable = mail_client.get(link + "/html").get_data(as_text=True)
    assert "the IP address 192.0.2.44: shadow-banned" in readable and "Sock puppet" in readable
