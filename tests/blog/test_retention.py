"""How long commenters' IPs and user agents are kept (comment_ip_retention_days)."""

from datetime import timedelta

import sqlalchemy as sa

from blog.models import Comment, CommentDraft
from blog.retention import forget_old_ips
from blog.settings import save_settings
from core.dbtypes import utcnow
from extensions import db
from tests.support.factories import make_comment
from tests.support.helpers import submit_comment

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"


def browser(client):
    """The client sends a browser's User-Agent with every request."""
    client.environ_base["HTTP_USER_AGENT"] = BROWSER
    return client


def stored() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).order_by(Comment.id)))


def keep_ips_for(days: int | None, **more) -> None:
    save_settings({"comment_ip_retention_days": days, **more})
    db.session.commit()


def written_days_ago(post, days: int) -> Comment:
    return make_comment(post, author_ip="198.51.100.9", user_agent=BROWSER,
                        created_at=utcnow() - timedelta(days=days))


def test_zero_days_stores_no_ip_or_user_agent_yet_the_same_email_is_still_held_back_by_flood_control(client, post):
    keep_ips_for(0, comment_flood_seconds=15)
    first = submit_comment(browser(client), post, comment="One.")
    assert first.status_code == 303
    [comment] = stored()
    assert (comment.author_ip, comment.user_agent) == ("", "")
    again = submit_comment(client, post, comment="Two.", ip="198.51.100.2")
    assert again.status_code == 429
    assert "You are posting comments too quickly." in again.get_data(as_text=True)
    assert len(stored()) == 1


def test_zero_days_still_checks_the_request_address_against_the_moderation_list(client, post):
    keep_ips_for(0, moderation_keys="203.0.113.7")
    assert submit_comment(client, post, comment="Held by my address.").status_code == 303
    [comment] = stored()
    assert comment.status == "pending" and "203.0.113.7" in comment.status_reason
    assert comment.author_ip == ""


def test_forever_stores_them_and_the_daily_command_keeps_them(client, post, runner):
    keep_ips_for(None)
    submit_comment(browser(client), post, comment="Kept.")
    ancient = written_days_ago(post, 4000)
    result = runner.invoke(args=["comments", "purge-trash"])
    assert result.exit_code == 0, result.output
    assert "IP addresses and user agents are kept" in result.output
    new, old = stored()[0], db.session.get(Comment, ancient.id)
    assert (new.author_ip, new.user_agent) == ("203.0.113.7", BROWSER)
    assert (old.author_ip, old.user_agent) == ("198.51.100.9", BROWSER)


def test_the_daily_command_forgets_them_only_on_comments_older_than_the_setting(post, runner):
    keep_ips_for(30)
    old, recent = written_days_ago(post, 31), written_days_ago(post, 29)
    old_updated_at = old.updated_at
    result = runner.invoke(args=["comments", "purge-trash"])
    assert result.exit_code == 0, result.output
    assert "Deleted 0 comment(s) trashed" in result.output
    assert "Removed the IP address and user agent of 1 comment(s) older than 30 day(s)." in result.output
    old, recent = stored()
    assert (old.author_ip, old.user_agent) == ("", "")
    assert old.updated_at == old_updated_at
    assert (recent.author_ip, recent.user_agent) == ("198.51.100.9", BROWSER)
    again = runner.invoke(args=["comments", "purge-trash"])
    assert "of 0 comment(s)" in again.output


def test_forgetting_goes_batch_by_batch_until_every_old_comment_is_cleared(post):
    for _ in range(5):
        written_days_ago(post, 10)
    make_comment(post, author_ip="", user_agent=BROWSER, created_at=utcnow() - timedelta(days=10))
    assert forget_old_ips(7, utcnow(), batch_size=2) == 6
    assert {(c.author_ip, c.user_agent) for c in stored()} == {("", "")}


def test_the_daily_command_deletes_comment_drafts_held_over_a_day(post, runner):
    db.session.add_all([CommentDraft(key_hash="a" * 64, post_id=post.id, body="Left behind.",
                                     created_at=utcnow() - timedelta(hours=25)),
                        CommentDraft(key_hash="b" * 64, post_id=post.id, body="Logging in now.")])
    db.session.commit()
    result = runner.invoke(args=["comments", "purge-trash"])
    assert "Deleted 1 comment draft(s) older than a day." in result.output
    db.session.expire_all()
    assert list(db.session.scalars(sa.select(CommentDraft.body))) == ["Logging in now."]
