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


# -- the Categories, Tags and Sticky boxes --------------------------------------------------------


def terms_of(post: Post) -> list[str]:
    db.session.expire_all()
    return sorted(f"{t.taxonomy}:{t.name}" for t in db.session.get(Post, post.id).terms)


def test_a_new_post_offers_hierarchical_categories_with_the_default_ticked(admin_client):
    from blog.terms import create_term, default_category

    default = default_category()
    work = create_term("category", "Work")
    interviews = create_term("category", "Interviews", parent_id=work.id)
    page = page_soup(admin_client.get("/admin/posts/new"))
    checklist = page.select_one("#categorychecklist")
    assert checklist.select_one(f"input[value='{default.id}']").has_attr("checked")
    assert not checklist.select_one(f"input[value='{work.id}']").has_attr("checked")
    nested = checklist.select_one(f"input[value='{work.id}']").find_parent("li").select_one("ul")
    assert nested.select_one(f"input[value='{interviews.id}']") is not None  # a child under its parent
    assert page.select_one("#tags_text")["list"] == "tag-suggestions"
    assert page.select_one("#sticky") is not None


def test_on_a_new_blog_uncategorized_is_offered_ticked_before_it_exists(admin_client, admin_token):
    box = page_soup(admin_client.get("/admin/posts/new")).select_one("#categorychecklist")
    assert [(i.parent.get_text(strip=True), i.has_attr("checked")) for i in box.select("input")] == [
        ("Uncategorized", True)]
    admin_client.post("/admin/posts/new", data=editor(admin_token, categories=["0"], terms_shown="1"))
    assert terms_of(only_post()) == ["category:Uncategorized"]


def test_saving_assigns_categories_and_creates_tags_and_counts_them(admin_client, admin_token):
    from blog.terms import create_term

    work = create_term("category", "Work")
    make_post()  # another post, unrelated
    admin_client.post("/admin/posts/new", data=editor(admin_token, categories=[str(work.id)],
                                                      tags_text="Remote, interviews ,remote", terms_shown="1"))
    post = db.session.scalar(sa.select(Post).where(Post.title == "Notes on interviews"))
    assert terms_of(post) == ["category:Work", "tag:Remote", "tag:interviews"]
    assert db.session.get(type(work), work.id).post_count == 1
    row = page_soup(admin_client.get("/admin/posts")).select_one(f"#post-{post.id}")
    assert (row.select_one(".column-category").get_text(), row.select_one(".column-tag").get_text()) == (
        "Work", "interviews, Remote")
    page = page_soup(admin_client.get(edit_url(post)))
    assert page.select_one("#tags_text")["value"] == "interviews, Remote"
    assert page.select_one(f"#categorychecklist input[value='{work.id}']").has_attr("checked")
    admin_client.post(edit_url(post), data=editor(admin_token, status="draft", tags_text="", terms_shown="1",
                                                  published_at=local_input(post.published_at)))
    assert terms_of(post) == ["category:Uncategorized"]  # no category ticked: the default one
    db.session.expire_all()
    assert db.session.get(type(work), work.id).post_count == 0


def test_a_form_without_the_term_boxes_keeps_the_posts_terms(admin_client, admin_token):
    from blog.terms import create_term, set_post_terms

    work = create_term("category", "Work")
    post = make_post()
    set_post_terms(post, [work.id], "kept")
    db.session.commit()
    admin_client.post(edit_url(post), data=editor(admin_token, status="published",
                                                  published_at=local_input(post.published_at)))
    assert terms_of(post) == ["category:Work", "tag:kept"]


def test_reverting_to_draft_republishing_and_deleting_recount_the_posts_terms(admin_client, admin_token):
    from blog.models import Term
    from blog.terms import create_term, set_post_terms

    work = create_term("category", "Work")
    post = make_post()
    set_post_terms(post, [work.id], "")
    db.session.commit()
    admin_client.post(edit_url(post), data=editor(admin_token, status="draft",
                                                  published_at=local_input(post.published_at)))
    db.session.expire_all()
    assert db.session.get(Term, work.id).post_count == 0
    admin_client.post(edit_url(post), data=editor(admin_token, status="published",
                                                  published_at=local_input(post.published_at)))
    db.session.expire_all()
    assert db.session.get(Term, work.id).post_count == 1
    admin_client.post(f"/admin/posts/{post.id}/delete", data={"csrf_token": admin_token})
    db.session.expire_all()
    assert db.session.get(Term, work.id).post_count == 0


def test_unknown_categories_are_refused_with_a_message(admin_client, admin_token):
    for bad in ("99999", "abc", "99999999999"):
        response = admin_client.post("/admin/posts/new", data=editor(admin_token, categories=[bad], terms_shown="1"))
        assert response.status_code == 400
    assert db.session.scalars(sa.select(Post)).all() == []


def test_sticky_is_kept_for_users_who_may_publish_only(app, admin_client, admin_token):
    from auth.roles import CONTRIBUTOR
    from tests.support.admin import client_as, csrf_token_from, staff_user

    admin_client.post("/admin/posts/new", data=editor(admin_token, sticky="y", terms_shown="1"))
    assert only_post().sticky is True
    contributor = staff_user(CONTRIBUTOR)
    client = client_as(app, contributor)
    assert page_soup(client.get("/admin/posts/new")).select_one("#sticky") is None
    token = csrf_token_from(client.get("/admin/"))
    client.post("/admin/posts/new", data=editor(token, "save_draft", title="Mine", sticky="y", terms_shown="1",
                                                tags_text="new tag"))
    mine = db.session.scalar(sa.select(Post).where(Post.title == "Mine"))
    assert mine.sticky is False and terms_of(mine) == ["category:Uncategorized", "tag:new tag"]
