"""Likes are rate limited, and a burst of likes does not keep emptying the page cache."""

import sqlalchemy as sa

from blog.models import Post, SiteState
from blog.permalinks import post_url
from extensions import db
from page_cache.hooks import LIKES_SHOWN
from tests.support.factories import make_post
from tests.support.helpers import login_as
from tests.support.mail import make_user
from tests.support.oauth import csrf_token_from


def _toggle(client, post, times: int, ip: str = "198.51.100.4") -> list[int]:
    token = csrf_token_from(client, post_url(post))
    statuses = []
    for n in range(times):
        action = "like" if n % 2 == 0 else "unlike"
        statuses.append(client.post(f"/posts/{post.id}/{action}", data={"csrf_token": token},
                                    environ_base={"REMOTE_ADDR": ip}).status_code)
    return statuses


def test_one_reader_toggling_a_like_is_rate_limited(app_factory):
    app = app_factory(LIKE_RATE_LIMIT_PER_READER="5 per minute", LIKE_RATE_LIMIT_PER_ADDRESS="1000 per minute")
    with app.test_request_context():
        post, reader = make_post(), make_user()
        client = app.test_client()
        login_as(client, reader)
        statuses = _toggle(client, post, 8)
        assert statuses[:5] == [302] * 5 and statuses[5:] == [429] * 3
        refused = client.post(f"/posts/{post.id}/like", data={"csrf_token": csrf_token_from(client, post_url(post))})
        assert "please wait a minute" in refused.get_data(as_text=True)
        another = app.test_client()
        login_as(another, make_user())
        assert _toggle(another, post, 1) == [302], "the limit is the reader's own"


def test_likes_from_one_address_are_rate_limited_across_accounts(app_factory):
    app = app_factory(LIKE_RATE_LIMIT_PER_READER="1000 per minute", LIKE_RATE_LIMIT_PER_ADDRESS="4 per minute")
    with app.test_request_context():
        post = make_post()
        statuses = []
        for _ in range(3):
            client = app.test_client()
            login_as(client, make_user())
            statuses += _toggle(client, post, 2)
        assert statuses.count(429) == 2 and statuses[:4] == [302] * 4


def test_a_like_does_not_change_the_content_version_nor_wait_after_its_commit(app):
    post, reader = make_post(), make_user()
    client = app.test_client()
    login_as(client, reader)
    before = db.session.execute(sa.select(SiteState.content_version, SiteState.likes_version)).one()
    assert _toggle(client, post, 1) == [302]
    db.session.expire_all()
    after = db.session.execute(sa.select(SiteState.content_version, SiteState.likes_version)).one()
    assert after.content_version == before.content_version and after.likes_version == before.likes_version + 1


def test_cached_pages_survive_a_burst_of_likes_and_show_the_count_after_the_delay(app_factory):
    app = app_factory(PAGE_CACHE_LIKES_DELAY_SECONDS=3600, PAGE_CACHE_VERSION_LEASE_MS=0)
    with app.test_request_context():
        post = make_post()
        guest = app.test_client()
        assert guest.get(post_url(post)).headers["X-Page-Cache"] == "miss"
        liker = app.test_client()
        login_as(liker, make_user())
        assert _toggle(liker, post, 9) == [302] * 9
        assert db.session.get(Post, post.id).like_count == 1
        assert guest.get(post_url(post)).headers["X-Page-Cache"] == "hit"
        app.extensions[LIKES_SHOWN].until = 0  # the delay has passed
        page = app.test_client().get(post_url(post))
        assert page.headers["X-Page-Cache"] == "miss"
