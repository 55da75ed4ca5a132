"""Writing posts from the admin: list, create with preview, edit, schedule, delete with comments."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from blog.models import Comment, Post
from blog.permalinks import post_url
from core.dbtypes import utcnow
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup


def editor_data(token: str, **fields) -> dict:
    """The editor's fields with the Publish button pressed; a field given as None is left out."""
    data = {"csrf_token": token, "title": "Cover letters that work", "slug": "", "body": "Hello **world**.",
            "excerpt": "", "published_at": "2024-05-01T10:30", "visibility": "public",
            "comments_open": "y", "publish": "Publish"} | fields
    return {name: value for name, value in data.items() if value is not None}


def posts_by_id() -> list[Post]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Post).order_by(Post.id)))


def test_create_a_post_with_a_slug_made_from_the_title(admin_client, admin_token, admin_user, client):
    response = admin_client.post("/admin/posts/new", data=editor_data(admin_token, excerpt="Short."))
    (post,) = posts_by_id()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/posts/{post.id}/edit"
    assert (post.title, post.slug, post.status, post.excerpt, post.author_id, post.comments_open) == (
        "Cover letters that work", "cover-letters-that-work", "published", "Short.", admin_user.id, True)
    assert post.published_at == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
    public = client.get(post_url(post))
    assert public.status_code == 200
    assert "<strong>world</strong>" in public.get_data(as_text=True)


def test_slugs_stay_unique_and_can_be_edited(admin_client, admin_token):
    make_post(slug="cover-letters-that-work")
    admin_client.post("/admin/posts/new", data=editor_data(admin_token))
    admin_client.post("/admin/posts/new", data=editor_data(admin_token, slug="Cover Letters That Work!"))
    assert [p.slug for p in posts_by_id()] == ["cover-letters-that-work", "cover-letters-that-work-2",
                                               "cover-letters-that-work-3"]
    mine = posts_by_id()[1]
    admin_client.post(f"/admin/posts/{mine.id}/edit", data=editor_data(admin_token, slug="my own slug"))
    assert posts_by_id()[1].slug == "my-own-slug"
    admin_client.post(f"/admin/posts/{mine.id}/edit", data=editor_data(admin_token, slug="my-own-slug"))
    assert posts_by_id()[1].slug == "my-own-slug"


def test_preview_renders_sanitized_markdown_without_saving(admin_client, admin_token):
    body = "# Heading\n\nSome *text* <script>alert(1)</script> [x](javascript:alert(2))"
    form = editor_data(admin_token, body=body, publish=None, preview="Preview")
    response = admin_client.post("/admin/posts/new", data=form)
    assert response.status_code == 200
    preview = page_soup(response).select_one(".post-preview .entry-content")
    assert preview.select_one("h1").get_text() == "Heading"
    assert preview.select_one("em").get_text() == "text"
    assert preview.select("script") == []
    assert all("javascript" not in (a.get("href") or "") for a in preview.select("a"))
    assert posts_by_id() == []
    assert page_soup(response).select_one("#body").get_text().strip() == body


def test_future_date_schedules_and_draft_hides(admin_client, admin_token, client):
    future = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    admin_client.post("/admin/posts/new", data=editor_data(admin_token, title="Later", published_at=future))
    admin_client.post("/admin/posts/new", data=editor_data(admin_token, title="Draft one", publish=None,
                                                           save_draft="Save Draft"))
    scheduled, draft = posts_by_id()
    assert client.get(post_url(scheduled)).status_code == 404
    assert client.get(post_url(draft)).status_code == 404
    rows = page_soup(admin_client.get("/admin/posts")).select("tr.post-row")
    statuses = {row.select_one(".row-title").get_text(): row.select_one(".column-status").get_text() for row in rows}
    assert statuses == {"Later": "Scheduled", "Draft one": "Draft"}


def test_edit_closes_comments(admin_client, admin_token):
    post = make_post()
    form = page_soup(admin_client.get(f"/admin/posts/{post.id}/edit"))
    assert form.select_one("#title")["value"] == post.title
    assert form.select_one("#published_at")["value"] == post.published_at.strftime("%Y-%m-%dT%H:%M")
    data = editor_data(admin_token, title="Renamed", slug=post.slug)
    data.pop("comments_open")
    admin_client.post(f"/admin/posts/{post.id}/edit", data=data)
    (edited,) = posts_by_id()
    assert (edited.title, edited.comments_open) == ("Renamed", False)


def test_invalid_post_is_refused_with_messages(admin_client, admin_token):
    response = admin_client.post("/admin/posts/new", data=editor_data(admin_token, title="", published_at="soon"))
    assert response.status_code == 400
    soup = page_soup(response)
    assert "Please give the post a title." in soup.select_one("#title-error").get_text()
    assert soup.select_one("#published_at-error") is not None
    assert posts_by_id() == []


def test_list_shows_status_and_comment_counts(admin_client):
    post = make_post(title="Counted")
    make_comment(post)
    make_comment(post)
    make_comment(post, status="pending")
    row = page_soup(admin_client.get("/admin/posts")).select_one(f"tr#post-{post.id}")
    assert row.select_one(".approved-count").get_text() == "2"
    assert row.select_one(".column-comments .badge").get_text(strip=True).startswith("1")
    assert row.select_one(".column-status").get_text() == "Published"


def test_list_marks_password_protected_and_private_posts(admin_client):
    protected, private, public = (make_post(title="Locked", password="sesame"),
                                  make_post(title="Mine", status="private"), make_post(title="Open"))
    page = page_soup(admin_client.get("/admin/posts"))
    state = {post.id: page.select_one(f"tr#post-{post.id} .post-state") for post in (protected, private, public)}
    assert state[protected.id].get_text() == "— Password protected"
    assert state[private.id].get_text() == "— Private"
    assert state[public.id] is None


def test_delete_asks_first_then_removes_the_post_and_its_comments(admin_client, admin_token):
    post = make_post(title="Doomed")
    other = make_post()
    parent = make_comment(post)
    make_comment(post, parent=parent)
    make_comment(post, status="spam")
    survivor = make_comment(other)
    confirm = admin_client.get(f"/admin/posts/{post.id}/delete")
    assert "Delete “<bdi>Doomed</bdi>”?" in confirm.get_data(as_text=True)
    assert len(posts_by_id()) == 2
    response = admin_client.post(f"/admin/posts/{post.id}/delete", data={"csrf_token": admin_token})
    assert response.status_code == 303
    assert "“Doomed” and its 3 comments were deleted." in admin_client.get("/admin/posts").get_data(as_text=True)
    assert [p.id for p in posts_by_id()] == [other.id]
    assert list(db.session.scalars(sa.select(Comment.id))) == [survivor.id]


def test_editing_a_missing_post_is_404(admin_client):
    assert admin_client.get("/admin/posts/999/edit").status_code == 404
    assert admin_client.get("/admin/posts/999/delete").status_code == 404
