"""A guest edits and deletes their own comment in Chromium, in place, within the edit window."""

import re

from playwright.sync_api import expect

from blog.settings import save_settings
from extensions import db
from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import add_comment, comment_status, demo_post

FIRST = "Networking is easier when you arrive early, the rooms are quiter then."
FIXED = "Networking is easier when you arrive early: the rooms are quieter then."
WITH_LINK = FIXED + " More at https://example.org/early-birds"


def _trusting(app) -> None:
    """Guests' first comments appear at once; one link is enough to hold a comment."""
    with app.app_context():
        save_settings({"comment_previously_approved": False, "comment_max_links": 1})
        db.session.commit()


def _write(page, post, text: str) -> tuple[int, object]:
    page.goto(post.path)
    page.wait_for_load_state("load")
    page.get_by_role("textbox", name="Comment", exact=True).fill(text)
    page.get_by_role("textbox", name="Name", exact=True).fill("Lin Writer")
    page.get_by_role("textbox", name="Email", exact=True).fill("lin@example.com")
    page.get_by_role("button", name="Post Comment").click()
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    comment_id = int(page.url.rsplit("-", 1)[1])
    page.wait_for_load_state("load")  # comment-edit.js (deferred) is attached
    return comment_id, page.locator(f"li#comment-{comment_id}")


def test_a_guest_fixes_a_typo_in_place_and_a_link_added_later_sends_it_back_to_moderation(live_app, page, problems):
    _trusting(live_app)
    post = demo_post(live_app)
    comment_id, item = _write(page, post, FIRST)
    assert comment_status(live_app, comment_id) == "approved"

    item.get_by_role("link", name="Edit", exact=True).click()
    box = item.get_by_role("textbox", name="Your comment")
    expect(box).to_have_value(FIRST)
    box.fill(FIXED)
    item.get_by_role("button", name="Save edit").click()
    expect(item.locator(".comment-content")).to_have_text(FIXED)
    expect(item.locator(".comment-edited")).to_contain_text("Edited")
    expect(item.get_by_role("status")).to_have_text("Your edit was saved.")
    screenshot_both_widths(page, "own-comment-edited")

    page.reload()
    expect(item.locator(".comment-edited")).to_contain_text("Edited")
    expect(item.locator(".comment-content")).to_have_text(FIXED)

    item.get_by_role("link", name="Edit", exact=True).click()
    item.get_by_role("textbox", name="Your comment").fill(WITH_LINK)
    item.get_by_role("button", name="Save edit").click()
    expect(item.locator(".comment-awaiting-moderation")).to_be_visible()
    assert comment_status(live_app, comment_id) == "pending"
    page.reload()  # its author still sees it, held; a stranger does not
    expect(item.locator(".comment-awaiting-moderation")).to_be_visible()
    stranger = page.context.browser.new_page()
    stranger.goto(live_app.config["SITE_URL"] + post.path)
    expect(stranger.locator(f"li#comment-{comment_id}")).to_have_count(0)
    stranger.close()


def test_a_guest_deletes_a_comment_that_has_a_reply_and_the_reply_stays(live_app, page, problems):
    _trusting(live_app)
    post = demo_post(live_app)
    comment_id, item = _write(page, post, "A remark I would rather take back.")
    add_comment(live_app, post.id, comment_id, author_name="Grace Keeper", body="I am glad you said it.")
    page.reload()

    page.once("dialog", lambda dialog: dialog.accept())
    item.get_by_role("link", name="Delete", exact=True).click()

    expect(item.locator(".comment-deleted-note")).to_have_text("This comment was deleted by its author.")
    expect(item).not_to_contain_text("rather take back")
    expect(item.locator("ol.children li").filter(has_text="I am glad you said it.")).to_be_visible()
    expect(item.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
