"""The commenters' ladder as a submission meets it: bans, suspensions, holds, trust, shadow bans, and
the new-commenter rules."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.models import Comment
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.settings import save_settings
from blog.spam.models import CommenterAction, CommenterStanding
from blog.spam.standings import (
    BANNED,
    NO_STANDING,
    histories_for,
    normalized_email,
    set_standing,
    standing_for,
    suspension_end,
)
from core.dbtypes import utcnow
from extensions import db
from tests.support.factories import make_comment
from tests.support.helpers import form_fields, page_soup, query_plan, statements_during, submit_comment

TWO_LINKS = "See https://a.example/one and https://b.example/two for more."


def stored() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).order_by(Comment.id)))


def stand(kind: str, value: str, level: str | None, until=None, note: str = "") -> None:
    set_standing(kind, value, level, until, note, None)
    db.session.commit()


@pytest.fixture
def known_author(post):
    """Ada's earlier approved comment: the WordPress rules let her next one through at once."""
    return make_comment(post, author_name="Ada Reader", author_email="ada@example.com", body="Earlier words.")


@pytest.mark.parametrize("variant", ["Ada.L+x@Example.com", " ADAL@example.com ", "a.d.a.l+news@EXAMPLE.COM"])
def test_normalised_email_recognises_case_dots_and_plus_suffix(variant):
    assert normalized_email(variant) == normalized_email("adal@example.com") == "adal@example.com"


def test_googlemail_is_gmail_and_other_domains_stay_apart():
    assert normalized_email("Ada.Lovelace@googlemail.com") == "adalovelace@gmail.com"
    assert normalized_email("adal@example.com") != normalized_email("adal@example.org")
    assert normalized_email("not an email") == "not an email"


def test_banned_email_is_refused_with_403_whatever_its_spelling_and_nothing_is_stored(client, post):
    stand("email", "adal@example.com", "banned", note="Casino links, again")
    response = submit_comment(client, post, email="Ada.L+x@Example.com", comment="Let me back in.")
    assert response.status_code == 403
    page = page_soup(response)
    assert BANNED in page.get_text()
    assert page.select_one("#commentform textarea[name=comment]").get_text().strip() == "Let me back in."  # text kept
    assert stored() == []


def test_suspension_refuses_until_its_date_and_says_when(client, post):
    until = utcnow() + timedelta(days=3)
    stand("ip", "203.0.113.7", "suspended", until=until)
    response = submit_comment(client, post, comment="Too soon.")
    assert response.status_code == 403
    assert f"You can comment again after {suspension_end(until)}." in page_soup(response).get_text()
    assert stored() == []


def test_an_ended_suspension_counts_as_nothing(client, post, known_author):
    stand("email", "ada@example.com", "suspended", until=utcnow() - timedelta(minutes=1))
    assert standing_for(None, "ada@example.com", "203.0.113.7") == NO_STANDING
    assert submit_comment(client, post, comment="Back again.").status_code == 303
    assert stored()[-1].status == "approved"


def test_always_hold_sends_an_approved_authors_comment_to_the_queue(client, post, known_author):
    stand("email", "Ada@Example.com", "hold")
    submit_comment(client, post, comment="Held every time.")
    comment = stored()[-1]
    assert (comment.status, comment.status_reason) == ("pending", "the commenter is on always hold")


def test_trusted_commenter_skips_the_link_limit_others_do_not(client, post, known_author):
    submit_comment(client, post, comment=TWO_LINKS)
    assert stored()[-1].status_reason == "2 links; limit 2"
    stand("email", "ada@example.com", "trusted")
    submit_comment(client, post, comment=TWO_LINKS + " Trusted now.", ip="198.51.100.4")
    assert stored()[-1].status == "approved"


def test_the_strictest_rung_wins_ip_trusted_and_email_banned_is_banned(client, post, known_author):
    stand("ip", "203.0.113.7", "trusted")
    stand("email", "ada@example.com", "banned")
    assert standing_for(None, "ada@example.com", "203.0.113.7").level == "banned"
    assert submit_comment(client, post, comment="Which one holds?").status_code == 403
    assert len(stored()) == 1  # the earlier comment only


def test_an_account_rung_holds_whatever_email_the_account_uses(app, post):
    from tests.support.admin import make_user

    user = make_user(False, "Reg Reader", "reg@example.com")
    stand("account", str(user.id), "banned")
    assert standing_for(user.id, "other@example.org", "198.51.100.9").level == "banned"
    assert standing_for(None, "reg@example.com", "198.51.100.9") == NO_STANDING


def test_shadow_banned_comment_is_filed_as_spam_and_shown_to_its_author_alone(app, client, post, known_author):
    stranger = app.test_client()
    assert stranger.get(post_url(post)).headers["X-Page-Cache"] == "miss"  # the page is now cached
    stand("ip", "203.0.113.7", "shadow", note="Sock puppet")
    response = submit_comment(client, post, comment="Nobody but me reads this.")
    assert response.status_code == 303
    comment = stored()[-1]
    assert (comment.status, comment.shadow, comment.status_reason) == ("spam", True, "shadow-banned commenter")

    own = client.get(post_url(post))
    assert own.headers.get("X-Page-Cache") != "hit"
    mine = page_soup(own).select_one(f"li#comment-{comment.id}")
    assert mine is not None and "Nobody but me reads this." in mine.get_text()
    assert "unapproved" not in mine["class"]
    assert "awaiting moderation" not in own.get_data(as_text=True)
    assert page_soup(own).select_one("#comments h2").get_text().startswith("2 Responses to")  # theirs counts
    assert client.get(f"/comments/{comment.id}/").status_code == 302  # its permalink works for them

    for other in (stranger, app.test_client()):  # the cached page, and a fresh reader's
        page = other.get(post_url(post))
        assert "Nobody but me reads this." not in page.get_data(as_text=True)
        assert page_soup(page).select_one("#comments h2").get_text().startswith("1 Response to")
    assert stranger.get(f"/comments/{comment.id}/").status_code == 404


