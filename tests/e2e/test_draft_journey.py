"""No comment is lost in Chromium: not over a social log-in, not when the tab is closed."""

import re

from playwright.sync_api import expect

from tests.e2e.seed import add_comment, demo_post

REPLY = "I typed this before logging in, and it came back with me."
UNSENT = "Half a thought, written before the tab was closed."


def test_a_reply_typed_before_logging_in_is_back_in_the_box_and_posts(live_app, page, providers, problems):
    post = demo_post(live_app)
    parent = add_comment(live_app, post.id, author_name="Grace Keeper", body="Tell me about your first job.")
    page.goto(post.path)
    page.wait_for_load_state("load")  # comment-reply.js and comment-drafts.js attached
    page.locator(f"#div-comment-{parent} .comment-reply-link").click()
    page.get_by_role("textbox", name="Comment", exact=True).fill(REPLY)
    page.get_by_label("Notify me of new comments via email.").check()

    page.get_by_role("button", name="Log in with Google").click()
    field, user, shown_name = providers.logins["google"]
    expect(page).not_to_have_url(re.compile(re.escape(post.path)))  # at the provider, no draft in its URL
    assert "came back" not in page.url
    page.locator(f"input[name={field}]").fill(user)
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(re.compile(re.escape(post.path) + "#respond$"))
    expect(page.locator(".logged-in-name")).to_have_text(shown_name)
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_have_value(REPLY)
    expect(page.locator("#reply-title-text")).to_have_text("Leave a Reply to Grace Keeper")
    expect(page.get_by_label("Notify me of new comments via email.")).to_be_checked()
    page.get_by_role("button", name="Post Comment").click()

    reply = page.locator(f"li#comment-{parent} > ol.children > li").filter(has_text=REPLY)
    expect(reply.locator(".fn")).to_have_text(shown_name)
    page.goto(post.path)
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_have_value("")


def test_a_comment_left_in_a_closed_tab_comes_back_and_is_forgotten_once_posted(live_app, page, problems):
    post = demo_post(live_app)
    page.goto(post.path)
    page.wait_for_load_state("load")
    page.get_by_role("textbox", name="Comment", exact=True).fill(UNSENT)
    page.get_by_role("textbox", name="Name", exact=True).fill("Lin Writer")
    page.close()  # the tab is closed before the comment was sent

    tab = page.context.new_page()
    tab.goto(post.path)
    expect(tab.get_by_role("textbox", name="Comment", exact=True)).to_have_value(UNSENT)
    tab.get_by_role("textbox", name="Name", exact=True).fill("Lin Writer")
    tab.get_by_role("textbox", name="Email", exact=True).fill("lin@example.com")
    tab.get_by_role("button", name="Post Comment").click()

    expect(tab).to_have_url(re.compile(r"#comment-\d+$"))
    expect(tab.locator("ol.comment-list")).to_contain_text(UNSENT)
    tab.wait_for_load_state("load")
    stored = tab.evaluate("Object.keys(window.localStorage).filter(k => k.startsWith('comment-draft-'))")
    assert stored == []
    tab.goto(post.path)
    expect(tab.get_by_role("textbox", name="Comment", exact=True)).to_have_value("")
