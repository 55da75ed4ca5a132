"""The inbox against a fake fediverse server over real HTTP: signed activities in both schemes,
what the door refuses, and what the worker makes of what it queued."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from activitypub.inbox import inbox_pass
from activitypub.models import Activity, Delivery, Follower, InboundActivity, RemoteActor
from blog.models import Comment, Post, RemoteReaction
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.fediverse_server import sign

SCHEMES = ["cavage", "rfc9421"]


@pytest.fixture
def ada(fediverse):
    return fediverse.add_actor("ada", "Ada Lovelace")


@pytest.fixture
def post(live_blog):
    return make_post(title="Negotiating a raise")


def fresh(model, *where):
    db.session.rollback()  # see what the server's threads committed
    return list(db.session.scalars(sa.select(model).where(*where)))


def object_id(live_blog, post: Post) -> str:
    return f"{live_blog.url}/ap/posts/{post.id}"


def deliver(fediverse, live_blog, actor, activity, scheme="cavage", **options):
    """Send, expect 202, and run the worker's pass; the activity's InboundActivity row."""
    answer = fediverse.send(actor, live_blog.inbox, activity, scheme, **options)
    assert answer.status_code == 202, answer.text
    inbox_pass()
    [row] = fresh(InboundActivity, InboundActivity.activity_uri == activity["id"])
    return row


def reply(fediverse, live_blog, actor, in_reply_to, content, scheme="cavage"):
    note = fediverse.note(actor, in_reply_to, content)
    row = deliver(fediverse, live_blog, actor, fediverse.activity(actor, "Create", note), scheme)
    return note, row


# Follow


@pytest.mark.parametrize("scheme", SCHEMES)
def test_follow_adds_a_follower_and_queues_an_accept_to_their_inbox(fediverse, live_blog, ada, scheme):
    follow = fediverse.activity(ada, "Follow", f"{live_blog.url}/ap/actor")
    row = deliver(fediverse, live_blog, ada, follow, scheme)
    assert row.status == "done"
    [follower] = fresh(Follower)
    assert follower.remote_actor.uri == ada.uri and follower.follow_activity_id == follow["id"]
    assert follower.remote_actor.handle == ada.handle and follower.remote_actor.avatar_url == ada.avatar_url
    [accept] = fresh(Activity, Activity.type == "Accept")
    assert accept.public is False
    assert accept.payload["object"]["id"] == follow["id"] and accept.payload["to"] == [ada.uri]
    assert accept.payload["actor"] == f"{live_blog.url}/ap/actor"
    [delivery] = fresh(Delivery)
    assert (delivery.activity_id, delivery.inbox, delivery.status) == (accept.id, ada.inbox, "queued")


def test_undo_follow_removes_the_follower(fediverse, live_blog, ada):
    follow = fediverse.activity(ada, "Follow", f"{live_blog.url}/ap/actor")
    deliver(fediverse, live_blog, ada, follow)
    row = deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Undo", follow))
    assert row.status == "done" and fresh(Follower) == []


def test_deleting_the_actor_removes_the_follower(fediverse, live_blog, ada):
    deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Follow", f"{live_blog.url}/ap/actor"))
    row = deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Delete", ada.uri))
    assert row.status == "done" and fresh(Follower) == []


# Replies


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_reply_becomes_a_held_comment_with_the_authors_handle_and_avatar(fediverse, live_blog, ada, post, scheme):
    note, row = reply(fediverse, live_blog, ada, object_id(live_blog, post), "<p>Great advice!</p>", scheme)
    assert row.status == "done", row.result
    [comment] = fresh(Comment)
    assert comment.status == "pending" and comment.post_id == post.id
    assert comment.body == "Great advice!" and comment.comment_type == "activitypub"
    assert comment.source_url == note["id"] and comment.author_handle == ada.handle
    assert comment.author_name == "Ada Lovelace" and comment.author_avatar_url == ada.avatar_url
    assert comment.author_url == ada.profile_url


def test_an_approved_reply_shows_on_the_post_page(fediverse, live_blog, ada, post):
    reply(fediverse, live_blog, ada, post_url(post, _external=True), "<p>Counter-offers work.</p>")
    [comment] = fresh(Comment)
    set_comment_status(comment, "approved", None, "test", actor="test")
    db.session.commit()
    page = live_blog.app.test_client().get(post_url(post))
    assert "Counter-offers work." in page.text and "Ada Lovelace" in page.text


def test_a_reply_to_a_fediverse_comment_threads_under_it(fediverse, live_blog, ada, post):
    first, _ = reply(fediverse, live_blog, ada, object_id(live_blog, post), "<p>First.</p>")
    set_comment_status(fresh(Comment)[0], "approved", None, "test", actor="test")
    db.session.commit()
    grace = fediverse.add_actor("grace", "Grace Hopper")
    _, row = reply(fediverse, live_blog, grace, first["id"], "<p>Second.</p>")
    assert row.status == "done", row.result
    parent, child = sorted(fresh(Comment), key=lambda c: c.id)
    assert child.parent_id == parent.id and child.author_handle == grace.handle


def test_a_reply_to_the_owners_note_threads_under_it(fediverse, live_blog, ada, post):
    from tests.support.admin import staff_user

    owner = staff_user("administrator")
    ours = make_comment(post, user_id=owner.id, body="Ask me anything.")
    _, row = reply(fediverse, live_blog, ada, f"{live_blog.url}/ap/comments/{ours.id}", "<p>Why?</p>")
    assert row.status == "done", row.result
    [theirs] = fresh(Comment, Comment.id != ours.id)
    assert theirs.parent_id == ours.id and theirs.post_id == post.id


def test_script_in_a_note_is_never_stored(fediverse, live_blog, ada, post):
    html = '<p>Hi<script>alert(1)</script> <a href="javascript:alert(2)" onclick="x()">there</a></p><img src=x>'
    reply(fediverse, live_blog, ada, object_id(live_blog, post), html)
    [comment] = fresh(Comment)
    assert "<script" not in comment.body and "alert" not in comment.body
    assert "javascript:" not in comment.body and "onclick" not in comment.body and "<img" not in comment.body
    assert "Hi" in comment.body and "there" in comment.body


def test_replies_to_unknown_posts_or_objects_are_ignored(fediverse, live_blog, ada, post):
    draft = make_post(status="draft")
    for target in (f"{live_blog.url}/ap/posts/999999", object_id(live_blog, draft),
                   f"{fediverse.url}/users/someone/statuses/9", "not a url"):
        _, row = reply(fediverse, live_blog, ada, target, "<p>Hello?</p>")
        assert row.status == "ignored", target
    assert fresh(Comment) == []


def test_a_ten_thousand_deep_reply_chain_is_ignored_without_fetching_it(fediverse, live_blog, ada, post):
    fediverse.chain_length = 10_000
    note = fediverse.note(ada, f"{fediverse.url}/notes/10000", "<p>Deep.</p>")
    fetched_before = len(fediverse.fetches)
    started = time.perf_counter()
    row = deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Create", note))
    assert row.status == "ignored" and time.perf_counter() - started < 5
    assert not any(path.startswith("/notes/") for path in fediverse.fetches[fetched_before:])


def test_an_activity_nested_ten_thousand_deep_is_refused_at_the_door(fediverse, live_blog, ada):
    nested = "{}"
    for _ in range(10_000):
        nested = '{"inReplyTo":' + nested + "}"
    body = f'{{"id": "{ada.uri}/x", "type": "Create", "actor": "{ada.uri}", "object": {nested}}}'.encode()
    answer = fediverse.send(ada, live_blog.inbox, body)
    assert answer.status_code == 400 and "nested" in answer.json()["error"]


def test_a_note_attributed_to_someone_else_is_refused(fediverse, live_blog, ada, post):
    grace = fediverse.add_actor("grace")
    note = fediverse.note(grace, object_id(live_blog, post), "<p>Words put in Grace's mouth.</p>")
    row = deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Create", note))
    assert row.status == "refused" and fresh(Comment) == []


def test_update_edits_the_comment_and_delete_removes_it(fediverse, live_blog, ada, post):
    note, _ = reply(fediverse, live_blog, ada, object_id(live_blog, post), "<p>Frist!</p>")
    row = deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Update", {**note, "content": "<p>First!</p>"}))
    assert row.status == "done", row.result
    [comment] = fresh(Comment)
    assert comment.body == "First!" and comment.edited_at is not None
    tombstone = {"id": note["id"], "type": "Tombstone"}
    assert deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Delete", tombstone)).status == "done"
    [comment] = fresh(Comment)
    assert comment.status == "trash"


def test_nobody_updates_or_deletes_another_actors_reply(fediverse, live_blog, ada, post):
    note, _ = reply(fediverse, live_blog, ada, object_id(live_blog, post), "<p>Mine.</p>")
    grace = fediverse.add_actor("grace")
    forged = {**note, "attributedTo": grace.uri, "content": "<p>Yours now.</p>"}
    assert deliver(fediverse, live_blog, grace, fediverse.activity(grace, "Update", forged)).status == "refused"
    assert deliver(fediverse, live_blog, grace, fediverse.activity(grace, "Delete", note["id"])).status == "refused"
    [comment] = fresh(Comment)
    assert comment.body == "Mine." and comment.status == "pending"


# Likes and reposts


def test_likes_and_announces_count_and_undo_takes_them_back(fediverse, live_blog, ada, post):
    like = fediverse.activity(ada, "Like", object_id(live_blog, post))
    announce = fediverse.activity(ada, "Announce", post_url(post, _external=True))
    assert deliver(fediverse, live_blog, ada, like).status == "done"
    assert deliver(fediverse, live_blog, ada, announce, "rfc9421").status == "done"
    reactions = fresh(RemoteReaction)
    assert sorted(r.kind for r in reactions) == ["like", "repost"]
    assert {r.source_url for r in reactions} == {ada.uri} and {r.author_photo for r in reactions} == {ada.avatar_url}
    assert fresh(Post, Post.id == post.id)[0].reaction_count == 2
    assert deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Undo", like)).status == "done"
    [left] = fresh(RemoteReaction)
    assert left.kind == "repost" and fresh(Post, Post.id == post.id)[0].reaction_count == 1


def test_a_like_of_something_not_ours_is_ignored(fediverse, live_blog, ada):
    row = deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Like", f"{fediverse.url}/notes/1"))
    assert row.status == "ignored" and fresh(RemoteReaction) == []


# The door


def test_an_unsigned_request_is_refused(fediverse, live_blog, ada):
    answer = fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "x"), signed=False)
    assert answer.status_code == 401 and "not signed" in answer.json()["error"]
    assert fresh(InboundActivity) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_signature_by_another_key_is_refused(fediverse, live_blog, ada, scheme):
    from tests.support.fediverse_server import new_private_key

    answer = fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "x"), scheme, key=new_private_key())
    assert answer.status_code == 401 and answer.json()["error"]
    assert fresh(InboundActivity) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_body_changed_after_signing_is_refused(fediverse, live_blog, ada, scheme):
    from tests.support.fediverse_server import sign

    activity = fediverse.activity(ada, "Like", "x")
    headers = sign(scheme, "POST", live_blog.inbox, json.dumps(activity).encode(), ada.key_id, ada.key)
    tampered = json.dumps({**activity, "type": "Announce"}).encode()
    answer = fediverse.send(ada, live_blog.inbox, tampered, signed=False, headers=headers)
    assert answer.status_code == 401 and fresh(InboundActivity) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_replayed_request_is_refused(fediverse, live_blog, ada, scheme):
    from tests.support.fediverse_server import sign

    body = json.dumps(fediverse.activity(ada, "Like", "x")).encode()
    headers = sign(scheme, "POST", live_blog.inbox, body, ada.key_id, ada.key)
    first = fediverse.send(ada, live_blog.inbox, body, signed=False, headers=headers)
    again = fediverse.send(ada, live_blog.inbox, body, signed=False, headers=headers)
    assert first.status_code == 202
    assert again.status_code == 401 and "replayed" in again.json()["error"]
    assert len(fresh(InboundActivity)) == 1


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_stale_date_is_refused(fediverse, live_blog, ada, scheme):
    stale = datetime.now(UTC) - timedelta(seconds=live_blog.app.config["ACTIVITYPUB_SIGNATURE_MAX_AGE"] + 120)
    answer = fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "x"), scheme, date=stale)
    assert answer.status_code == 401 and fresh(InboundActivity) == []


def test_a_key_rotated_without_updating_the_actor_document_is_refused(fediverse, live_blog, ada):
    assert fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "x")).status_code == 202
    db.session.execute(sa.update(RemoteActor).values(fetched_at=datetime.now(UTC) - timedelta(hours=1)))
    db.session.commit()
    fediverse.rotate_key(ada, publish=False)
    fetches = len(fediverse.fetches)
    answer = fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "y"))
    assert answer.status_code == 401 and answer.json()["error"]
    assert fediverse.fetches[fetches:] == ["/users/ada"], "fetched again once"
    again = fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "z"))
    assert again.status_code == 401 and len(fediverse.fetches) == fetches + 1, "not again so soon"


def test_a_key_rotated_in_the_actor_document_is_taken_up(fediverse, live_blog, ada):
    assert fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "x")).status_code == 202
    db.session.execute(sa.update(RemoteActor).values(fetched_at=datetime.now(UTC) - timedelta(hours=1)))
    db.session.commit()
    fediverse.rotate_key(ada, publish=True)
    assert fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "y"), "rfc9421").status_code == 202


def test_a_key_of_another_actor_is_refused(fediverse, live_blog, ada):
    grace = fediverse.add_actor("grace")
    activity = fediverse.activity(grace, "Like", "x")  # Grace's activity, signed with Ada's key
    answer = fediverse.send(ada, live_blog.inbox, activity)
    assert answer.status_code == 401 and "actor" in answer.json()["error"]


def test_an_actor_on_a_blocked_domain_is_refused_without_fetching(fediverse, live_blog, ada):
    save_settings({"federation_blocked_domains": "example.test\n127.0.0.1"})
    db.session.commit()
    fetches = len(fediverse.fetches)
    answer = fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "x"))
    assert answer.status_code == 403 and len(fediverse.fetches) == fetches


def test_an_unknown_actor_is_refused(fediverse, live_blog, ada):
    ghost = fediverse.add_actor("ghost")
    del fediverse.actors["ghost"]
    answer = fediverse.send(ghost, live_blog.inbox, fediverse.activity(ghost, "Like", "x"))
    assert answer.status_code == 401 and fresh(RemoteActor) == []


def test_a_body_over_256_kb_is_refused_with_413(fediverse, live_blog, ada):
    activity = fediverse.activity(ada, "Create", fediverse.note(ada, "x", "a" * 270_000))
    answer = fediverse.send(ada, live_blog.inbox, activity)
    assert answer.status_code == 413 and answer.json()["error"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"type": "Like"}', b'{"type": "Like", "id": "x"}',
                                  b'{"type": "Like", "id": "x", "actor": "ftp://a"}', b"\xff\xfe",
                                  b'{"type": "Like", "id": "x", "actor": "http://[::1/users/u"}'])
def test_malformed_activities_are_refused_with_400(fediverse, live_blog, ada, body):
    answer = fediverse.send(ada, live_blog.inbox, body)
    assert answer.status_code == 400 and answer.json()["error"]


@pytest.mark.parametrize("signature", ['keyId="x"', 'keyId="http://127.0.0.1:1/a",signature="!!"', "garbage",
                                       'keyId="http://127.0.0.1:1/a",algorithm="ed25519",signature="AA=="'])
def test_garbled_signatures_are_refused_with_401_never_500(fediverse, live_blog, ada, signature):
    answer = fediverse.send(ada, live_blog.inbox, fediverse.activity(ada, "Like", "x"), signed=False,
                            headers={"Signature": signature, "Date": "now"})
    assert answer.status_code == 401


def test_a_malformed_key_id_is_refused_with_401_never_500(fediverse, live_blog, ada):
    import requests

    body = json.dumps(fediverse.activity(ada, "Like", "x")).encode()
    headers = sign("cavage", "POST", live_blog.inbox, body, "http://[::1/users/ada#main-key", ada.key)
    answer = requests.post(live_blog.inbox, data=body, headers=headers | {"Content-Type": "application/activity+json"},
                           timeout=10)
    assert answer.status_code == 401 and answer.json()["error"]


def test_an_inbox_get_or_unknown_activity_type_never_fails(fediverse, live_blog, ada):
    import requests

    assert requests.get(live_blog.inbox, timeout=5).status_code == 405
    row = deliver(fediverse, live_blog, ada, fediverse.activity(ada, "Move", "x"))
    assert row.status == "ignored"
