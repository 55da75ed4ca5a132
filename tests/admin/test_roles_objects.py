"""The checks on the object itself: whose post a user may edit and whose comments they may moderate,
on every screen and action that names one, in lists and counts too."""

import pytest
import sqlalchemy as sa

from auth.roles import ADMINISTRATOR, AUTHOR, CONTRIBUTOR, EDITOR, MODERATOR
from blog.models import Comment, ModerationLog, Post
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.admin import admin_post, client_as, csrf_token_from, staff_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as, page_soup, submit_comment


@pytest.fixture
def author(app):
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    return staff_user(AUTHOR, name="Ann Author")


@pytest.fixture
def other_author(app):
    return staff_user(AUTHOR, name="Otto Other")


@pytest.fixture
def author_client(app, author):
    return client_as(app, author)


def token_of(client) -> str:
    return csrf_token_from(client.get("/admin/"))


def status_of(comment: Comment) -> str:
    return db.session.scalar(sa.select(Comment.status).where(Comment.id == comment.id))


def listed_ids(client, **args) -> list[int]:
    soup = page_soup(client.get("/admin/comments", query_string=args))
    return [int(row["data-id"]) for row in soup.select("tr.comment-row")]


# Posts


def test_an_author_cannot_open_change_or_delete_another_authors_post(author_client, author, other_author):
    theirs = make_post(author_id=other_author.id, title="Not yours")
    token = token_of(author_client)
    assert author_client.get(f"/admin/posts/{theirs.id}/edit").status_code == 403
    refused = admin_post(author_client, f"/admin/posts/{theirs.id}/edit", token, title="Mine now",
                         status="published", visibility="public", publish="Update")
    assert refused.status_code == 403
    assert admin_post(author_client, f"/admin/posts/{theirs.id}/delete", token).status_code == 403
    db.session.expire_all()
    assert db.session.get(Post, theirs.id).title == "Not yours"


def test_authors_and_contributors_list_and_count_only_their_own_posts(app, author, other_author):
    own = make_post(author_id=author.id, title="Ann's post")
    make_post(author_id=other_author.id, title="Otto's post")
    make_post(author_id=other_author.id, title="Otto's draft", status="draft")
    soup = page_soup(client_as(app, author).get("/admin/posts"))
    assert [row["id"] for row in soup.select("tr.post-row")] == [f"post-{own.id}"]
    assert soup.select_one(".subsubsub .count").get_text() == "(1)"
    editor = client_as(app, staff_user(EDITOR))
    assert len(page_soup(editor.get("/admin/posts")).select("tr.post-row")) == 3


def test_a_new_post_is_written_by_whoever_saves_it(author_client, author):
    response = admin_post(author_client, "/admin/posts/new", token_of(author_client), title="By Ann",
                          body="Hello.", publish="Publish", visibility="public")
    assert response.status_code == 303
    post = db.session.scalars(sa.select(Post)).one()
    assert (post.author_id, post.status) == (author.id, "published")


def test_a_contributor_is_offered_save_draft_only_and_a_forged_publish_is_refused(app):
    contributor = staff_user(CONTRIBUTOR)
    client = client_as(app, contributor)
    token = token_of(client)
    editor_page = page_soup(client.get("/admin/posts/new"))
    assert editor_page.select_one("#save-post") is not None and editor_page.select_one("#publish") is None
    saved = admin_post(client, "/admin/posts/new", token, title="My draft", save_draft="Save Draft")
    assert saved.status_code == 303
    draft = db.session.scalars(sa.select(Post)).one()
    assert (draft.author_id, draft.status) == (contributor.id, "draft")
    assert client.get(f"/admin/posts/{draft.id}/edit").status_code == 200

    for forged in ({"publish": "Publish"}, {"publish": "Schedule", "published_at": "2099-01-01T10:00"}):
        refused = admin_post(client, f"/admin/posts/{draft.id}/edit", token, title="Out now", visibility="public",
                             **forged)
        assert refused.status_code == 403
        assert "an Editor or Administrator publishes it" in page_soup(refused).select_one(".notice-error").get_text()
    forged_new = admin_post(client, "/admin/posts/new", token, title="Straight out", publish="Publish")
    assert forged_new.status_code == 403
    db.session.expire_all()
    assert [(p.title, p.status) for p in db.session.scalars(sa.select(Post))] == [("My draft", "draft")]


