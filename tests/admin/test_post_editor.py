"""The post editor's Publish box, as WordPress's: Save Draft, Preview, Publish / Schedule / Update,
status, visibility (public, password protected, private), the publish date, and its notices."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from blog.models import Post
from core.dbtypes import utcnow
from extensions import db
from notify.models import OutboxMessage, Subscription
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup


def editor(token: str, button: str = "publish", **fields) -> dict:
    """The editor's fields as a browser sends them with one button pressed (None: a field left out)."""
    label = {"publish": "Publish", "save_draft": "Save Draft", "preview": "Preview"}[button]
    data = {"csrf_token": token, "title": "Notes on interviews", "slug": "", "body": "The *secret* body.",
            "excerpt": "", "published_at": "", "visibility": "public", "password": "", "comments_open": "y",
            button: label} | fields
    return {name: value for name, value in data.items() if value is not None}


def only_post() -> Post:
    db.session.expire_all()
    (post,) = db.session.scalars(sa.select(Post)).all()
    return post


def notices(client) -> list[str]:
    return [p.get_text(strip=True) for p in page_soup(client.get("/admin/posts")).select(".notice")]


def box(response):
    return page_soup(response).select_one("#submitdiv")


def edit_url(post: Post) -> str:
    return f"/admin/posts/{post.id}/edit"


def local_input(moment: datetime) -> str:
    # The test app's blog time zone is UTC.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def test_a_new_post_gets_the_publish_box_with_styled_buttons(admin_client):
    page = admin_client.get("/admin/posts/new")
    publish = box(page)
    buttons = [(b["name"], b.get_text(strip=True)) for b in publish.select("button")]
    assert buttons == [("save_draft", "Save Draft"), ("preview", "Preview"), ("publish", "Publish")]
    assert all("button" in b["class"] for b in publish.select("button"))
    assert "button-primary" in publish.select_one("#publish")["class"]
    assert page_soup(page).select("input[type=submit]") == []  # no unstyled browser button left
    assert publish.select_one("#post-status-display").get_text() == "Draft"
    assert [(r["value"], r.has_attr("checked")) for r in publish.select("input[name=visibility]")] == [
        ("public", True), ("password", False), ("private", False)]
    assert publish.select_one("#password") is not None
    assert publish.select_one("#timestamp").get_text(" ", strip=True) == "Publish immediately"
    assert publish.select_one(".submitdelete") is None  # nothing to delete yet


def test_publish_with_no_date_publishes_now(admin_client, admin_token, client):
    before = utcnow()
    response = admin_client.post("/admin/posts/new", data=editor(admin_token))
    post = only_post()
    assert response.status_code == 303 and response.headers["Location"] == edit_url(post)
    assert post.status == "published" and before <= post.published_at <= utcnow()
    assert notices(admin_client) == ["Post published."]
    page = admin_client.get(edit_url(post))
    assert box(page).select_one("#publish").get_text(strip=True) == "Update"
    assert box(page).select_one("#timestamp").get_text(strip=True).startswith("Published on: ")
    assert box(page).select_one("#save-post") is None  # WordPress offers no Save Draft once published
    assert client.get(f"/{post.published_at:%Y/%m/%d}/{post.slug}/").status_code == 200


def test_save_draft_keeps_the_date_open_until_the_post_is_published(admin_client, admin_token, client):
    admin_client.post("/admin/posts/new", data=editor(admin_token, "save_draft"))
    post = only_post()
    assert post.status == "draft"
    assert notices(admin_client) == ["Post saved as draft."]
    page = admin_client.get(edit_url(post))
    assert page_soup(page).select_one("#published_at").get("value") in (None, "")
    assert box(page).select_one("#timestamp").get_text(" ", strip=True) == "Publish immediately"
    admin_client.post(edit_url(post), data=editor(admin_token, "save_draft", title="Second draft"))
    assert only_post().status == "draft"
    assert notices(admin_client) == ["Post draft updated."]
    just_before = utcnow()
    admin_client.post(edit_url(post), data=editor(admin_token, title="Second draft"))
    published = only_post()
    assert published.status == "published" and published.published_at >= just_before
    assert notices(admin_client) == ["Post published."]


def test_a_future_date_schedules_and_the_button_says_schedule(admin_client, admin_token, client):
    later = utcnow() + timedelta(days=2)
    draft = make_post(status="draft", published_at=later.replace(second=0, microsecond=0))
    page = admin_client.get(edit_url(draft))
    assert box(page).select_one("#publish").get_text(strip=True) == "Schedule"
    assert box(page).select_one("#timestamp").get_text(strip=True).startswith("Schedule for: ")
    admin_client.post(edit_url(draft), data=editor(admin_token, published_at=local_input(later)))
    post = only_post()
    assert post.status == "published" and post.published_at > utcnow()
    assert notices(admin_client) == ["Post scheduled."]
    assert client.get(f"/{post.published_at:%Y/%m/%d}/{post.slug}/").status_code == 404
    page = admin_client.get(edit_url(post))
    assert box(page).select_one("#timestamp").get_text(strip=True).startswith("Scheduled for: ")
    assert box(page).select_one("#status option[selected]").get_text() == "Scheduled"
    assert box(page).select_one("#publish").get_text(strip=True) == "Update"


