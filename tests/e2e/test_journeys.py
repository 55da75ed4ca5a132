"""The readers' and the owner's journeys through the blog, in Chromium against the live server."""

import re

from playwright.sync_api import expect

from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import add_comment, add_discussion, demo_post


def test_reader_follows_the_post_from_home_and_reads_its_comments(live_app, page):
    post = demo_post(live_app)
    first = add_discussion(live_app, post.id, 2)[0]
    reply = add_comment(live_app, post.id, first, author_name="Grace", body="Listening first, agreed.")

    page.goto("/")
    page.get_by_role("link", name=post.title, exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(post.path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(post.title)
    expect(page.locator(".entry-content p").first).to_be_visible()
    expect(page.locator("#comments h2")).to_have_text(f"3 Responses to “{post.title}”")
    expect(page.locator(f"li#comment-{first} > article .comment-content")).to_contain_text("Comment number 1")
    expect(page.locator(f"li#comment-{first} > ol.children > li#comment-{reply}")).to_contain_text(
        "Listening first, agreed.")
    screenshot_both_widths(page, "1-reader-reads-post")


def test_guest_fixes_a_bad_email_and_sees_the_comment_awaiting_moderation(live_app, page, problems):
    post = demo_post(live_app)
    page.goto(post.path)
    form = page.locator("form#commentform")
    form.get_by_role("textbox", name="Comment", exact=True).fill("Volunteering got me my last two jobs.")
    form.get_by_role("textbox", name="Name", exact=True).fill("Grace Guest")
    form.get_by_role("textbox", name="Email", exact=True).fill("grace-at-example.com")

    problems.expect_status(400, f"/posts/{post.id}/comments")
    form.get_by_role("button", name="Post Comment").click()

    expect(page.get_by_role("alert")).to_contain_text("Your comment was not sent yet")
    email = page.get_by_role("textbox", name="Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_have_text("Please enter a valid email address.")
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_have_value("Volunteering got me my last two jobs.")
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Grace Guest")

    email.fill("grace@example.com")
    page.get_by_role("button", name="Post Comment").click()

    held = page.locator("ol.comment-list li.unapproved")
    expect(held).to_contain_text("Volunteering got me my last two jobs.")
    expect(held.locator(".comment-awaiting-moderation")).to_have_text("Your comment is awaiting moderation.")
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    screenshot_both_widths(page, "2-guest-comment-held")


def test_reply_form_moves_under_the_comment_and_back_and_the_reply_nests(live_app, page):
    post = demo_post(live_app)
    first, second = add_discussion(live_app, post.id, 2)
    page.goto(post.path)
    respond = page.locator("#respond")
    reply_link = page.locator(f"li#comment-{first} > article .comment-reply-link")

    reply_link.focus()
    page.keyboard.press("Enter")  # keyboard, as a reader without a mouse would
    expect(page.locator(f"li#comment-{first} > #respond")).to_be_visible()
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to Reader 1")
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_be_focused()
    expect(page.locator("#comment_parent")).to_have_value(str(first))

    page.get_by_role("link", name="Cancel reply").click()
    expect(page.locator("#comments > #respond")).to_be_visible()
    expect(page.locator("ol.comment-list #respond")).to_have_count(0)
    expect(page.locator("#comment_parent")).to_have_value("0")
    expect(page.get_by_role("link", name="Cancel reply")).to_be_hidden()
    expect(reply_link).to_be_focused()

    reply_link.click()
    page.get_by_role("textbox", name="Comment", exact=True).fill("Same here: listening opened more doors than talking.")
    page.get_by_role("textbox", name="Name", exact=True).fill("Lin Replier")
    page.get_by_role("textbox", name="Email", exact=True).fill("lin@example.com")
    respond.get_by_role("button", name="Post Comment").click()

    nested = page.locator(f"li#comment-{first} > ol.children > li")
    expect(nested).to_contain_text("Same here: listening opened more doors than talking.")
    expect(nested).to_contain_text("Your comment is awaiting moderation.")
    expect(page.locator(f"li#comment-{second} ol.children")).to_have_count(0)
    screenshot_both_widths(page, "3-reply-nested")
