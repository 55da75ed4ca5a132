"""The blog walked in each shipped language, in Chromium at a desktop and a phone width: a guest's
comment held for moderation, the owner approving it in the admin, a reply under it. Each page is in
the site's language (<html lang>, right-to-left for Arabic), fits both widths without scrolling
sideways (German's long words, Arabic's mirroring), and is axe-core clean. Expected words come from
the compiled catalogues (tests.support.i18n)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import demo_post
from tests.e2e.test_accessibility import assert_no_violations
from tests.support.i18n import translated

pytestmark = pytest.mark.parametrize("site_language", ["de", "fr", "es", "ja", "ar"])


def _comment(page, text: str, name: str, email: str) -> None:
    page.locator("#comment").fill(text)
    page.locator("#author").fill(name)
    page.locator("#email").fill(email)
    page.locator("#submit").click()


def test_a_guest_comments_the_owner_approves_and_a_reader_replies(site_language, live_app, browse, owner,
                                                                  axe_script):
    language = site_language
    post = demo_post(live_app)
    guest = browse()
    guest.goto(post.path)
    html = guest.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    expect(guest.locator("#reply-title-text")).to_have_text(translated(language, "Leave a Reply"))
    assert_no_violations(guest)

    _comment(guest, "Ein Kommentar, مرحبا, こんにちは.", "Zoë Ünal", "zoe@example.com")
    held = guest.locator("ol.comment-list li.unapproved")
    expect(held.locator(".comment-awaiting-moderation")).to_have_text(
        translated(language, "Your comment is awaiting moderation."))
    assert_no_violations(guest)
    screenshot_both_widths(guest, f"language-{language}-1-comment-held")
    comment_id = held.get_attribute("id").removeprefix("comment-")

    admin = browse()
    admin.goto("/admin/comments")
    expect(admin).to_have_url(re.compile(r"/login\?next="))
    expect(admin.locator("html")).to_have_attribute("lang", language)
    admin.locator("input[name=email]").fill(owner[0])
    admin.locator("input[name=password]").fill(owner[1])
    admin.locator("form button[type=submit], form input[type=submit]").first.click()
    expect(admin).to_have_url(re.compile(r"/admin/comments$"))
    expect(admin.locator("h1")).to_contain_text(translated(language, "Comments"))
    admin.wait_for_load_state("load")
    row = admin.locator(f"tr#comment-{comment_id}")
    row.locator("form.action-approve button").click()
    expect(row).to_have_class(re.compile(r"status-approved"))
    expect(admin.locator("#admin-live")).to_have_text(translated(language, "Comment approved."))
    assert_no_violations(admin)
    screenshot_both_widths(admin, f"language-{language}-2-admin-comments")

    reader = browse()
    reader.goto(post.path)
    reader.locator(f"li#comment-{comment_id} > article .comment-reply-link").click()
    expect(reader.locator("#cancel-comment-reply-link")).to_be_visible()
    _comment(reader, "Danke! شكرا! ありがとう!", "Rafael", "rafael@example.com")
    reply = reader.locator(f"li#comment-{comment_id} > ol.children > li.unapproved")
    expect(reply).to_contain_text("ありがとう")
    assert_no_violations(reader)
    screenshot_both_widths(reader, f"language-{language}-3-reply")
