"""Hostile input through every field a visitor or a log-in provider controls.

Each payload of tests/support/data/xss_payloads.txt goes in through the real forms and routes; the pages,
feeds and mails that show it are parsed (html5lib, as a browser parses) and must hold no script,
no event handler, no dangerous URL and no embedded document. Payloads are batched: many comments
on one post, rendered once, so the whole corpus costs a few page renders per output.
"""

import time
from urllib.parse import quote, urlsplit

import sqlalchemy as sa

from auth import profiles
from auth.models import Identity
from auth.services import IDENTITY_KEY, identity_for_profile, save_admin
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.fake_providers import Token
from tests.support.hardening import Commenter, outbox_html, stored_comments
from tests.support.helpers import page_soup
from tests.support.oauth import SHAPE_USERS, log_in
from tests.support.xss_check import feed_hazards, script_hazards


def assert_inert(html: str, where: str, fast: bool = False) -> None:
    hazards = script_hazards(html, fast=fast)
    assert not hazards, f"{where}: {len(hazards)} hazards, first: {hazards[:5]}"


def assert_outputs_inert(blog, post) -> None:
    """The post page, the admin comment list, every comment feed and every mail are inert."""
    client = blog.app.test_client()
    page = client.get(post_url(post))
    assert page.status_code == 200
    assert_inert(page.get_data(as_text=True), "post page")
    admin_page = blog.admin.get("/admin/comments?comment_status=all")
    assert admin_page.status_code == 200
    assert_inert(admin_page.get_data(as_text=True), "admin comments")
    for feed in ("/comments/feed/", "/comments/feed/atom/", post_url(post) + "feed/",
                 post_url(post) + "feed/atom/", "/feed/"):
        response = client.get(feed)
        assert response.status_code == 200, feed
        hazards = feed_hazards(response.data)
        assert not hazards, f"{feed}: {hazards[:5]}"
    mails = outbox_html()
    assert mails, "the owner was mailed about the comments"
    for body in mails:
        assert_inert(body, "mail")


def test_corpus_has_150_payloads_that_the_checker_catches_when_left_raw(payloads):
    assert len(payloads) >= 150
    assert len(set(payloads)) == len(payloads), "no duplicates"
    raw_page = "<!doctype html><body>{}</body>"
    caught = [p for p in payloads if script_hazards(raw_page.format(p), allow_own_markup=False)]
    assert len(caught) >= 150, "the checker must flag the payloads when they are not escaped"


def test_payloads_in_comment_text_and_author_name_render_inert(hostile_blog, payloads):
    blog = hostile_blog
    guest = Commenter(blog.app.test_client(), post_url(blog.quiet), blog.target.id)
    for n, payload in enumerate(payloads):
        response = guest.post(author=payload, email=f"guest{n}@example.com", comment=payload)
        assert response.status_code == 303, (payload, response.get_data(as_text=True)[:300])
    stored = stored_comments(blog.target.id)
    assert [(c.author_name, c.body, c.status) for c in stored] == [
        (p.strip(), p.strip(), "approved") for p in payloads], "stored exactly as typed"
    assert_outputs_inert(blog, blog.target)


def test_payloads_in_every_guest_field_are_refused_or_stored_and_inert(hostile_blog, payloads):
    blog = hostile_blog
    show_few_comments()  # refused forms re-show the post: keep that page small while posting
    guest = Commenter(blog.app.test_client(), post_url(blog.quiet), blog.target.id)
    refused = 0
    for n, payload in enumerate(payloads):
        response = guest.post(author=payload, email=payload, url=payload, comment=f"{n} {payload}")
        if response.status_code == 400:
            refused += 1
            assert_inert(response.get_data(as_text=True), f"form re-shown for {payload!r}", fast=True)
        else:
            assert response.status_code == 303, payload
    assert refused >= len(payloads) - 5, "nearly every payload is not a valid email address"
    for n, payload in enumerate(payloads):
        response = guest.post(email=f"site{n}@example.com", url="https://example.com/" + payload,
                              comment=f"site {n}")
        assert response.status_code in (303, 400), payload
        if response.status_code == 400:
            assert "Please enter a web address" in response.get_data(as_text=True)
    websites = [c.author_url for c in stored_comments(blog.target.id) if c.author_url]
    assert len(websites) > len(payloads) // 4, "payloads without spaces are kept as typed"
    assert all(url.startswith("https://example.com/") for url in websites)
    save_settings({"page_comments": False})
    db.session.commit()
    assert_outputs_inert(blog, blog.target)


def show_few_comments() -> None:
    save_settings({"page_comments": True, "comments_per_page": 3})
    db.session.commit()