def test_a_contributor_may_not_edit_their_post_once_it_is_published(app):
    contributor = staff_user(CONTRIBUTOR)
    published = make_post(author_id=contributor.id)
    client = client_as(app, contributor)
    assert client.get(f"/admin/posts/{published.id}/edit").status_code == 403
    assert f"/admin/posts/{published.id}/edit" not in client.get("/admin/posts").get_data(as_text=True)


# Comments


def test_an_authors_comments_screen_lists_and_counts_only_comments_on_their_posts(
        author_client, author, other_author):
    own_post = make_post(author_id=author.id)
    their_post = make_post(author_id=other_author.id)
    mine = [make_comment(own_post, status="pending"), make_comment(own_post)]
    theirs = [make_comment(their_post, status="pending"), make_comment(their_post, status="spam")]
    assert sorted(listed_ids(author_client)) == sorted(c.id for c in mine)
    assert listed_ids(author_client, s=theirs[0].body) == []  # search stays inside the author's comments
    soup = page_soup(author_client.get("/admin/comments"))
    counts = {el["data-count"]: int(el.get_text()) for el in soup.select(".subsubsub [data-count]")}
    assert counts == {"all": 2, "pending": 1, "approved": 1, "spam": 0, "trash": 0}
    assert soup.select_one("[data-pending-count]").get_text() == "1"
    assert author_client.get(f"/admin/comments?p={their_post.id}").status_code == 403
    dashboard = page_soup(author_client.get("/admin/"))
    assert [int(row["data-id"]) for row in dashboard.select("tr.comment-row")] == [c.id for c in reversed(mine)]


def test_an_author_cannot_moderate_another_authors_comment_by_any_route(author_client, author, other_author):
    their_post = make_post(author_id=other_author.id)
    theirs = make_comment(their_post, status="pending", author_ip="203.0.113.9")
    token = token_of(author_client)
    for path, data in ((f"/admin/comments/{theirs.id}/approve", {}),
                       (f"/admin/comments/{theirs.id}/trash", {}),
                       (f"/admin/comments/{theirs.id}/reply", {"body": "Hi"}),
                       (f"/admin/comments/{theirs.id}/edit", {"body": "Changed", "status": "approved"}),
                       (f"/admin/comments/{theirs.id}/block", {"what": "ip"})):
        assert admin_post(author_client, path, token, **data).status_code == 403, path
    assert author_client.get(f"/admin/comments/{theirs.id}/reply").status_code == 403
    assert author_client.get(f"/admin/comments/{theirs.id}/edit").status_code == 403
    db.session.expire_all()
    comment = db.session.get(Comment, theirs.id)
    assert (comment.status, comment.body) == ("pending", theirs.body)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationLog)) == 0


def test_a_bulk_action_with_a_forged_id_is_refused_whole(author_client, author, other_author):
    mine = make_comment(make_post(author_id=author.id), status="pending")
    theirs = make_comment(make_post(author_id=other_author.id), status="pending")
    token = token_of(author_client)
    refused = admin_post(author_client, "/admin/comments/bulk", token, action="approve", comment_status="pending",
                         ids=[mine.id, theirs.id])
    assert refused.status_code == 403
    assert (status_of(mine), status_of(theirs)) == ("pending", "pending")
    done = admin_post(author_client, "/admin/comments/bulk", token, action="trash", comment_status="pending",
                      ids=[mine.id])
    assert done.status_code == 303 and status_of(mine) == "trash"
    forged_undo = admin_post(author_client, "/admin/comments/undo", token, action="trash", ids=[mine.id, theirs.id])
    assert forged_undo.status_code == 403 and status_of(mine) == "trash"


