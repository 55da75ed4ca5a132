"""Received mentions verified by the worker over real HTTP against another blog on 127.0.0.1."""

import time

import sqlalchemy as sa

from blog.models import Comment, Post, RemoteReaction
from blog.permalinks import comment_mail_link, post_url
from extensions import db
from tests.support.admin import admin_post
from tests.support.factories import make_comment, make_post
from tests.support.fake_blog import entry
from webmention.models import Webmention
from webmention.worker import webmention_pass


def target_of(post, **kwargs) -> str:
    return post_url(post, _external=True, **kwargs)


def mention(client, source: str, target: str):
    response = client.post("/webmention", data={"source": source, "target": target},
                           environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert response.status_code == 202, response.get_data(as_text=True)


def received(source: str) -> Webmention:
    db.session.expire_all()
    return db.session.scalar(sa.select(Webmention).where(Webmention.direction == "received",
                                                         Webmention.source == source))


def comments_from(source: str) -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).where(Comment.source_url == source)))


def verify(client, source: str, target: str) -> Webmention:
    mention(client, source, target)
    webmention_pass()
    return received(source)


def test_a_reply_becomes_a_held_comment_and_shows_once_approved(client, post, fake_blog, admin_client,
                                                                  admin_token):
    target = target_of(post)
    source = fake_blog.page("/replies/1", entry(target, content="<p>Great <b>point</b>!</p><script>x()</script>",
                                                 name="Ada Lovelace", url=fake_blog.url + "/",
                                                 photo=fake_blog.url + "/ada.png"))
    row = verify(client, source, target)
    assert (row.status, row.kind, row.last_error) == ("accepted", "reply", "")
    [comment] = comments_from(source)
    assert row.comment_id == comment.id
    assert (comment.status, comment.comment_type, comment.author_name) == ("pending", "webmention", "Ada Lovelace")
    assert (comment.author_url, comment.author_avatar_url) == (fake_blog.url + "/", fake_blog.url + "/ada.png")
    assert "Great <b>point</b>!" in comment.body and "script" not in comment.body
    queue = admin_client.get("/admin/comments?comment_status=pending").get_data(as_text=True)
    assert "Ada Lovelace" in queue and "Great" in queue and f'href="{fake_blog.url}/"' in queue
    assert "Great" not in client.get(target).get_data(as_text=True)

    assert admin_post(admin_client, f"/admin/comments/{comment.id}/approve", admin_token).status_code in (200, 303)
    page = client.get(target).get_data(as_text=True)
    assert "Ada Lovelace" in page and "Great <b>point</b>!" in page


def test_likes_and_reposts_are_counted_once_per_source(client, post, fake_blog):
    target = target_of(post)
    like = fake_blog.page("/likes/1", entry(target, prop="like-of", name="Grace", url=fake_blog.url + "/grace"))
    repost = fake_blog.page("/reposts/1", entry(target, prop="repost-of", name="Alan"))
    assert verify(client, like, target).kind == "like"
    assert verify(client, repost, target).kind == "repost"
    assert verify(client, like, target).status == "accepted"  # sent again: still one like
    db.session.expire_all()
    assert db.session.get(Post, post.id).reaction_count == 2
    reactions = db.session.execute(sa.select(RemoteReaction.kind, RemoteReaction.author_name, RemoteReaction.author_url)
                                   .order_by(RemoteReaction.id)).all()
    assert reactions == [("like", "Grace", fake_blog.url + "/grace"), ("repost", "Alan", "")]
    assert comments_from(like) == []


def test_a_broken_link_elsewhere_on_the_page_does_not_spoil_it(client, post, fake_blog):
    target = target_of(post)
    broken = '<a href="http://[oops/">an unclosed IPv6 bracket, which urlsplit raises on</a>'
    source = fake_blog.page("/replies/broken", entry(target, content="Still a reply", extra=broken))
    row = verify(client, source, target)
    assert (row.status, row.kind, row.last_error) == ("accepted", "reply", "")