def test_the_standing_lookup_is_one_indexed_query(app, post):
    # A ladder that has grown, with statistics: an empty table's plans say nothing about indexes.
    db.session.execute(sa.insert(CommenterStanding), [
        {"kind": ("email", "ip")[n % 2], "value": f"10.0.{n // 250}.{n % 250}" if n % 2 else f"u{n}@example.com",
         "level": "banned", "note": "", "updated_at": utcnow()} for n in range(3000)])
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    statements = statements_during(app, lambda: _standing_in_request(app))
    lookups = [(s, p) for s, p in statements if "commenter_standings" in s]
    assert len(lookups) == 1
    plan = query_plan(*lookups[0])
    assert "SCAN commenter_standings" not in plan and "Seq Scan" not in plan, plan


def _standing_in_request(app):
    with app.app_context():
        standing_for(None, "ada@example.com", "203.0.113.7")


def test_first_n_comments_of_a_new_commenter_are_held_then_let_through(client, post):
    save_settings({"new_commenter_hold_count": 2, "comment_previously_approved": False})
    db.session.commit()
    for number in (1, 2):
        submit_comment(client, post, comment=f"Comment {number}.", ip=f"198.51.100.{number}")
        comment = stored()[-1]
        assert (comment.status, comment.status_reason) == ("pending", "new commenter: first 2 comments are held")
        set_comment_status(comment, "approved", None)
        db.session.commit()
    submit_comment(client, post, comment="Comment 3.", ip="198.51.100.3")
    assert stored()[-1].status == "approved"


def test_email_domain_on_the_list_is_held_unless_trusted(client, post):
    save_settings({"new_commenter_hold_domains": "mailinator.com\n@Example.NET\n",
                   "comment_previously_approved": False})
    db.session.commit()
    submit_comment(client, post, email="someone@example.net", comment="From a listed domain.")
    comment = stored()[-1]
    assert (comment.status, comment.status_reason) == ("pending", "new commenter rule: email domain example.net")
    submit_comment(client, post, email="someone@example.org", comment="From another.", ip="198.51.100.5")
    assert stored()[-1].status == "approved"
    stand("email", "someone@example.net", "trusted")
    submit_comment(client, post, email="someone@example.net", comment="Trusted now.", ip="198.51.100.6")
    assert stored()[-1].status == "approved"


def test_setting_and_lifting_a_rung_keeps_the_history(app, post):
    stand("email", "Ada.L+x@Example.com", "banned", note="spam run")
    stand("email", "adal@example.com", None, note="apologised")
    actions = db.session.scalars(sa.select(CommenterAction).order_by(CommenterAction.id)).all()
    assert [(a.value, a.level, a.note) for a in actions] == [
        ("adal@example.com", "banned", "spam run"), ("adal@example.com", "none", "apologised")]
    assert standing_for(None, "adal@example.com", "") == NO_STANDING


def test_a_suspension_without_an_end_is_refused(app):
    with pytest.raises(ValueError):
        set_standing("email", "adal@example.com", "suspended", None, "", None)


def test_histories_count_an_authors_comments_and_name_their_rung(app, post):
    first = make_comment(post, author_email="ada@example.com", author_name="Ada")
    make_comment(post, author_email="ada@example.com", author_name="Ada", status="spam")
    latest = make_comment(post, author_email="ada@example.com", author_name="Ada", status="pending",
                          author_ip="198.51.100.8")
    other = make_comment(post, author_email="bob@example.com", author_name="Bob")
    stand("ip", "198.51.100.8", "hold")
    comments = db.session.scalars(sa.select(Comment).where(Comment.id.in_([latest.id, other.id]))).all()
    found = []
    statements = statements_during(app, lambda: found.append(histories_for(comments)))
    assert len(statements) == 2  # the guests' grouped counts (no accounts here) and the ladder
    histories = found[0]
    assert (histories[latest.id].approved, histories[latest.id].spam, histories[latest.id].level) == (1, 1, "hold")
    assert histories[latest.id].first_seen == first.created_at
    assert (histories[other.id].approved, histories[other.id].spam, histories[other.id].level) == (1, 0, None)


def test_a_banned_commenter_cannot_edit_an_earlier_comment(client, post):
    save_settings({"comment_previously_approved": False})
    db.session.commit()
    submit_comment(client, post, email="Ada.L@example.com", comment="Innocent words.")
    comment = stored()[-1]
    stand("email", "adal@example.com", "banned")
    action, hidden = form_fields(client.get(f"/comments/{comment.id}/edit"), "form#comment-edit-form")
    response = client.post(action, data=hidden | {"comment": "Now with casino links."})
    assert response.status_code == 403
    assert BANNED in response.get_data(as_text=True)
    assert stored()[-1].body == "Innocent words."
