"""The toolbar on the public pages, the Edit links, and the account menu in the admin's header: who
sees what, Log Out, and that none of it reaches a reader who is not logged in."""

import re

import pytest
import sqlalchemy as sa

from auth.roles import ADMINISTRATOR, AUTHOR, CONTRIBUTOR, EDITOR, MODERATOR, SUBSCRIBER
from blog.permalinks import post_url
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as, page_soup
from tests.support.mail import make_user

STAFF = (ADMINISTRATOR, EDITOR, AUTHOR, CONTRIBUTOR, MODERATOR)

# What each role's toolbar offers on a post someone else wrote, written out rather than derived from
# auth.roles, so that a change there that moves a link shows here.
#   role: (+ New, comments count, Edit Post and the post's Edit link, comments' Edit links)
ON_ANOTHERS_POST = {
    ADMINISTRATOR: (True, True, True, True),
    EDITOR: (True, True, True, True),
    AUTHOR: (True, True, False, False),
    CONTRIBUTOR: (True, False, False, False),
    MODERATOR: (False, True, False, True),
}


@pytest.fixture
def owner(app):
    return make_user(role=ADMINISTRATOR, display_name="Blog Owner")


@pytest.fixture
def owners_post(owner):
    post = make_post(author_id=owner.id)
    make_comment(post, author_name="Ann")
    make_comment(post, author_name="Held Hal", status="pending")
    return post


def client_as(app, user):
    client = app.test_client()
    if user is not None:
        login_as(client, user)
    return client


def toolbar_of(response):
    return page_soup(response).select_one("nav#wpadminbar")


def test_anonymous_readers_and_subscribers_get_no_toolbar_and_no_edit_links(app, owners_post):
    subscriber = make_user(role=SUBSCRIBER)
    for user in (None, subscriber):
        client = client_as(app, user)
        for path in ("/", post_url(owners_post), "/login", "/no-such-page/"):
            response = client.get(path)
            text = response.get_data(as_text=True)
            assert "wpadminbar" not in text and "toolbar-account" not in text, (user, path)
            assert "edit-link" not in text and "/admin/" not in text, (user, path)


@pytest.mark.parametrize("role", STAFF)
def test_staff_see_the_toolbar_with_what_their_role_may_open(app, owners_post, role):
    user = make_user(role=role, display_name=f"Staff <{role}>")
    client = client_as(app, user)
    new, comments, edit_post, edit_comments = ON_ANOTHERS_POST[role]

    page = client.get(post_url(owners_post))
    bar = toolbar_of(page)
    assert bar is not None and bar["aria-label"] == "Toolbar"
    site = bar.select_one(".toolbar-site a")
    assert site["href"] == "/admin/" and "Dashboard" in site.get_text()
    assert (bar.select_one(".toolbar-new a[href='/admin/posts/new']") is not None) == new
    assert (bar.select_one(".toolbar-comments a") is not None) == comments
    assert (bar.select_one(".toolbar-edit a") is not None) == edit_post
    soup = page_soup(page)
    assert (soup.select_one(".entry-meta .post-edit-link") is not None) == edit_post
    assert len(soup.select(".comment-list .comment-edit-link")) == (1 if edit_comments else 0)
    howdy = bar.select_one(".toolbar-account summary").get_text(" ", strip=True)
    assert howdy == f"Howdy, Staff <{role}>"  # escaped in the page, shown as written

    for path in ("/", "/login", "/no-such-page/"):  # every public page, without the post's links
        bar = toolbar_of(client.get(path))
        assert bar is not None and bar.select_one(".toolbar-edit") is None, path


@pytest.mark.parametrize("role", STAFF)
def test_every_toolbar_link_opens_for_its_user(app, owners_post, role):
    user = make_user(role=role)
    client = client_as(app, user)
    soup = page_soup(client.get(post_url(owners_post)))
    links = [a["href"] for a in soup.select("nav#wpadminbar a, .edit-link a")]
    assert links
    for href in links:
        assert client.get(href).status_code == 200, (role, href)


def test_edit_post_follows_who_may_edit_the_post(app, owners_post):
    author = make_user(role=AUTHOR)
    contributor = make_user(role=CONTRIBUTOR)
    own = make_post(author_id=author.id)
    own_published = make_post(author_id=contributor.id)
    bar = toolbar_of(client_as(app, author).get(post_url(own)))
    assert bar.select_one(".toolbar-edit a")["href"] == f"/admin/posts/{own.id}/edit"
    assert toolbar_of(client_as(app, author).get(post_url(owners_post))).select_one(".toolbar-edit") is None
    # A Contributor edits only their drafts: their published post has no Edit Post.
    assert toolbar_of(client_as(app, contributor).get(post_url(own_published))).select_one(".toolbar-edit") is None


