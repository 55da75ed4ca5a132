"""privacy.personal_data: what an export holds, and what an erasure changes (and keeps)."""

import json

import sqlalchemy as sa

from auth.models import Identity, User
from blog.likes import like_comment, like_post
from blog.models import Comment, CommentRevision, ModerationLog, Post, SiteState
from extensions import db
from notify.models import OutboxMessage, Subscription
from privacy import personal_data
from tests.support.factories import make_comment, make_post

ANN = "ann@example.com"


def _ann_account() -> User:
    user = User(display_name="Ann Account", email="Ann@Example.com", email_verified=True)
    user.identities.append(Identity(provider="google", subject="g-123", display_name="Ann G", email=ANN,
                                    email_verified=True))
    db.session.add(user)
    db.session.commit()
    return user


def _content_version() -> int:
    return db.session.scalar(sa.select(SiteState.content_version))


def test_account_ids_finds_verified_accounts_and_identities_only(app):
    user = _ann_account()
    stranger = User(display_name="Claims Ann", email=ANN, email_verified=False)
    db.session.add(stranger)
    db.session.commit()
    assert personal_data.account_ids("  ANN@example.com ") == [user.id]
    assert personal_data.account_ids("") == []


def test_export_json_holds_comments_likes_subscriptions_identities_and_accounts(app):
    user = _ann_account()
    post = make_post(title="On gardens")
    guest = make_comment(post, author_email="ANN@example.com", author_ip="198.51.100.4", user_agent="Firefox/1",
                         body="Guest words", status="pending")
    logged = make_comment(post, author_email="other-address@example.com", user_id=user.id, body="Account words")
    make_comment(post, author_email="bob@example.com", body="Bob's words")
    db.session.add(CommentRevision(comment_id=logged.id, body="Account words, first try", editor_name="Ann"))
    db.session.add(Subscription(email=ANN, scope="comments", post_id=post.id))
    db.session.add(OutboxMessage(to_addr=ANN, subject="New comment on On gardens", body_text="..."))
    db.session.commit()
    like_post(user, post)
    db.session.commit()

    data = json.loads("".join(personal_data.export_json(ANN, [user.id])))

    assert data["email"] == ANN
    assert [a["display_name"] for a in data["accounts"]] == ["Ann Account"]
    assert [(i["provider"], i["subject"]) for i in data["identities"]] == [("google", "g-123")]
    assert [s["scope"] for s in data["subscriptions"]] == ["comments"]
    assert [like["title"] for like in data["likes"]["posts"]] == ["On gardens"]
    assert [(m["subject"], m["status"]) for m in data["mails"]] == [("New comment on On gardens", "pending")]
    by_id = {c["id"]: c for c in data["comments"]}
    assert set(by_id) == {guest.id, logged.id}
    assert by_id[guest.id]["status"] == "pending" and by_id[guest.id]["author_ip"] == "198.51.100.4"
    assert by_id[guest.id]["user_agent"] == "Firefox/1" and by_id[guest.id]["body"] == "Guest words"
    assert by_id[guest.id]["post_title"] == "On gardens"
    assert by_id[guest.id]["comment_url"] == by_id[guest.id]["post_url"] + f"#comment-{guest.id}"
    assert by_id[guest.id]["post_url"].startswith("http://127.0.0.1:5000/")
    assert [r["body"] for r in data["comment_revisions"]] == ["Account words, first try"]


def test_export_html_is_escaped_and_readable(app):
    post = make_post()
    make_comment(post, author_email=ANN, author_name="<b>Ann</b>", body="<script>alert(1)</script>",
                 author_ip="192.0.2.9")
    page = "".join(personal_data.export_html(ANN, []))
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "&lt;b&gt;Ann&lt;/b&gt;" in page and "192.0.2.9" in page


def test_an_empty_address_matches_no_comment(app):
    post = make_post()
    make_comment(post, author_email="")
    assert json.loads("".join(personal_data.export_json("", [])))["comments"] == []
    personal_data.erase("", [], True, "Tester")
    db.session.commit()
    assert db.session.scalar(sa.select(Comment.author_name)) != personal_data.ANONYMOUS


