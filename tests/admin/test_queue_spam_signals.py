"""The moderation queue shows what the spam defences know of each row (the filter's score, readers'
reports, the author's history) and sorts by "most likely spam"."""

from datetime import timedelta

from blog.spam.models import CommentReport
from core.dbtypes import utcnow
from extensions import db
from tests.support.factories import make_comment
from tests.support.helpers import page_soup


def row(page, comment):
    return page.select_one(f"tr#comment-{comment.id}")


def test_each_row_shows_the_score_reports_and_the_authors_history(admin_client, post):
    make_comment(post, author_email="ada@example.com", status="approved")
    make_comment(post, author_email="ada@example.com", status="spam")
    held = make_comment(post, author_email="ada@example.com", status="pending", spam_score=0.91)
    for key, reason in (("a", "spam"), ("b", "spam"), ("c", "abuse")):
        db.session.add(CommentReport(comment_id=held.id, reason=reason, reporter_key=key))
    db.session.commit()

    page = page_soup(admin_client.get("/admin/comments?comment_status=pending"))
    text = " ".join(row(page, held).get_text(" ").split())
    assert "Spam filter: 0.91" in text
    assert "Reported 3×: abuse 1, spam 2" in text
    assert "1 approved · 1 spam" in text and "first seen" in text
    assert row(page, held).select_one(".spam-score-high") is not None  # above the default threshold


def test_most_likely_spam_first_puts_the_highest_scores_on_top_and_unscored_last(admin_client, post):
    high = make_comment(post, status="pending", spam_score=0.95, created_at=utcnow() - timedelta(minutes=3))
    unscored = make_comment(post, status="pending", created_at=utcnow() - timedelta(minutes=2))
    low = make_comment(post, status="pending", spam_score=0.2, created_at=utcnow() - timedelta(minutes=1))
    db.session.commit()

    page = page_soup(admin_client.get("/admin/comments?comment_status=pending&orderby=spam_score"))
    ids = [int(tr["data-id"]) for tr in page.select("tr.comment-row")]
    assert ids == [high.id, low.id, unscored.id]
    assert page.select_one(".sort-links [aria-current]").get_text() == "Most likely spam first"

    newest = page_soup(admin_client.get("/admin/comments?comment_status=pending&orderby=nonsense"))
    assert [int(tr["data-id"]) for tr in newest.select("tr.comment-row")] == [low.id, unscored.id, high.id]
    assert newest.select_one(".sort-links [aria-current]").get_text() == "Newest first"


def test_the_all_tab_keeps_newest_first_whatever_the_address_asks(admin_client, post):
    high = make_comment(post, status="pending", spam_score=0.95, created_at=utcnow() - timedelta(minutes=2))
    low = make_comment(post, status="approved", spam_score=0.1, created_at=utcnow() - timedelta(minutes=1))
    db.session.commit()

    page = page_soup(admin_client.get("/admin/comments?comment_status=all&orderby=spam_score"))
    assert [int(tr["data-id"]) for tr in page.select("tr.comment-row")] == [low.id, high.id]
    assert page.select_one(".sort-links") is None