def test_update_and_revert_to_draft_from_the_status_box(admin_client, admin_token):
    post = make_post(published_at=datetime(2024, 5, 1, 10, 30, 45, tzinfo=UTC))
    page = admin_client.get(edit_url(post))
    assert [o["value"] for o in box(page).select("#status option")] == ["draft", "published"]
    assert box(page).select_one("#timestamp").get_text(strip=True) == "Published on: May 1, 2024 at 10:30"
    admin_client.post(edit_url(post), data=editor(admin_token, status="published", published_at="2024-05-01T10:30"))
    updated = only_post()
    assert updated.status == "published"
    assert updated.published_at == datetime(2024, 5, 1, 10, 30, 45, tzinfo=UTC)  # seconds the form hid are kept
    assert notices(admin_client) == ["Post updated."]
    admin_client.post(edit_url(post), data=editor(admin_token, status="draft", published_at="2024-05-01T10:30"))
    assert only_post().status == "draft"
    assert notices(admin_client) == ["Post reverted to draft."]


def test_a_form_without_status_or_visibility_keeps_the_posts(admin_client, admin_token):
    post = make_post(password="open sesame")
    admin_client.post(edit_url(post), data=editor(admin_token, status=None, visibility=None, password=None,
                                                  published_at=local_input(post.published_at)))
    kept = only_post()
    assert (kept.status, kept.password) == ("published", "open sesame")


def test_private_visibility_publishes_privately(admin_client, admin_token, client):
    admin_client.post("/admin/posts/new", data=editor(admin_token, visibility="private", password="ignored"))
    post = only_post()
    assert (post.status, post.password) == ("private", "")
    assert notices(admin_client) == ["Post published privately."]
    assert client.get(f"/{post.published_at:%Y/%m/%d}/{post.slug}/").status_code == 404
    page = admin_client.get(edit_url(post))
    assert box(page).select_one("#status option[selected]").get_text() == "Privately Published"
    assert box(page).select_one("input[name=visibility][value=private]").has_attr("checked")
    admin_client.post(edit_url(post), data=editor(admin_token, status="private",
                                                  published_at=local_input(post.published_at)))
    assert only_post().status == "published"  # visibility Public makes it public again
    assert notices(admin_client) == ["Post published."]


def test_password_protected_needs_a_password_and_saves_nothing_without_one(admin_client, admin_token):
    response = admin_client.post("/admin/posts/new", data=editor(admin_token, visibility="password", password="  "))
    assert response.status_code == 400
    soup = page_soup(response)
    assert soup.select_one("#password-error").get_text() == "Please enter a password, or choose another visibility."
    assert soup.select_one("#password")["aria-invalid"] == "true"
    assert db.session.scalars(sa.select(Post)).all() == []


def test_password_protected_post_keeps_its_password_and_shows_it_to_the_editor(admin_client, admin_token):
    admin_client.post("/admin/posts/new", data=editor(admin_token, visibility="password", password="open sesame"))
    post = only_post()
    assert (post.status, post.password) == ("published", "open sesame")
    page = admin_client.get(edit_url(post))
    assert box(page).select_one("input[name=visibility][value=password]").has_attr("checked")
    assert box(page).select_one("#password")["value"] == "open sesame"
    admin_client.post(edit_url(post), data=editor(admin_token, status="published", password="open sesame",
                                                  published_at=local_input(post.published_at)))
    assert only_post().password == ""  # Public clears it, as in WordPress


def test_a_trashed_post_offers_its_own_status_and_delete_permanently(admin_client):
    post = make_post(status="trash")
    page = admin_client.get(edit_url(post))
    assert [o.get_text() for o in box(page).select("#status option")] == ["Draft", "Published", "Trash"]
    delete = box(page).select_one(".submitdelete")
    assert delete["href"] == f"/admin/posts/{post.id}/delete"
    assert delete.get_text() == "Delete permanently"  # no Trash for posts here: the page deletes for good


def test_preview_saves_nothing_and_keeps_the_box(admin_client, admin_token):
    response = admin_client.post("/admin/posts/new", data=editor(admin_token, "preview"))
    assert response.status_code == 200
    assert page_soup(response).select_one(".post-preview em").get_text() == "secret"
    assert box(response).select_one("#publish") is not None
    assert db.session.scalars(sa.select(Post)).all() == []


def test_delete_notice_counts_comments_in_good_english(admin_client, admin_token):
    lonely, single = make_post(title="Lonely"), make_post(title="Single")
    make_comment(single)
    admin_client.post(f"/admin/posts/{lonely.id}/delete", data={"csrf_token": admin_token})
    assert notices(admin_client) == ["“Lonely” was deleted."]
    admin_client.post(f"/admin/posts/{single.id}/delete", data={"csrf_token": admin_token})
    assert notices(admin_client) == ["“Single” and its 1 comment was deleted."]


def _new_post_mails() -> list[str]:
    return list(db.session.scalars(sa.select(OutboxMessage.subject).where(OutboxMessage.subject.like("New post on%"))))


def test_publishing_mails_the_blogs_followers_once(admin_client, admin_token):
    db.session.add(Subscription(email="follower@example.com", scope="posts", delivery="instant",
                                confirmed_at=utcnow()))
    db.session.commit()
    admin_client.post("/admin/posts/new", data=editor(admin_token, "save_draft"))
    assert _new_post_mails() == []
    post = only_post()
    admin_client.post(edit_url(post), data=editor(admin_token, "publish"))
    assert _new_post_mails() == ["New post on Career Notes: “Notes on interviews”"]
    admin_client.post(edit_url(post), data=editor(admin_token, "publish", title="Notes, revised", status="published"))
    assert len(_new_post_mails()) == 1  # an update is not news
