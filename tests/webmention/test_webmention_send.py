"""Mentions the blog sends: a published or edited post's links, and a staff reply to a comment that
came by Webmention, sent over real HTTP to another blog's endpoint on 127.0.0.1."""

import threading

import sqlalchemy as sa
from werkzeug.serving import make_server

from blog.models import Comment
from blog.permalinks import post_url
from blog.posts import PostDraft, delete_post, save_post
from blog.settings import save_settings
from extensions import db
from tests.support.admin import admin_post, client_as, csrf_token_from, make_user
from tests.support.factories import make_comment, make_post
from tests.support.fake_blog import entry
from tests.support.servers import free_port
from webmention.models import Webmention
from webmention.send import queue_post_mentions, queue_reply_mention
from webmention.worker import webmention_pass


def sent() -> dict[str, Webmention]:
    db.session.expire_all()
    return {row.target: row for row in db.session.scalars(sa.select(Webmention).where(Webmention.direction == "sent"))}


def publish(user, body: str, post=None):
    draft = PostDraft(title="Links", slug="links", body=body, excerpt="", published_at=None, comments_open=True,
                      action="publish", status="published")
    return save_post(post, draft, user).post


def advertising(fake_blog, path: str, how: str = "link-header") -> str:
    """A page of the fake blog naming its endpoint in the Link header, a <link>, or a relative <a>."""
    if how == "link-header":
        return fake_blog.page(path, "<p>Hi</p>", headers={"Link": f'<{fake_blog.endpoint}>; rel="webmention"'})
    if how == "link":
        return fake_blog.page(path, f'<html><head><link rel="webmention" href="{fake_blog.endpoint}"></head></html>')
    return fake_blog.page(path, '<body><a rel="nofollow webmention" href="/webmention">endpoint</a></body>')


def test_publishing_sends_a_mention_per_link_with_retries(app, fake_blog, connections):
    owner = make_user(True, "Blog Owner", "owner@example.com")
    first = advertising(fake_blog, "/a")
    second = advertising(fake_blog, "/b", how="link")
    third = advertising(fake_blog, "/c", how="relative")
    silent = fake_blog.page("/no-endpoint", "<p>No endpoint here</p>")
    body = (f"See [one]({first}), [two]({second}), [three]({third}), [four]({silent}), "
            f"[again]({first}), [mine](http://127.0.0.1:5000/about/) and [mail](mailto:a@b.test).")
    fake_blog.endpoint_statuses = [500]  # the first notification fails, the others are taken
    post = publish(owner, body)
    source = post_url(post, _external=True)
    rows = sent()
    assert sorted(rows) == sorted([first, second, third, silent])
    assert {(row.source, row.status, row.post_id) for row in rows.values()} == {(source, "queued", post.id)}

    webmention_pass()
    rows = sent()
    assert [rows[t].status for t in (first, second, third, silent)] == ["queued", "sent", "sent", "no_endpoint"]
    assert rows[first].attempts == 1 and "answered 500" in rows[first].last_error
    assert rows[third].endpoint == fake_blog.endpoint  # the relative href, resolved
    webmention_pass()
    rows = sent()
    assert (rows[first].status, rows[first].attempts, rows[first].endpoint) == ("sent", 2, fake_blog.endpoint)
    assert sorted((r.source, r.target) for r in fake_blog.received) == sorted(
        [(source, first), (source, second), (source, third)])
    assert webmention_pass() is None
    assert {host for host, _port in connections} == {"127.0.0.1"}


def test_editing_a_post_mentions_added_and_dropped_links(app, fake_blog):
    owner = make_user(True, "Blog Owner", "owner@example.com")
    kept, dropped, added = (advertising(fake_blog, path) for path in ("/kept", "/dropped", "/added"))
    post = publish(owner, f"[k]({kept}) [d]({dropped})")
    webmention_pass()
    post = publish(owner, f"[k]({kept}) [a]({added})", post)
    rows = sent()
    assert {t: r.status for t, r in rows.items()} == {kept: "queued", dropped: "queued", added: "queued"}
    webmention_pass()
    assert {r.status for r in sent().values()} == {"sent"}
    assert [r.target for r in fake_blog.received].count(dropped) == 2  # told again: it may remove us


def test_an_endpoint_that_refuses_fails_and_a_protected_post_sends_nothing(app, fake_blog):
    owner = make_user(True, "Blog Owner", "owner@example.com")
    page = advertising(fake_blog, "/refusing")
    fake_blog.endpoint_statuses = [400]
    publish(owner, f"[x]({page})")
    webmention_pass()
    row = sent()[page]
    assert (row.status, row.attempts) == ("failed", 1)
    assert "answered 400" in row.last_error
    locked = make_post(password="secret", body=f"[x]({fake_blog.url}/other)")
    assert queue_post_mentions(locked) == 0


def test_sending_stops_when_webmentions_are_off(app, fake_blog):
    save_settings({"webmention_enabled": False})
    db.session.commit()
    owner = make_user(True, "Blog Owner", "owner@example.com")
    publish(owner, f"[x]({advertising(fake_blog, '/off')})")
    assert sent() == {}


def test_the_owners_reply_to_a_webmention_is_sent_and_verified_by_the_other_blog(app_factory, fake_blog):
    port = free_port()
    app = app_factory(SITE_URL=f"http://127.0.0.1:{port}")
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with app.test_request_context():
            _reply_round_trip(app, fake_blog)
    finally:
        server.shutdown()
        thread.join(2)
        server.server_close()


def _reply_round_trip(app, fake_blog):
    post = make_post()
    target = post_url(post, _external=True)
    their_page = fake_blog.page("/replies/1", entry(target, content="What a post", name="Ada"),
                                headers={"Link": f'<{fake_blog.endpoint}>; rel="webmention"'})
    client = app.test_client()
    assert client.post("/webmention", data={"source": their_page, "target": target}).status_code == 202
    webmention_pass()
    remote = db.session.scalar(sa.select(Comment).where(Comment.source_url == their_page))
    owner = make_user(True, "Blog Owner", "owner@example.com")
    owner_client = client_as(app, owner)
    token = csrf_token_from(owner_client.get("/admin/"))
    response = admin_post(owner_client, f"/admin/comments/{remote.id}/reply", token, body="Thank you, Ada!")
    assert response.status_code in (200, 303), response.status_code
    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == remote.id))
    assert reply.status == "approved"
    row = sent()[their_page]
    assert row.source == f"{app.config['SITE_URL']}/comments/{reply.id}/"

    webmention_pass()
    row = sent()[their_page]
    assert (row.status, row.endpoint) == ("sent", fake_blog.endpoint)
    [heard] = fake_blog.received
    assert (heard.source, heard.target) == (row.source, their_page)
    assert heard.verified, heard.reason  # our page links their page


def test_a_guests_reply_to_a_webmention_sends_nothing(app, post, fake_blog):
    remote = make_comment(post, comment_type="webmention", source_url=fake_blog.url + "/x")
    reader = make_comment(post, parent=remote)
    assert queue_reply_mention(reader) is False
    assert sent() == {}


def test_a_withdrawn_or_deleted_post_tells_the_pages_it_mentioned(app, fake_blog):
    owner = make_user(True, "Blog Owner", "owner@example.com")
    page = advertising(fake_blog, "/told")
    post = publish(owner, f"[x]({page})")
    webmention_pass()
    delete_post(post)
    row = sent()[page]
    assert (row.status, row.post_id) == ("queued", None)
    webmention_pass()
    assert sent()[page].status == "sent"
    assert [r.target for r in fake_blog.received] == [page, page]
