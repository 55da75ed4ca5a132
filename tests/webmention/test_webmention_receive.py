"""The Webmention endpoint: what it refuses at once (400 with a reason) and what it queues (202)."""

import statistics
import time

import pytest
import sqlalchemy as sa
from flask import g

from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_comment, make_post
from webmention.models import Webmention
from webmention.receive import receive

SITE = "http://127.0.0.1:5000"
SOURCE = "http://127.0.0.1:8999/notes/1"


def absolute(post, **kwargs) -> str:
    return post_url(post, _external=True, **kwargs)


def mention(client, source, target, ip="198.51.100.4"):
    return client.post("/webmention", data={"source": source, "target": target},
                       environ_base={"REMOTE_ADDR": ip})


def rows() -> list[Webmention]:
    return list(db.session.scalars(sa.select(Webmention).order_by(Webmention.id)))


def test_a_mention_of_a_published_post_is_queued_with_202(client, post):
    response = mention(client, SOURCE, absolute(post))
    assert response.status_code == 202
    assert response.mimetype == "text/plain"
    [row] = rows()
    assert (row.direction, row.source, row.target, row.post_id) == ("received", SOURCE, absolute(post), post.id)
    assert (row.status, row.attempts, row.sender_ip) == ("queued", 0, "198.51.100.4")


def test_a_mention_sent_again_is_queued_again_in_the_same_row(client, post):
    mention(client, SOURCE, absolute(post))
    db.session.execute(sa.update(Webmention).values(status="accepted", attempts=3, kind="reply"))
    db.session.commit()
    assert mention(client, SOURCE, absolute(post), ip="198.51.100.9").status_code == 202
    db.session.expire_all()
    [row] = rows()
    assert (row.status, row.attempts, row.sender_ip, row.kind) == ("queued", 0, "198.51.100.9", "reply")


def test_a_comment_permalink_and_wordpress_addresses_name_the_post(client, post):
    comment = make_comment(post)
    page = make_post(kind="page", slug="about")
    for target in (absolute(post, _anchor=f"comment-{comment.id}"), f"{SITE}/?p={post.id}",
                   f"{SITE}/{post.slug}/", SITE + "/about/", absolute(post).rstrip("/"),
                   f"{SITE}/comments/{comment.id}/"):
        assert mention(client, SOURCE, target).status_code == 202, target
    assert [row.post_id for row in rows()] == [post.id, post.id, post.id, page.id, post.id, post.id]


@pytest.mark.parametrize("source, target, message", [
    ("", "{post}", "source is missing"),
    (SOURCE, "", "target is missing"),
    ("ftp://127.0.0.1/x", "{post}", "absolute http or https"),
    ("/relative/page", "{post}", "absolute http or https"),
    ("http://[::1/page", "{post}", "absolute http or https"),  # urlsplit raises on it
    (SOURCE, "http://[127.0.0.1:5000/", "absolute http or https"),
    ("http://127.0.0.1:8999/" + "a" * 500, "{post}", "longer than 500"),
    ("{post}", "{post}", "are the same"),
    (SOURCE, "http://127.0.0.1:5001/2024/03/04/x/", "not on this site"),
    (SOURCE, "https://127.0.0.1:5000/", "not on this site"),
    (SOURCE, SITE + "/2024/03/04/no-such-post/", "not a post on this site"),
    (SOURCE, SITE + "/feed/", "not a post on this site"),
    (SOURCE, SITE + "/?p=999999", "not a post on this site"),
    (SOURCE, "{post}#comment-999999", "not a post on this site"),
    (SOURCE, SITE + "/comments/999999/", "not a post on this site"),
])
def test_bad_mentions_are_refused_with_400_and_a_reason(client, post, source, target, message):
    response = mention(client, source.format(post=absolute(post)), target.format(post=absolute(post)))
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert message in response.get_data(as_text=True)
    assert rows() == []


@pytest.mark.parametrize("fields, message", [
    ({"password": "secret"}, "does not accept"),
    ({"status": "private"}, "not a post on this site"),
    ({"status": "draft"}, "not a post on this site"),
    ({"comments_open": False}, "comments are closed"),
])
def test_posts_that_take_no_comments_refuse_mentions(client, app, fields, message):
    post = make_post(**fields)
    response = mention(client, SOURCE, absolute(post))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_blocked_domains_and_disabled_webmentions_are_refused(client, post):
    save_settings({"federation_blocked_domains": "spam.test\n"})
    db.session.commit()
    response = mention(client, "http://www.spam.test/page", absolute(post))
    assert response.status_code == 400
    assert "blocked" in response.get_data(as_text=True)
    save_settings({"webmention_enabled": False})
    db.session.commit()
    response = mention(client, SOURCE, absolute(post))
    assert response.status_code == 400
    assert "does not accept Webmentions" in response.get_data(as_text=True)


def test_get_is_not_allowed(client):
    assert client.get("/webmention").status_code == 405


def test_mentions_are_rate_limited_per_address(app_factory):
    app = app_factory(WEBMENTION_RATE_LIMIT="2 per minute")
    with app.app_context():
        post = make_post()
        client = app.test_client()
        codes = [mention(client, f"{SOURCE}?{n}", absolute(post)).status_code for n in range(3)]
        other = mention(client, SOURCE, absolute(post), ip="198.51.100.77").status_code
    assert codes == [202, 202, 429]
    assert other == 202


def test_receiving_is_cheap_and_fetches_nothing(app, post, connections):
    target = absolute(post)
    timings = []
    for n in range(60):
        g.pop("settings", None)  # as in a new request
        started = time.perf_counter()
        receive(f"{SOURCE}?{n}", target, "198.51.100.4")
        timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.005
    assert [port for _host, port in connections if port != db.engine.url.port] == []  # the database's alone
    assert len(rows()) == 60