def test_a_reply_sent_again_after_an_edit_updates_its_text(client, post, fake_blog):
    target = target_of(post)
    source = fake_blog.page("/replies/2", entry(target, content="First words"))
    verify(client, source, target)
    fake_blog.page("/replies/2", entry(target, content="Second thoughts"))
    row = verify(client, source, target)
    [comment] = comments_from(source)
    assert row.status == "accepted" and row.comment_id == comment.id
    assert "Second thoughts" in comment.body and comment.edited_at is not None


def test_a_deleted_source_410_removes_the_reply_and_the_like(client, post, fake_blog):
    target = target_of(post)
    reply = fake_blog.page("/replies/3", entry(target))
    like = fake_blog.page("/likes/3", entry(target, prop="like-of"))
    verify(client, reply, target)
    verify(client, like, target)
    fake_blog.page("/replies/3", "Gone", status=410)
    fake_blog.page("/likes/3", "Gone", status=410)
    assert verify(client, reply, target).status == "deleted"
    assert verify(client, like, target).status == "deleted"
    [comment] = comments_from(reply)
    assert comment.status == "trash"
    assert db.session.get(Post, post.id).reaction_count == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteReaction)) == 0


def test_a_previously_accepted_source_that_answers_404_is_removed(client, post, fake_blog):
    target = target_of(post)
    source = fake_blog.page("/replies/4", entry(target))
    verify(client, source, target)
    del fake_blog.pages["/replies/4"]
    assert verify(client, source, target).status == "deleted"
    assert [c.status for c in comments_from(source)] == ["trash"]


def test_a_source_that_does_not_link_the_target_is_rejected(client, post, fake_blog):
    source = fake_blog.page("/unrelated", "<html><body><a href='http://127.0.0.1:5000/elsewhere/'>x</a></body></html>")
    row = verify(client, source, target_of(post))
    assert (row.status, row.last_error) == ("rejected", "the source does not link the target")
    assert comments_from(source) == []


def test_a_reply_that_no_longer_links_the_target_is_removed(client, post, fake_blog):
    target = target_of(post)
    source = fake_blog.page("/replies/5", entry(target))
    verify(client, source, target)
    fake_blog.page("/replies/5", "<html><body><p>Changed my mind.</p></body></html>")
    assert verify(client, source, target).status == "rejected"
    assert [c.status for c in comments_from(source)] == ["trash"]


def test_a_plain_link_is_a_held_mention_with_the_entry_summary(client, post, fake_blog):
    target = target_of(post)
    source = fake_blog.page("/notes/1", f"""<html><body><div class="h-entry">
        <p class="p-summary">I read <a href="{target}#comments">this</a> today.</p></div></body></html>""")
    row = verify(client, source, target)
    [comment] = comments_from(source)
    assert (row.status, row.kind, comment.status) == ("accepted", "mention", "pending")
    assert "I read this today." in comment.body
    assert comment.author_name == "127.0.0.1"  # no h-card: the source's domain


def test_a_reply_to_a_comment_permalink_is_threaded_under_it(client, post, fake_blog):
    parent = make_comment(post)
    target = target_of(post, _anchor=f"comment-{parent.id}")
    source = fake_blog.page("/replies/6", entry(target, content="Answering you"))
    row = verify(client, source, target)
    [comment] = comments_from(source)
    assert (row.kind, comment.parent_id) == ("reply", parent.id)


def test_a_refused_comment_rejects_the_mention_with_the_reason(client, app, fake_blog):
    post = make_post()
    target = target_of(post)
    source = fake_blog.page("/replies/7", entry(target))
    mention(client, source, target)
    db.session.execute(sa.update(Post).where(Post.id == post.id).values(comments_open=False))
    db.session.commit()
    webmention_pass()
    row = received(source)
    assert row.status == "rejected" and "no longer a post" not in row.last_error
    assert comments_from(source) == []


