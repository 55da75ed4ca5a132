"""The commenters' ladder in Chromium: the owner bans a guest's email from their comment, the guest
comes back with the same address spelt otherwise and is refused; a shadow-banned guest keeps
seeing their comments as published while nobody else sees them."""

import re
import shutil
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner
from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import comment_status, demo_post
from tests.e2e.test_accessibility import assert_no_violations

SHOTS = Path("/tmp/work/shots")


def _write(page, post, name: str, email: str, text: str):
    """Send the post's comment form as a guest; the response page."""
    page.goto(post.path)
    page.wait_for_load_state("load")
    page.get_by_role("textbox", name="Comment", exact=True).fill(text)
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    with page.expect_navigation():
        page.get_by_role("button", name="Post Comment").click()
    page.wait_for_load_state("load")


def _comment_id(page) -> int:
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    return int(page.url.rsplit("-", 1)[1])


def _open_commenter_page(admin, comment_id: int) -> None:
    admin.goto(f"/admin/comments/{comment_id}/edit")
    admin.get_by_role("link", name="The commenter: history, trust, holds and bans").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Commenter:")


def _set_rung(admin, kind: str, rung: str, note: str) -> None:
    section = admin.locator(f"#standing-{kind}")
    section.get_by_label("Rung").select_option(label=rung)
    section.get_by_label("Moderator's note").fill(note)
    section.get_by_role("button", name="Save").click()
    expect(admin.locator(".notice-success")).to_be_visible()


def _keep_shots(paths: list[Path]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copy(path, SHOTS / path.name)


def test_owner_bans_a_guests_email_and_the_guest_is_refused_however_they_spell_it(
        live_app, browse, owner, problems, axe_script):
    post = demo_post(live_app)
    guest = browse()
    _write(guest, post, "Ada Spammer", "ada.l@example.com", "Cheap watches at my site, best prices.")
    comment_id = _comment_id(guest)
    assert comment_status(live_app, comment_id) == "pending"

    admin = browse()
    log_in_as_owner(admin, owner, f"/admin/comments/{comment_id}/edit")
    _open_commenter_page(admin, comment_id)
    expect(admin.locator(".commenter-email")).to_have_text("ada.l@example.com")
    _set_rung(admin, "email", "Banned", "Watch spam; warned once by mail.")
    expect(admin.locator("#standing-email .standing-now")).to_contain_text("Banned")
    expect(admin.locator(".commenter-actions")).to_contain_text("Watch spam; warned once by mail.")
    expect(admin.locator(".commenter-level")).to_have_text("Banned")
    _keep_shots(screenshot_both_widths(admin, "commenter-page"))
    assert_no_violations(admin)

    problems.expect_status(403, f"/posts/{post.id}/comments")
    _write(guest, post, "Ada S.", "Ada.L+x@Example.com", "Let me back in, please.")
    expect(guest.get_by_role("alert")).to_have_text("You can no longer comment on this blog.")
    expect(guest.get_by_role("textbox", name="Comment", exact=True)).to_have_value("Let me back in, please.")


def test_a_shadow_banned_guest_sees_their_comments_and_nobody_else_does(live_app, browse, owner):
    post = demo_post(live_app)
    guest = browse()
    _write(guest, post, "Sam Sock", "sam@example.com", "First words from Sam.")
    first_id = _comment_id(guest)

    admin = browse()
    log_in_as_owner(admin, owner, f"/admin/comments/{first_id}/edit")
    _open_commenter_page(admin, first_id)
    _set_rung(admin, "email", "Shadow-banned: only they see their comments", "Sock puppet of a banned reader.")
    expect(admin.locator("#standing-email .standing-now")).to_contain_text("Shadow-banned")

    _write(guest, post, "Sam Sock", "sam@example.com", "Nobody but Sam reads this.")
    shadow_id = _comment_id(guest)
    assert comment_status(live_app, shadow_id) == "spam"
    mine = guest.locator(f"li#comment-{shadow_id}")
    expect(mine).to_contain_text("Nobody but Sam reads this.")
    expect(mine.locator(".comment-awaiting-moderation")).to_have_count(0)
    guest.reload()
    expect(mine).to_contain_text("Nobody but Sam reads this.")

    stranger = browse()
    for _visit in (1, 2):  # the second visit may be the cached page
        stranger.goto(post.path)
        expect(stranger.locator("#comments")).to_be_visible()
        expect(stranger.locator(f"li#comment-{shadow_id}")).to_have_count(0)
        expect(stranger.get_by_text("Nobody but Sam reads this.")).to_have_count(0)

    admin.goto(f"/admin/comments/{shadow_id}/commenter")
    expect(admin.locator(f".commenter-comments tr[data-id='{shadow_id}'] .comment-status")).to_have_text(
        "Spam (shadow)")
