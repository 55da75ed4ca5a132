"""The readers' and the owner's journeys through the blog, in Chromium against the live server."""

import re

import pytest
from playwright.sync_api import expect

from auth.providers import REGISTRY
from notify.sender import run_pass
from tests.e2e.actions import log_in_as_owner, log_in_with
from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import add_comment, add_discussion, comment_status, demo_post
from tests.support.mail import text_of


def test_reader_follows_the_post_from_home_and_reads_its_comments(live_app, page):
    post = demo_post(live_app)
    first = add_discussion(live_app, post.id, 2)[0]
    reply = add_comment(
        live_app, post.id, first, author_name="Grace", body="Listening first, agreed."
    )

    page.goto("/")
    page.locator("main").get_by_role("link", name=post.title, exact=True).click()  # the sidebar links it too

    expect(page).to_have_url(re.compile(re.escape(post.path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(post.title)
    expect(page.locator(".entry-content p").first).to_be_visible()
    expect(page.locator("#comments h2")).to_have_text(f"3 Responses to “{post.title}”")
    expect(page.locator(f"li#comment-{first} > article .comment-content")).to_contain_text(
        "Comment number 1"
    )
    expect(page.locator(f"li#comment-{first} > ol.children > li#comment-{reply}")).to_contain_text(
        "Listening first, agreed."
    )
    screenshot_both_widths(page, "1-reader-reads-post")


def test_guest_fixes_a_bad_email_and_sees_the_comment_awaiting_moderation(live_app, page, problems):
    post = demo_post(live_app)
    page.goto(post.path)
    form = page.locator("form#commentform")
    form.get_by_role("textbox", name="Comment", exact=True).fill(
        "Volunteering got me my last two jobs."
    )
    form.get_by_role("textbox", name="Name", exact=True).fill("Grace Guest")
    form.get_by_role("textbox", name="Email", exact=True).fill("grace-at-example.com")

    problems.expect_status(400, f"/posts/{post.id}/comments")
    form.get_by_role("button", name="Post Comment").click()

    expect(page.get_by_role("alert")).to_contain_text("Your comment was not sent yet")
    email = page.get_by_role("textbox", name="Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_have_text("Please enter a valid email address.")
    expect(page.get_by_role("textbox", name="Comment", exact=True)).to_have_value(
        "Volunteering got me my last two jobs."
    )
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Grace Guest")

    email.fill("grace@example.com")
    page.get_by_role("button", name="Post Comment").click()

    held = page.locator("ol.comment-list li.unapproved")
    expect(held).to_contain_text("Volunteering got me my last two jobs.")
    expect(held.locator(".comment-awaiting-moderation")).to_have_text(
        "Your comment is awaiting moderation."
    )
    expect(page).to_have_url(re.compile(r"#comment-\d+$"))
    screenshot_both_widths(page, "2-guest-comment-held")


def test_reply_form_moves_under_the_comment_and_back_and_the_reply_nests(live_app, page):
    post = demo_post(live_app)
    first, second = add_discussion(live_app, post.id, 2)
    page.goto(post.path)
    respond = page.locator("#respond")
    reply_link = page.locator(f"li#comment-{first} > article .comment-reply-link")
    expect(reply_link).to_have_accessible_name("Reply to Reader 1")

    reply_link.focus()
    page.keyboard.press("Enter")  # keyboard, as a reader without a mouse would
    # Right after the comment's article (its Reply link's data-belowelement), as WordPress places it.
    expect(page.locator(f"li#comment-{first} > article#div-comment-{first} + #respond")).to_be_visible()
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
    page.get_by_role("textbox", name="Comment", exact=True).fill(
        "Same here: listening opened more doors than talking."
    )
    page.get_by_role("textbox", name="Name", exact=True).fill("Lin Replier")
    page.get_by_role("textbox", name="Email", exact=True).fill("lin@example.com")
    respond.get_by_role("button", name="Post Comment").click()

    nested = page.locator(f"li#comment-{first} > ol.children > li")
    expect(nested).to_contain_text("Same here: listening opened more doors than talking.")
    expect(nested).to_contain_text("Your comment is awaiting moderation.")
    expect(page.locator(f"li#comment-{second} ol.children")).to_have_count(0)
    screenshot_both_widths(page, "3-reply-nested")


@pytest.mark.parametrize("name", ["google", "twitter", "facebook", "wordpress", "github"])
def test_reader_logs_in_with_a_provider_comments_and_logs_out(live_app, page, providers, name):
    post = demo_post(live_app)
    label = REGISTRY[name].label
    shown_name = providers.logins[name][2]
    page.goto(post.path)

    log_in_with(page, providers, name)

    expect(page).to_have_url(re.compile(re.escape(post.path) + "#respond$"))
    expect(page.locator(".logged-in-as")).to_contain_text(
        f"You are commenting using your {label} account."
    )
    expect(page.locator(".logged-in-name")).to_have_text(shown_name)
    page.get_by_role("textbox", name="Comment", exact=True).fill(
        f"Posted after logging in with {label}."
    )
    page.get_by_role("button", name="Post Comment").click()
    mine = page.locator("ol.comment-list > li").filter(
        has_text=f"Posted after logging in with {label}."
    )
    expect(mine.locator(".fn")).to_have_text(shown_name)

    page.get_by_role("button", name="Log Out").click()
    expect(page.locator(".notice[role=status]")).to_have_text("You are now logged out.")
    expect(page.get_by_role("button", name=f"Log in with {label}")).to_be_visible()
    expect(page.locator(".logged-in-as")).to_have_count(0)
    screenshot_both_widths(page, f"4-login-{name}")


def test_owner_moderates_in_place_in_bulk_and_changes_a_setting(live_app, browse, owner):
    post = demo_post(live_app)
    add_discussion(live_app, post.id, 1)
    held = add_comment(
        live_app,
        post.id,
        author_name="Pat Pending",
        status="pending",
        body="A first comment, waiting for the owner.",
    )
    spam = [
        add_comment(
            live_app, post.id, author_name=f"Cheap Pills {n}", status="pending", body=f"Buy now {n}"
        )
        for n in (1, 2)
    ]
    reader, admin = browse(), browse()
    reader.goto(post.path)
    expect(reader.locator(".comment-list")).not_to_contain_text("A first comment, waiting")

    log_in_as_owner(admin, owner, "/admin/comments")
    admin.evaluate("window.stillThisPage = true")  # gone if the page reloads
    row = admin.locator(f"tr#comment-{held}")
    row.get_by_role("button", name="Approve comment by Pat Pending").focus()
    admin.keyboard.press("Enter")
    expect(row).to_have_class(re.compile(r"status-approved"))
    expect(row.get_by_role("button", name="Unapprove comment by Pat Pending")).to_be_visible()
    expect(admin.locator("#admin-live")).to_have_text("Comment approved.")
    expect(admin.locator('.subsubsub [data-count="pending"]')).to_have_text("2")
    assert admin.evaluate("window.stillThisPage") is True
    assert comment_status(live_app, held) == "approved"

    reader.reload()
    expect(reader.locator(f"li#comment-{held}")).to_contain_text(
        "A first comment, waiting for the owner."
    )

    for n in (1, 2):
        admin.get_by_label(f"Select comment by Cheap Pills {n}").check()
    admin.get_by_label("Select bulk action").select_option(label="Mark as spam")
    admin.get_by_role("button", name="Apply").click()
    expect(admin.get_by_role("status").first).to_have_text("2 comments marked as spam. Undo")
    expect(admin.locator('.subsubsub [data-count="spam"]')).to_have_text("2")
    assert [comment_status(live_app, c) for c in spam] == ["spam", "spam"]

    admin.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="Discussion settings"
    ).click()
    admin.get_by_label("Enable threaded (nested) comments").uncheck()
    admin.get_by_role("button", name="Save Changes").click()
    expect(admin.get_by_role("status").first).to_have_text("Settings saved.")
    expect(admin.get_by_label("Enable threaded (nested) comments")).not_to_be_checked()

    reader.reload()
    expect(reader.locator(f"li#comment-{held}")).to_be_visible()
    expect(reader.locator(".comment-reply-link")).to_have_count(0)
    screenshot_both_widths(reader, "5-reader-after-moderation")
    admin.goto("/admin/comments")
    screenshot_both_widths(admin, "5-owner-comments")


def test_reader_likes_and_unlikes_then_subscribes_and_confirms_from_the_mail(
    live_app, page, providers, mail_sink
):
    post = demo_post(live_app)
    page.goto(post.path)
    log_in_with(page, providers, "google")
    expect(page.locator(".logged-in-as")).to_be_visible()
    page.wait_for_load_state("load")  # likes.js (deferred) is attached before the first click
    likes = page.locator(".likes-widget")
    page.evaluate("window.stillThisPage = true")

    likes.get_by_role("button", name="Like", exact=True).click()
    expect(likes.get_by_role("button", name="Liked", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(likes.locator(".like-count")).to_have_text("One blogger likes this.")
    expect(likes.get_by_role("img", name="Ada Lovelace")).to_be_visible()
    likes.get_by_role("button", name="Liked", exact=True).click()
    expect(likes.get_by_role("button", name="Like", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(likes.locator(".like-count")).to_have_text("Be the first to like this.")
    assert page.evaluate("window.stillThisPage") is True  # likes.js, no reload

    page.get_by_role("button", name="Log Out").click()
    form = page.locator("form#commentform")
    form.get_by_role("textbox", name="Comment", exact=True).fill("Following this thread.")
    form.get_by_role("textbox", name="Name", exact=True).fill("Sam Subscriber")
    form.get_by_role("textbox", name="Email", exact=True).fill("sam@example.com")
    form.get_by_label("Notify me of new comments via email.").check()
    form.get_by_role("button", name="Post Comment").click()
    expect(page.locator("li.unapproved")).to_contain_text("Following this thread.")

    with live_app.app_context():
        run_pass()  # the mail worker's pass, as cron or the worker runs it
    (mail,) = mail_sink.to("sam@example.com")
    (link,) = [
        url for url in re.findall(r"https?://\S+", text_of(mail)) if "/notify/confirm/" in url
    ]
    assert link.startswith(live_app.config["SITE_URL"])
    page.goto(link)
    page.get_by_role("button", name="Confirm subscription").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    expect(page.locator(".subscriptions")).to_contain_text(f"New comments on “{post.title}”")
    screenshot_both_widths(page, "6-subscription-confirmed")
