"""Staff by role in Chromium: an Editor moderates any comment, an Author only those on their own
posts, a Moderator is refused the settings, a Contributor can only save drafts; and the screens each
of them sees pass axe-core at a desktop and a phone width."""

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from auth.models import User
from auth.roles import AUTHOR, CONTRIBUTOR, EDITOR, MODERATOR
from blog.models import Post
from extensions import db
from tests.e2e.actions import log_in_as_owner
from tests.e2e.seed import add_comment, comment_status, demo_post
from tests.e2e.test_accessibility import assert_no_violations
from tests.support.factories import make_post

PASSWORD = "a long enough staff password"


def add_staff(app, role: str, name: str) -> tuple[str, str, int]:
    """A user with this role who logs in with a password: (email, password, id)."""
    email = f"{name.split()[0].lower()}@example.com"
    with app.app_context():
        user = User(display_name=name, email=email, email_verified=True, role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return email, PASSWORD, user.id


def add_post(app, author_id: int, title: str) -> int:
    with app.app_context():
        return make_post(author_id=author_id, title=title).id


def test_an_editor_moderates_a_comment_on_someone_elses_post(live_app, page):
    editor = add_staff(live_app, EDITOR, "Edith Editor")
    post = demo_post(live_app)
    held = add_comment(live_app, post.id, author_name="Grace Hopper", body="Listening first.", status="pending")
    log_in_as_owner(page, editor[:2], "/admin/comments")
    page.get_by_role("button", name="Approve comment by Grace Hopper").click()
    expect(page.locator(f"tr#comment-{held}")).to_have_attribute("data-status", "approved")
    expect(page.locator("[data-pending-count]")).to_have_text("0")
    assert comment_status(live_app, held) == "approved"
    expect(page.get_by_role("link", name="Discussion settings")).to_have_count(0)


def test_an_author_moderates_only_the_comments_on_their_own_posts(live_app, page, problems):
    email, password, author_id = add_staff(live_app, AUTHOR, "Ann Author")
    own_post = add_post(live_app, author_id, "Ann's own post")
    mine = add_comment(live_app, own_post, author_name="Ada Reader", body="On Ann's post.", status="pending")
    theirs = add_comment(live_app, demo_post(live_app).id, author_name="Bob Else", body="On the demo post.",
                         status="pending")
    log_in_as_owner(page, (email, password), "/admin/comments")
    rows = page.locator("tr.comment-row")
    expect(rows).to_have_count(1)
    expect(page.locator(f"tr#comment-{mine}")).to_contain_text("On Ann's post.")
    expect(page.locator('.subsubsub [data-count="pending"]')).to_have_text("1")
    page.get_by_role("button", name="Approve comment by Ada Reader").click()
    expect(page.locator(f"tr#comment-{mine}")).to_have_attribute("data-status", "approved")
    assert comment_status(live_app, mine) == "approved"
    expect(page.get_by_role("link", name="Moderation log")).to_have_count(0)

    problems.expect_status(403, f"/admin/comments/{theirs}/reply")
    page.goto(f"/admin/comments/{theirs}/reply")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")
    expect(page.locator(".error-page")).to_contain_text("only the comments on your own posts")
    assert comment_status(live_app, theirs) == "pending"


def test_a_moderator_is_refused_the_settings_but_moderates_comments(live_app, page, problems):
    moderator = add_staff(live_app, MODERATOR, "Mo Moderator")
    held = add_comment(live_app, demo_post(live_app).id, author_name="Cheap Pills", body="Buy now.",
                       status="pending")
    log_in_as_owner(page, moderator[:2], "/admin/")
    expect(page.get_by_role("link", name="Discussion settings")).to_have_count(0)
    expect(page.get_by_role("link", name="Posts", exact=True)).to_have_count(0)
    problems.expect_status(403, "/admin/settings/discussion")
    page.goto("/admin/settings/discussion")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forbidden")
    page.goto("/admin/comments")
    page.get_by_role("button", name="Spam comment by Cheap Pills").click()
    expect(page.locator("tr.undo-row")).to_have_text("Comment by Cheap Pills marked as spam. Undo")
    assert comment_status(live_app, held) == "spam"


def test_a_contributor_saves_a_draft_and_cannot_publish_it(live_app, page):
    contributor = add_staff(live_app, CONTRIBUTOR, "Cody Contributor")
    log_in_as_owner(page, contributor[:2], "/admin/posts/new")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    page.get_by_label("Title").fill("My first draft")
    page.get_by_role("button", name="Save Draft").click()
    expect(page.locator(".notice").first).to_contain_text("Post saved as draft.")
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    with live_app.app_context():
        post = db.session.scalars(sa.select(Post).where(Post.title == "My first draft")).one()
        assert (post.status, post.author_id) == ("draft", contributor[2])


@pytest.mark.parametrize(("role", "path"), [
    (AUTHOR, "/admin/"),
    (AUTHOR, "/admin/comments"),
    (AUTHOR, "/admin/posts"),
    (MODERATOR, "/admin/"),
    (MODERATOR, "/admin/comments"),
    (CONTRIBUTOR, "/admin/"),
    (CONTRIBUTOR, "/admin/posts"),
    (CONTRIBUTOR, "/admin/posts/new"),
])
def test_the_screens_each_role_sees_have_no_accessibility_violations(live_app, page, axe_script, role, path):
    email, password, user_id = add_staff(live_app, role, f"Sam {role}")
    own_post = add_post(live_app, user_id, "A post of my own")
    add_comment(live_app, own_post, author_name="Pat Pending", status="pending", body="Held.")
    add_comment(live_app, own_post, author_name="Ada Reader", body="Approved.")
    log_in_as_owner(page, (email, password), path)
    assert_no_violations(page)