def test_a_private_address_is_refused_before_connecting(app, client, post, fake_blog, private_listener, connections):
    app.config["OUTBOUND_LISTED_ONLY"] = False  # as in production (every address here is a literal: no lookup)
    target = target_of(post)
    redirecting = fake_blog.redirect("/moved", private_listener.url)
    to_lan = fake_blog.redirect("/lan", "http://10.0.0.1/")
    for source in (private_listener.url, redirecting, "http://10.0.0.1/page", to_lan):
        row = verify(client, source, target)
        assert row.status == "rejected" and "private or local address" in row.last_error, row.last_error
        assert row.attempts == 1
    assert private_listener.accepted == 0
    assert {host for host, _port in connections} == {"127.0.0.1"}


def test_a_huge_page_and_a_redirect_loop_are_rejected(client, post, fake_blog):
    target = target_of(post)
    huge = fake_blog.page("/huge", streamed_bytes=20 * 1024 * 1024)
    loop = fake_blog.redirect("/loop/a", fake_blog.url + "/loop/b")
    fake_blog.redirect("/loop/b", fake_blog.url + "/loop/a")
    started = time.monotonic()
    row = verify(client, huge, target)
    assert row.status == "rejected" and "larger than" in row.last_error
    assert time.monotonic() - started < 5
    row = verify(client, loop, target)
    assert row.status == "rejected" and "redirect loop" in row.last_error


def test_pages_built_to_be_slow_to_parse_finish_quickly(client, post, fake_blog):
    target = target_of(post)
    link = f'<a class="u-in-reply-to" href="{target}">x</a>'
    deep = fake_blog.page("/deep", "<html><body>" + link + "<div>" * 180_000)
    wide = fake_blog.page("/wide", "<html><body><a " + " ".join(f"a{i}=1" for i in range(100_000))
                          + f' href="{target}">x</a>' + "<b>" * 90 + "</body></html>")
    many = fake_blog.page("/many", "<html><body>" + link * 11_000 + "</body></html>")
    started = time.monotonic()
    assert verify(client, deep, target).last_error.endswith("nests more than 100 elements deep")
    for source in (wide, many):
        row = verify(client, source, target)
        assert row.status == "accepted", row.last_error
    assert time.monotonic() - started < 10


def test_an_unreachable_or_failing_source_is_retried_then_rejected(app_factory, fake_blog):
    app = app_factory(FEDERATION_MAX_ATTEMPTS=3)
    with app.test_request_context():
        post = make_post()
        client = app.test_client()
        failing = fake_blog.page("/broken", "Oops", status=503)
        mention(client, failing, target_of(post))
        statuses = []
        for _ in range(3):
            webmention_pass()
            row = received(failing)
            statuses.append((row.status, row.attempts))
        assert statuses == [("queued", 1), ("queued", 2), ("rejected", 3)]
        assert row.last_error == "the source answered 503"
        assert len(fake_blog.hits_to("/broken")) == 3
        assert webmention_pass() is None  # nothing left to do


def test_one_bad_row_does_not_stop_the_pass(client, post, fake_blog):
    target = target_of(post)
    good = fake_blog.page("/replies/8", entry(target))
    mention(client, "http://127.0.0.1:9/nothing-listens", target)
    mention(client, good, target)
    report = webmention_pass()
    assert "received accepted" in report and "received retried" in report
    assert received(good).status == "accepted"
    assert "could not connect" in received("http://127.0.0.1:9/nothing-listens").last_error


def test_a_reply_to_a_comment_link_is_threaded_under_that_comment(client, post, fake_blog):
    parent = make_comment(post)
    target = comment_mail_link(parent.id)  # /comments/<id>/, as the blog's own replies are sent
    source = fake_blog.page("/replies/9", entry(target, content="Replying to your reply"))
    row = verify(client, source, target)
    [comment] = comments_from(source)
    assert (row.status, row.kind, comment.parent_id, comment.post_id) == ("accepted", "reply", parent.id, post.id)
