"""The Users screen: the list with its role filter, inviting, changing roles and removing accounts."""

import sqlalchemy as sa

from auth.models import Identity, User
from auth.roles import ADMINISTRATOR, AUTHOR, EDITOR, MODERATOR, SUBSCRIBER
from blog.models import Comment, CommentLike, Post, PostLike
from extensions import db
from notify.models import OutboxMessage
from tests.support.admin import admin_post, csrf_token_from, make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as, page_soup


def user_named(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_the_list_shows_each_user_with_role_and_posts_and_filters_by_role(admin_client, admin_user):
    ed = make_user(False, "Eddie Editor", "eddie@example.com", role=EDITOR)
    make_user(False, "Mo Moderator", "mo@example.com", role=MODERATOR)
    social = make_user(False, "Plain Reader", "reader@example.com")
    social.email_verified = False  # a provider's unproved claim: a reader, not an invitee
    db.session.add(Identity(user=social, provider="twitter", subject="1460", display_name="Plain Reader"))
    db.session.commit()
    make_post(author_id=ed.id)
    make_post(author_id=ed.id, status="draft")

    page = page_soup(admin_client.get("/admin/users"))
    filters = [a.get_text(" ", strip=True) for a in page.select(".subsubsub a")]
    assert filters == ["All (4)", "Administrator (1)", "Editor (1)", "Moderator (1)", "Subscriber (1)"]
    row = page.select_one(f"#user-{ed.id}")
    cells = [c.get_text(" ", strip=True) for c in row.select("td")]
    assert cells == ["eddie@example.com", "Editor", "2"]
    assert "Invited" not in page.select_one(f"#user-{social.id}").get_text()
    imported = User(display_name="Imported Author", role=AUTHOR)  # no address: nobody invited them
    db.session.add(imported)
    db.session.commit()
    assert "Invited" not in page_soup(admin_client.get("/admin/users")).select_one(f"#user-{imported.id}").get_text()

    editors = page_soup(admin_client.get("/admin/users?role=editor"))
    assert [r["id"] for r in editors.select(".user-row")] == [f"user-{ed.id}"]
    assert editors.select_one(".subsubsub a[aria-current=page]").get_text(" ", strip=True) == "Editor (1)"


def test_only_those_who_manage_users_reach_the_users_screens(app, admin_user):
    target = make_user(False, "Someone", "someone@example.com", role=AUTHOR)
    for role in (EDITOR, AUTHOR, MODERATOR):
        client = app.test_client()
        login_as(client, make_user(False, role, f"{role}@example.com", role=role))
        for path in ("/admin/users", "/admin/users/new", f"/admin/users/{target.id}/edit",
                     f"/admin/users/{target.id}/remove"):
            assert client.get(path).status_code == 403, (role, path)
        token = csrf_token_from(client.get("/login"))
        assert admin_post(client, f"/admin/users/{target.id}/remove", token).status_code == 403
    assert user_named("someone@example.com") is not None


def test_inviting_creates_an_account_without_a_password_and_queues_the_mail(admin_client, admin_token):
    response = admin_post(admin_client, "/admin/users/new", admin_token, email="Nell@Example.com",
                          display_name="Nell Newcomer", role=EDITOR)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users"
    nell = user_named("Nell@example.com")
    assert (nell.role, nell.display_name, nell.password_hash, nell.email_verified) == (
        EDITOR, "Nell Newcomer", None, False)
    (mail,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert mail.to_addr == "Nell@example.com"
    assert "invited you to join" in mail.body_text and "as Editor" in mail.body_text
    assert "http://127.0.0.1:5000/invite/" in mail.body_text
    listed = page_soup(admin_client.get("/admin/users")).select_one(f"#user-{nell.id} th").get_text(" ", strip=True)
    assert "Invited" in listed


def test_inviting_an_address_that_has_an_account_is_refused(admin_client, admin_token, admin_user):
    response = admin_post(admin_client, "/admin/users/new", admin_token, email="OWNER@example.com", role=EDITOR)
    assert response.status_code == 409
    assert "already has an account" in page_soup(response).select_one("#email-error").get_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_inviting_needs_a_valid_address_a_known_role_and_the_csrf_token(admin_client, admin_token):
    assert admin_post(admin_client, "/admin/users/new", admin_token, email="nope", role=EDITOR).status_code == 400
    assert admin_post(admin_client, "/admin/users/new", admin_token, email="a@example.com",
                      role="overlord").status_code == 400
    no_token = admin_client.post("/admin/users/new", data={"email": "b@example.com", "role": EDITOR})
    assert no_token.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_changing_a_role_takes_effect_on_the_next_request(app, admin_client, admin_token):
    second = make_user(True, "Second Owner", "second@example.com")
    second_client = app.test_client()
    login_as(second_client, second)
    assert second_client.get("/admin/users").status_code == 200
    response = admin_post(admin_client, f"/admin/users/{second.id}/edit", admin_token, role=EDITOR)
    assert response.status_code == 303
    assert user_named("second@example.com").role == EDITOR
    assert second_client.get("/admin/users").status_code == 403


def test_nobody_changes_their_own_role(admin_client, admin_token, admin_user):
    make_user(True, "Second Owner", "second@example.com")
    response = admin_post(admin_client, f"/admin/users/{admin_user.id}/edit", admin_token, role=SUBSCRIBER)
    assert response.status_code == 403
    assert "cannot change your own role" in response.get_data(as_text=True)
    assert user_named("owner@example.com").role == ADMINISTRATOR


def test_removing_gives_the_posts_to_the_heir_and_keeps_the_comments(app, admin_client, admin_token, admin_user):
    leaving = make_user(False, "Lee Leaving", "lee@example.com", role=AUTHOR)
    db.session.add(Identity(user=leaving, provider="github", subject="lee", display_name="Lee"))
    db.session.commit()
    lee_client = app.test_client()
    login_as(lee_client, leaving)
    assert lee_client.get("/admin/users").status_code == 403  # logged in (anonymous visitors get 302)
    theirs = make_post(author_id=leaving.id)
    other = make_post(like_count=1)
    db.session.add(PostLike(post_id=other.id, user_id=leaving.id))
    comment = make_comment(other, user_id=leaving.id, author_name="Lee Leaving", body="My words stay.", like_count=1)
    db.session.add(CommentLike(comment_id=comment.id, user_id=leaving.id))
    db.session.commit()
    leaving_id, theirs_id, other_id, comment_id = leaving.id, theirs.id, other.id, comment.id

    page = admin_client.get(f"/admin/users/{leaving_id}/remove")
    assert [o["value"] for o in page_soup(page).select("#heir option")] == ["", str(admin_user.id)]
    refused = admin_post(admin_client, f"/admin/users/{leaving_id}/remove", admin_token)
    assert refused.status_code == 400
    assert "has 1 post: choose who gets them" in page_soup(refused).select_one("#remove-error").get_text()
    assert user_named("lee@example.com") is not None

    done = admin_post(admin_client, f"/admin/users/{leaving_id}/remove", admin_token, heir=str(admin_user.id))
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, leaving_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 0
    assert db.session.get(Post, theirs_id).author_id == admin_user.id
    kept = db.session.get(Comment, comment_id)
    assert (kept.body, kept.author_name, kept.user_id, kept.like_count) == ("My words stay.", "Lee Leaving", None, 0)
    assert db.session.get(Post, other_id).like_count == 0
    assert lee_client.get("/admin/users").status_code == 302  # the removed user's session has ended


def test_a_user_without_posts_is_removed_without_an_heir(admin_client, admin_token):
    mo = make_user(False, "Mo", "mo@example.com", role=MODERATOR)
    page = admin_client.get(f"/admin/users/{mo.id}/remove")
    assert page_soup(page).select_one("#heir") is None
    assert admin_post(admin_client, f"/admin/users/{mo.id}/remove", admin_token).status_code == 303
    assert user_named("mo@example.com") is None


def test_the_posts_go_only_to_someone_who_writes_posts(admin_client, admin_token):
    leaving = make_user(False, "Lee", "lee@example.com", role=AUTHOR)
    reader = make_user(False, "Reader", "reader@example.com")
    make_post(author_id=leaving.id)
    for heir in (str(reader.id), str(leaving.id), "99999999999999999999", "x"):
        response = admin_post(admin_client, f"/admin/users/{leaving.id}/remove", admin_token, heir=heir)
        assert response.status_code == 400, heir
        assert page_soup(response).select_one("#remove-error") is not None, heir
    assert user_named("lee@example.com") is not None


def test_nobody_removes_themselves(admin_client, admin_token, admin_user):
    make_user(True, "Second Owner", "second@example.com")
    page = admin_client.get(f"/admin/users/{admin_user.id}/remove")
    assert page.status_code == 403
    assert "cannot remove your own account" in page.get_data(as_text=True)
    assert admin_post(admin_client, f"/admin/users/{admin_user.id}/remove", admin_token).status_code == 403
    assert user_named("owner@example.com") is not None


def test_search_finds_users_by_name_or_email_within_the_role_shown(admin_client, admin_user):
    make_user(False, "Grace Hopper", "grace@navy.example", role=EDITOR)
    make_user(False, "Ada 100% Lovelace", "ada@example.com", role=AUTHOR)

    def found(query: str) -> list[str]:
        page = page_soup(admin_client.get(f"/admin/users?{query}"))
        return [row.select_one(".row-title").get_text() for row in page.select(".user-row")]

    assert found("s=HOPPER") == ["Grace Hopper"]
    assert found("s=navy.example") == ["Grace Hopper"]
    assert found("s=%25") == ["Ada 100% Lovelace"]  # % is a character here, not a wildcard
    assert found("s=example&role=author") == ["Ada 100% Lovelace"]
    assert found("s=nobody") == []
