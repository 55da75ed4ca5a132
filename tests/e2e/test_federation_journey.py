"""Replies from the open web, end to end: a reply posted on a fediverse server and a Webmention from
another blog wait in the admin queue, show in the thread once the owner approves them (with the
fediverse author's handle), and the owner's replies go back, signed, to where they came from.

The fediverse server and the other blog are independent local servers (tests/support); the blog
runs its worker's passes here, as `flask mail worker` would."""

import re

import requests
from playwright.sync_api import expect

from activitypub.delivery import delivery_pass
from activitypub.inbox import inbox_pass
from tests.e2e.actions import log_in_as_owner
from tests.e2e.browser import SCREENSHOTS as SHOTS
from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import demo_post
from tests.support.fake_blog import FakeBlog, entry
from tests.support.fediverse_server import FediverseServer
from webmention.worker import webmention_pass

FEDI_REPLY = "Read this on my Mastodon timeline: the part about small talk rings true."
BLOG_REPLY = "I answered this on my own blog: networking is easier as a helper than as a seeker."


def _run_worker(app, work) -> None:
    with app.app_context():
        work()


def test_replies_from_the_fediverse_and_another_blog_are_moderated_and_answered_back(
        live_app, live_server, browse, page, owner):
    fediverse, other_blog = FediverseServer(), FakeBlog()
    try:
        post = demo_post(live_app)
        page.goto(post.path)
        # What a fediverse server and a blog find on the post's page: its object and its endpoint.
        object_id = page.locator('link[rel="alternate"][type="application/activity+json"]').get_attribute("href")
        endpoint = page.locator('link[rel="webmention"]').get_attribute("href")
        assert object_id.endswith(f"/ap/posts/{post.id}") and endpoint == f"{live_server.url}/webmention"

        ada = fediverse.add_actor("ada", "Ada Lovelace")
        note = fediverse.note(ada, object_id, f"<p>{FEDI_REPLY}</p><script>alert('x')</script>")
        sent = fediverse.send(ada, f"{live_server.url}/ap/inbox", fediverse.activity(ada, "Create", note))
        assert sent.status_code == 202, sent.text
        source = other_blog.page("/answer", entry(f"{live_server.url}{post.path}", content=f"<p>{BLOG_REPLY}</p>",
                                                  name="Grace Hopper", url=f"{other_blog.url}/"),
                                 headers={"Link": f'<{other_blog.endpoint}>; rel="webmention"'})
        mentioned = requests.post(endpoint, data={"source": source, "target": f"{live_server.url}{post.path}"},
                                  timeout=10)
        assert mentioned.status_code == 202, mentioned.text
        _run_worker(live_app, inbox_pass)
        _run_worker(live_app, webmention_pass)

        # Both wait for the owner; readers see neither yet.
        page.goto(post.path)
        expect(page.locator("body")).not_to_contain_text(FEDI_REPLY)
        moderator = browse()
        log_in_as_owner(moderator, owner, "/admin/comments?comment_status=pending")
        queued = moderator.locator("tr.comment-row", has_text=FEDI_REPLY)
        expect(queued.locator(".author-handle")).to_have_text(f"@ada@{fediverse.host}")
        expect(queued.locator(".comment-via")).to_have_text("via the fediverse: its source")
        expect(moderator.locator("tr.comment-row", has_text=BLOG_REPLY).locator(".comment-via a")) \
            .to_have_attribute("href", source)
        moderator.set_viewport_size({"width": 1280, "height": 900})
        moderator.screenshot(path=str(SHOTS / "federated-queue-1280.png"), full_page=True)
        for name in ("Ada Lovelace", "Grace Hopper"):
            moderator.get_by_role("button", name=f"Approve comment by {name}").click()
            expect(moderator.get_by_role("button", name=f"Approve comment by {name}")).to_have_count(0)

        # Approved, they show in the thread: the fediverse author with her handle, the blog with its source.
        page.goto(post.path)
        # Their li's class is the comment type ("activitypub", "webmention"), as WordPress's pingbacks' is.
        fedi = page.locator("ol.comment-list > li.activitypub", has_text=FEDI_REPLY)
        expect(fedi.locator(".comment-author")).to_contain_text(f"@ada@{fediverse.host}")
        expect(fedi.locator(".comment-author")).to_contain_text("via the fediverse")
        expect(fedi.locator("script")).to_have_count(0)
        mention = page.locator("ol.comment-list > li.webmention", has_text=BLOG_REPLY)
        expect(mention.locator("a.comment-source")).to_have_attribute("href", source)
        fedi.scroll_into_view_if_needed()
        screenshot_both_widths(page, "federated-replies")

        # The owner answers each from the post page, logged in.
        for kind, said, words in (("activitypub", FEDI_REPLY, "Thank you, Ada."),
                                  ("webmention", BLOG_REPLY, "Thank you, Grace.")):
            moderator.goto(post.path)
            thread = moderator.locator(f"ol.comment-list > li.{kind}", has_text=said)
            thread.get_by_role("link", name=re.compile("^Reply to")).first.click()
            moderator.locator("#comment").fill(words)
            moderator.get_by_role("button", name="Post Comment").click()
            expect(moderator.locator("ol.comment-list")).to_contain_text(words)

        # The worker sends them back: a signed Note to Ada's inbox, a mention the other blog verifies.
        _run_worker(live_app, delivery_pass)
        _run_worker(live_app, webmention_pass)
        arrived = [item for item in fediverse.wait_for(1) if item.activity.get("type") == "Create"]
        assert arrived and arrived[-1].verified
        answer = arrived[-1].activity["object"]
        assert answer["inReplyTo"] == note["id"] and "Thank you, Ada." in answer["content"]
        assert any(tag.get("href") == ada.uri for tag in answer.get("tag", []))
        [back] = other_blog.received
        assert back.target == source and back.verified, back.reason
    finally:
        fediverse.stop()
        other_blog.stop()