def test_an_author_gets_edit_links_on_the_comments_of_their_own_posts_only(app, owners_post):
    author = make_user(role=AUTHOR)
    own = make_post(author_id=author.id)
    comment = make_comment(own, author_name="Reader <b>")
    client = client_as(app, author)
    links = page_soup(client.get(post_url(own))).select(".comment-metadata .comment-edit-link")
    assert [a["href"] for a in links] == [f"/admin/comments/{comment.id}/edit"]
    assert links[0].get_text() == "Edit comment by Reader <b>"
    assert page_soup(client.get(post_url(owners_post))).select(".comment-edit-link") == []


def test_the_pending_count_is_what_the_user_may_moderate(app, owners_post):
    author = make_user(role=AUTHOR)
    own = make_post(author_id=author.id)
    make_comment(own, status="pending")

    def count(user):
        bar = toolbar_of(client_as(app, user).get("/"))
        return bar.select_one(".toolbar-comments .screen-reader-text").get_text()

    assert count(make_user(role=MODERATOR)) == "2 Comments in moderation"
    assert count(author) == "1 Comment in moderation"
    link = toolbar_of(client_as(app, author).get("/")).select_one(".toolbar-comments a")["href"]
    assert link == "/admin/comments?comment_status=pending"


def logout_form(response, selector: str):
    form = page_soup(response).select_one(selector)
    return form["action"], {i["name"]: i["value"] for i in form.select("input[type=hidden]")}


def test_log_out_from_the_toolbar_returns_to_the_page_and_ends_the_session(app, owners_post, owner):
    client = client_as(app, owner)
    path = post_url(owners_post)
    action, fields = logout_form(client.get(path), "nav#wpadminbar form.toolbar-logout")
    assert action == "/auth/logout" and fields["next"] == path
    response = client.post(action, data=fields)
    assert response.status_code in (302, 303) and response.headers["Location"] == path
    after = client.get(path)
    assert toolbar_of(after) is None and "You are now logged out." in after.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # sent to log in


def test_log_out_needs_the_csrf_token(app, owners_post, owner):
    client = client_as(app, owner)
    action, fields = logout_form(client.get(post_url(owners_post)), "form.toolbar-logout")
    assert client.post(action, data={"next": fields["next"]}).status_code == 400
    assert client.post(action, data=fields | {"csrf_token": "forged"}).status_code == 400
    assert client.get("/admin/").status_code == 200  # still logged in


@pytest.mark.parametrize("role", STAFF)
def test_the_admin_header_has_the_account_menu_and_a_link_to_the_site(app, role):
    user = make_user(role=role, display_name="Pat")
    client = client_as(app, user)
    page = client.get("/admin/")
    header = page_soup(page).select_one("header.admin-bar")
    assert header.select_one(".admin-site a")["href"] == "/"
    assert "Visit Site" in header.select_one(".admin-site a").get_text()
    assert header.select_one(".toolbar-account summary").get_text(" ", strip=True) == "Howdy, Pat"
    profile = header.select_one(".toolbar-submenu a")
    assert profile.get_text(" ", strip=True) == "Pat Edit Profile"
    assert client.get(profile["href"]).status_code == 200
    assert page_soup(page).select_one("nav#wpadminbar") is None  # the admin has its own menu
    action, fields = logout_form(page, "header.admin-bar form.toolbar-logout")
    assert fields["next"] == "/"
    assert client.post(action, data=fields).status_code in (302, 303)
    assert client.get("/admin/").status_code == 302


def _normalized(response) -> str:
    """The page without what is each response's own (CSRF tokens, CSP nonces)."""
    text = response.get_data(as_text=True)
    text = re.sub(r'(name="csrf_token" type="hidden" value="|name="csrf_token" value=")[^"]+', r"\1-", text)
    return re.sub(r'nonce="[^"]+"', 'nonce="-"', text)


def test_a_cached_anonymous_page_carries_no_toolbar_and_staff_visits_leave_it_unchanged(app, owners_post, owner):
    path = post_url(owners_post)
    first = app.test_client().get(path)
    assert first.headers["X-Page-Cache"] == "miss"
    staff_page = client_as(app, owner).get(path)
    assert toolbar_of(staff_page) is not None
    assert staff_page.headers.get("X-Page-Cache") != "hit"
    hit = app.test_client().get(path)
    assert hit.headers["X-Page-Cache"] == "hit"
    assert _normalized(hit) == _normalized(first)
    text = hit.get_data(as_text=True)
    assert "wpadminbar" not in text and "edit-link" not in text and "Howdy" not in text
    assert "/admin/" not in text


def test_a_failed_page_for_staff_is_the_friendly_500_without_a_toolbar(app, owners_post, owner):
    """The page that answers a failed query does not reach for the database again (the count)."""
    client = client_as(app, owner)
    db.session.execute(sa.text("ALTER TABLE comments RENAME TO comments_away"))
    db.session.commit()
    try:
        response = client.get(post_url(owners_post))
    finally:
        db.session.rollback()
        db.session.execute(sa.text("ALTER TABLE comments_away RENAME TO comments"))
        db.session.commit()
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert toolbar_of(response) is None
