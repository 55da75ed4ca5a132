"""`flask users ...`: create, list, set-role and remove accounts from the command line, with clear
refusals and non-zero exit codes."""

import sqlalchemy as sa

from auth.models import Identity, User
from auth.roles import ADMINISTRATOR, AUTHOR, EDITOR, MODERATOR
from blog.models import Comment, Post
from extensions import db
from tests.support.admin import make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup
from tests.support.mail import csrf_token_from


def account(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_create_with_a_password_makes_an_account_that_logs_in(app, runner):
    result = runner.invoke(args=["users", "create", "ed@example.com", "--role", "editor",
                                 "--password", "a long password", "--name", "Ed Itor"])
    assert result.exit_code == 0, result.output
    assert result.output == "Editor ed@example.com created.\n"
    ed = account("ed@example.com")
    assert (ed.role, ed.display_name) == (EDITOR, "Ed Itor")
    client = app.test_client()
    answer = client.post("/login", data={"csrf_token": csrf_token_from(client.get("/login")),
                                         "email": "ed@example.com", "password": "a long password"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"


def test_create_without_a_password_prints_an_invitation_link(app, runner):
    result = runner.invoke(args=["users", "create", "mo@example.com", "--role", "moderator"])
    assert result.exit_code == 0, result.output
    link = result.output.splitlines()[-1]
    assert link.startswith("http://127.0.0.1:5000/invite/")
    assert account("mo@example.com").password_hash is None
    page = app.test_client().get(link.removeprefix("http://127.0.0.1:5000"))
    assert page.status_code == 200 and "invited as Moderator" in page_soup(page).get_text(" ", strip=True)


def test_create_refuses_a_taken_address_a_bad_one_an_unknown_role_and_a_short_password(app, runner):
    make_user(True, "Owner", "owner@example.com")
    taken = runner.invoke(args=["users", "create", "OWNER@example.com", "--role", "editor"])
    assert taken.exit_code == 1 and "already has an account" in taken.output
    bad = runner.invoke(args=["users", "create", "not-an-address", "--role", "editor"])
    assert bad.exit_code == 1 and "not a valid email address" in bad.output
    role = runner.invoke(args=["users", "create", "x@example.com", "--role", "overlord"])
    assert role.exit_code == 2 and "'overlord' is not one of" in role.output
    short = runner.invoke(args=["users", "create", "x@example.com", "--role", "editor", "--password", "short"])
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_list_prints_every_account_or_one_role(app, runner):
    make_user(True, "Owner", "owner@example.com")
    make_user(False, "Mo", "mo@example.com", role=MODERATOR)
    everyone = runner.invoke(args=["users", "list"])
    assert everyone.output == "mo@example.com\tmoderator\tMo\nowner@example.com\tadministrator\tOwner\n"
    moderators = runner.invoke(args=["users", "list", "--role", "moderator"])
    assert moderators.output == "mo@example.com\tmoderator\tMo\n"


def test_set_role_changes_it_and_refuses_unknown_accounts_and_the_last_administrator(app, runner):
    make_user(True, "Owner", "owner@example.com")
    make_user(False, "Mo", "mo@example.com", role=MODERATOR)
    done = runner.invoke(args=["users", "set-role", "MO@example.com", "author"])
    assert done.exit_code == 0 and done.output == "mo@example.com is now Author.\n"
    assert account("mo@example.com").role == AUTHOR
    unknown = runner.invoke(args=["users", "set-role", "nobody@example.com", "author"])
    assert unknown.exit_code == 1 and "No account has the email address nobody@example.com" in unknown.output
    last = runner.invoke(args=["users", "set-role", "owner@example.com", "editor"])
    assert last.exit_code == 1 and "only Administrator" in last.output
    assert account("owner@example.com").role == ADMINISTRATOR
    runner.invoke(args=["users", "set-role", "mo@example.com", "administrator"])
    assert runner.invoke(args=["users", "set-role", "owner@example.com", "editor"]).exit_code == 0


def test_remove_reassigns_the_posts_and_keeps_the_comments(app, runner):
    heir = make_user(True, "Owner", "owner@example.com")
    leaving = make_user(False, "Lee", "lee@example.com", role=AUTHOR)
    db.session.add(Identity(user=leaving, provider="github", subject="lee", display_name="Lee"))
    post = make_post(author_id=leaving.id)
    comment = make_comment(post, user_id=leaving.id, author_name="Lee", body="Still here.")
    post_id, comment_id, heir_id = post.id, comment.id, heir.id

    refused = runner.invoke(args=["users", "remove", "lee@example.com"])
    assert refused.exit_code == 1 and "Lee has 1 post: choose who gets them" in refused.output
    assert account("lee@example.com") is not None
    unknown_heir = runner.invoke(args=["users", "remove", "lee@example.com", "--reassign-to", "x@example.com"])
    assert unknown_heir.exit_code == 1 and "No account has the email address x@example.com" in unknown_heir.output

    done = runner.invoke(args=["users", "remove", "lee@example.com", "--reassign-to", "owner@example.com"])
    assert done.exit_code == 0, done.output
    assert done.output == "lee@example.com removed. Their posts now belong to owner@example.com.\n"
    assert account("lee@example.com") is None
    assert db.session.get(Post, post_id).author_id == heir_id
    kept = db.session.get(Comment, comment_id)
    assert (kept.body, kept.author_name, kept.user_id) == ("Still here.", "Lee", None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 0


def test_remove_refuses_the_last_administrator(app, runner):
    make_user(True, "Owner", "owner@example.com")
    make_user(False, "Ed", "ed@example.com", role=EDITOR)
    last = runner.invoke(args=["users", "remove", "owner@example.com", "--reassign-to", "ed@example.com"])
    assert last.exit_code == 1 and "only Administrator" in last.output
    assert account("owner@example.com") is not None


def test_create_admin_stays_a_shorthand(app, runner):
    result = runner.invoke(args=["create-admin", "boss@example.com", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    assert account("boss@example.com").role == ADMINISTRATOR


def test_create_admin_on_an_invitees_address_promotes_that_account(app, runner):
    assert runner.invoke(args=["users", "create", "nell@example.com", "--role", "moderator"]).exit_code == 0
    result = runner.invoke(args=["create-admin", "nell@example.com", "--password", "a long password"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    accounts = db.session.scalars(sa.select(User).where(User.email == "nell@example.com")).all()
    assert [(user.role, user.password_hash is not None) for user in accounts] == [(ADMINISTRATOR, True)]