def test_moderators_and_editors_moderate_every_comment_but_only_editors_edit_posts(app, other_author):
    post = make_post(author_id=other_author.id)
    for role in (MODERATOR, EDITOR):
        comment = make_comment(post, status="pending")
        client = client_as(app, staff_user(role))
        assert admin_post(client, f"/admin/comments/{comment.id}/approve", token_of(client)).status_code == 303
        assert status_of(comment) == "approved"
        rows = page_soup(client.get("/admin/comments")).select(f"tr#comment-{comment.id} a.post-title")
        assert bool(rows) == (role == EDITOR)  # the post's title links to its editor only for who may edit it


def test_a_moderator_is_refused_settings_users_tools_and_posts(app):
    client = client_as(app, staff_user(MODERATOR))
    for path in ("/admin/settings/discussion", "/admin/users", "/admin/tools/import", "/admin/tools/export",
                 "/admin/posts", "/admin/posts/new"):
        assert client.get(path).status_code == 403, path
    dashboard = page_soup(client.get("/admin/"))
    assert dashboard.select_one("[data-glance=posts]") is None
    assert dashboard.select_one("[data-count=pending]") is not None


def test_only_who_moderates_every_comment_may_empty_the_spam(author_client, author):
    spam = make_comment(make_post(author_id=author.id), status="spam")
    page = page_soup(author_client.get("/admin/comments?comment_status=spam"))
    assert page.select_one("#empty-spam") is None
    assert admin_post(author_client, "/admin/comments/empty/spam", token_of(author_client)).status_code == 403
    assert status_of(spam) == "spam"


# The public side


def test_a_staff_comment_is_approved_at_once_only_where_its_author_may_moderate(client, author, other_author):
    own_post = make_post(author_id=author.id)
    their_post = make_post(author_id=other_author.id)
    save_settings({"comment_moderation": True})  # every reader's comment waits for a moderator
    db.session.commit()
    login_as(client, author)
    submit_comment(client, own_post, comment="On my own post.")
    submit_comment(client, their_post, comment="On Otto's post.")
    statuses = dict(db.session.execute(sa.select(Comment.body, Comment.status)).tuples().all())
    assert statuses == {"On my own post.": "approved", "On Otto's post.": "pending"}


def test_a_held_comments_link_opens_for_who_may_moderate_it(app, author, other_author):
    own_post = make_post(author_id=author.id)
    held = make_comment(own_post, status="pending")
    assert client_as(app, author).get(f"/comments/{held.id}/").status_code == 302
    assert client_as(app, other_author).get(f"/comments/{held.id}/").status_code == 404
    assert client_as(app, staff_user(MODERATOR)).get(f"/comments/{held.id}/").status_code == 302
    assert client_as(app, staff_user(ADMINISTRATOR)).get(f"/comments/{held.id}/").status_code == 302


def test_bypostauthor_marks_the_posts_author_and_not_an_administrator_elsewhere(client, author):
    post = make_post(author_id=author.id)
    admin = staff_user(ADMINISTRATOR)
    by_author = make_comment(post, user_id=author.id, author_name=author.display_name)
    by_admin = make_comment(post, user_id=admin.id, author_name=admin.display_name)
    page = page_soup(client.get(post_url(post)))
    assert "bypostauthor" in page.select_one(f"li#comment-{by_author.id}")["class"]
    assert "bypostauthor" not in page.select_one(f"li#comment-{by_admin.id}")["class"]


def test_an_author_cannot_block_a_commenter_for_the_whole_blog(author_client, author):
    mine = make_post(author_id=author.id, title="Mine")
    comment = make_comment(mine, status="pending", author_email="spam@example.com")
    row = page_soup(author_client.get("/admin/comments")).select_one(f"tr.comment-row[data-id='{comment.id}']")
    assert row is not None and row.select("form.action-block") == []
    token = token_of(author_client)
    refused = admin_post(author_client, f"/admin/comments/{comment.id}/block", token, what="email")
    assert refused.status_code == 403