def test_provider_profile_payloads_render_inert(hostile_blog, payloads, fake_provider):
    """Display name, avatar and profile URL as a WordPress.com-shaped provider sends them."""
    blog = hostile_blog
    provider = fake_provider("wordpress")
    blog.app.config.update(provider.settings)
    from auth import providers

    providers.init_app(blog.app)
    client = providers.get_client("wordpress")
    reader = blog.app.test_client()
    guest = Commenter(reader, post_url(blog.quiet), blog.target.id)
    for n, payload in enumerate(payloads):
        key = f"user{n}"
        prefixed = n % 2 == 0  # half sent raw (refused by the profile rules), half inside an http URL
        provider.users[key] = {
            "ID": 5000 + n, "display_name": payload, "username": payload,
            "email": f"p{n}@example.com", "email_verified": False,
            "avatar_URL": "https://avatars.example.com/" + payload if prefixed else payload,
            "profile_URL": "https://profiles.example.com/" + payload if prefixed else payload,
        }
        provider.tokens[key] = Token(key, provider.client_id, "", key, time.time() + 600)
        profile = profiles.wordpress_profile(client, {"access_token": key, "token_type": "Bearer"})
        identity = identity_for_profile(profile)
        with reader.session_transaction() as session:
            session["_user_id"], session["_fresh"], session[IDENTITY_KEY] = identity.user.get_id(), True, identity.id
        if n % 25 == 0:  # the "commenting as" box shows name and avatar: checked on a sample
            assert_inert(reader.get(post_url(blog.quiet)).get_data(as_text=True), "commenting as")
        response = guest.post(comment=f"From provider {n}")
        assert response.status_code == 303, payload
    names = [i.display_name for i in sorted(blogs_identities(), key=lambda i: i.id)]
    assert names == [p.strip()[:250] for p in payloads]
    assert_outputs_inert(blog, blog.target)


def blogs_identities() -> list[Identity]:
    return list(db.session.scalars(sa.select(Identity)))


def test_provider_payload_through_a_whole_log_in_journey(social_app, fake_provider, payloads):
    provider = fake_provider("wordpress")
    hostile = dict(SHAPE_USERS["wordpress"]["matt"], display_name=payloads[0],
                   avatar_URL="https://a.example.com/" + payloads[24], profile_URL=payloads[63])
    provider.users["hostile"] = hostile
    app = social_app(**provider.settings)
    client = app.test_client()
    assert log_in(client, "wordpress", "/", user="hostile", action="allow").status_code == 302
    assert_inert(client.get("/").get_data(as_text=True), "home page after log-in")


def test_next_parameter_payloads_never_leave_the_site_or_reach_the_page(app_factory, payloads):
    from tests.support.fake_providers import closed_port

    with closed_port() as down:
        app = app_factory(SERVER_NAME="127.0.0.1", LOGIN_LIMIT_PER_IP="10000 per minute",
                          LOGIN_LIMIT_PER_ACCOUNT="10000 per minute", GOOGLE_CLIENT_ID="c",
                          GOOGLE_CLIENT_SECRET="s", GOOGLE_SERVER_METADATA_URL=down + "/.well-known/x")
        with app.app_context():
            save_admin("owner@example.com", "a long enough password")
        client = app.test_client()
        for joined in batches(payloads, 400):
            page = client.get("/login?next=" + quote(joined))
            assert page.status_code == 200
            assert_inert(page.get_data(as_text=True), f"/login?next={joined!r}", fast=True)
        for payload in payloads:
            away = client.get("/auth/login/google?next=" + quote(payload))
            assert away.status_code == 302
            assert _is_local(away.headers["Location"]), (payload, away.headers["Location"])
        # Each log-in costs a password hash: the payloads that look like a way off the site.
        # Every log-in starts a new session, so each form is read afresh, as a browser would.
        for payload in [p for p in payloads if p.startswith(("/", "\\", "java", "data", "http"))]:
            done = client.post("/login", data={"csrf_token": _login_token(client), "email": "owner@example.com",
                                               "password": "a long enough password", "next": payload})
            assert done.status_code == 302 and _is_local(done.headers["Location"]), payload
            assert client.post("/auth/logout", data={"csrf_token": _login_token(client)}).status_code == 302


def _login_token(client) -> str:
    return page_soup(client.get("/login")).select_one("input[name=csrf_token]")["value"]


def _is_local(location: str) -> bool:
    parts = urlsplit(location)
    return parts.scheme in ("", "http") and parts.netloc in ("", "127.0.0.1") and location.count("//") <= 1 \
        and not location.lower().startswith(("javascript:", "data:"))


def batches(payloads: list[str], size: int = 200) -> list[str]:
    """Payloads joined into strings of at most `size` characters: one request echoes several."""
    joined, current = [], ""
    for payload in payloads:
        if current and len(current) + 1 + len(payload) > size:
            joined.append(current)
            current = ""
        current = f"{current} {payload}" if current else payload
    return joined + [current]


def test_admin_search_and_post_filter_payloads_render_inert(hostile_blog, payloads):
    blog = hostile_blog
    Commenter(blog.app.test_client(), post_url(blog.quiet), blog.target.id).post(comment=payloads[0])
    for search in batches(payloads):  # the search box keeps 200 characters
        response = blog.admin.get("/admin/comments", query_string={"s": search, "p": search})
        assert response.status_code == 200, search
        assert page_soup(response).select_one("input[name=s]")["value"] == search.strip(), "shown as typed"
        assert_inert(response.get_data(as_text=True), f"admin search {search!r}", fast=True)
    found = blog.admin.get("/admin/comments", query_string={"s": payloads[0]})
    assert f"comment-{stored_comments(blog.target.id)[0].id}" in found.get_data(as_text=True)