def test_erase_anonymises_comments_and_keeps_held_texts(app):
    user = _ann_account()
    post = make_post()
    approved = make_comment(post, author_email=ANN, author_url="http://ann.example", author_ip="192.0.2.1",
                            user_agent="UA", author_avatar_url="http://img.example/a.png", body="Approved words")
    held = make_comment(post, author_email=ANN, status="pending", body="Held words")
    spam = make_comment(post, author_email=ANN, status="spam", body="Spam words")
    by_account = make_comment(post, author_email="", user_id=user.id, provider="google", body="Account words")
    db.session.add(CommentRevision(comment_id=approved.id, body="Old approved words", editor_name="Ann",
                                   editor_role="author"))
    bob = make_comment(post, author_email="bob@example.com", body="Bob's words")
    db.session.commit()
    before = _content_version()

    outcome = personal_data.erase(ANN, personal_data.account_ids(ANN), True, "Reader")
    db.session.commit()

    assert outcome.startswith("4 comments anonymised, 2 texts removed, 2 texts kept: awaiting moderation")
    rows = {c.id: c for c in db.session.scalars(sa.select(Comment))}
    for comment_id in (approved.id, held.id, spam.id, by_account.id):
        row = rows[comment_id]
        assert (row.author_name, row.author_email, row.author_url, row.author_ip, row.user_agent) == \
            ("Anonymous", "", "", "", "")
        assert row.author_avatar_url is None and row.user_id is None
    assert rows[approved.id].body == personal_data.ERASED_TEXT
    assert rows[by_account.id].body == personal_data.ERASED_TEXT
    assert (rows[held.id].body, rows[spam.id].body) == ("Held words", "Spam words")
    assert rows[bob.id].author_name != "Anonymous" and rows[bob.id].body == "Bob's words"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentRevision)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 0
    assert _content_version() > before


def test_erase_without_text_keeps_every_text(app):
    post = make_post()
    comment = make_comment(post, author_email=ANN, body="Keep me")
    outcome = personal_data.erase(ANN, [], False, "Reader")
    db.session.commit()
    db.session.refresh(comment)
    assert comment.body == "Keep me" and comment.author_name == "Anonymous"
    assert "removed" not in outcome


def test_erase_deletes_subscriptions_and_likes_with_counts_kept_right(app):
    user = _ann_account()
    other = User(display_name="Other", email="other@example.com", email_verified=True)
    db.session.add(other)
    post = make_post()
    comment = make_comment(post, author_email="bob@example.com")
    for liker in (user, other):
        like_post(liker, post)
        like_comment(liker, comment)
    db.session.add(Identity(user_id=user.id, provider="github", subject="gh-9", display_name="Ann",
                            email="ann@work.example"))
    db.session.add_all([Subscription(email="ANN@example.com", scope="posts"),
                        Subscription(email="someone@example.com", scope="posts"),
                        Subscription(email="ann-account-mail@example.com", user_id=user.id, scope="posts"),
                        OutboxMessage(to_addr=ANN, subject="To Ann", body_text="Dear Ann", status="sent"),
                        OutboxMessage(to_addr="someone@example.com", subject="To someone", body_text="Hi")])
    db.session.commit()

    outcome = personal_data.erase(ANN, [user.id], False, "Reader")
    db.session.commit()

    assert "2 subscriptions deleted, 2 likes deleted, 1 identity unlinked, 1 mail deleted" in outcome
    assert db.session.scalars(sa.select(OutboxMessage.to_addr)).all() == ["someone@example.com"]
    assert db.session.scalars(sa.select(Subscription.email)).all() == ["someone@example.com"]
    assert db.session.get(Post, post.id).like_count == 1
    assert db.session.get(Comment, comment.id).like_count == 1
    assert db.session.scalars(sa.select(Identity.provider)).all() == ["github"]  # another address: kept


def test_erase_logs_counts_without_the_address(app):
    post = make_post()
    make_comment(post, author_email=ANN, author_name="Ann Lee", body="Secret words")
    personal_data.erase(ANN, [], True, "Reader (signed link)", request_id=12)
    db.session.commit()
    entry = db.session.scalar(sa.select(ModerationLog))
    assert entry.comment_id is None and entry.action == "privacy-erase"
    assert entry.detail.startswith("privacy request 12: 1 comment anonymised")
    assert entry.moderator_name == "Reader (signed link)"
    for secret in ("ann", "Ann Lee", "Secret words"):
        assert secret not in entry.detail
