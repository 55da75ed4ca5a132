"""The post page's weight and its use without JavaScript."""

import json
import re

from playwright.sync_api import expect

from tests.e2e.browser import ROOT, origin
from tests.e2e.seed import add_discussion, demo_post

# Bytes of HTML, CSS and JavaScript, uncompressed (images aside). Every page also carries the main
# menu, the sidebar's widgets and the head tags search engines and link previews read, each
# approved comment its Report link (blog.spam.report_views), and a post the links other sites find
# its Webmention endpoint and fediverse object by, and the styles of remote comments and facepiles.
BUDGET = 65 * 1000
COUNTED = {"document", "stylesheet", "script"}


def test_post_page_with_20_comments_keeps_its_weight_budget_and_asks_nothing_of_third_parties(
    live_app, page
):
    post = demo_post(live_app)
    add_discussion(live_app, post.id, 20)
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request))

    page.goto(post.path, wait_until="load")
    expect(page.locator("ol.comment-list li")).to_have_count(20)

    sizes: dict[str, int] = {}
    for request in loaded:
        assert origin(request.url) == origin(page.url), f"request to another site: {request.url}"
        if request.resource_type in COUNTED:
            sizes[request.url.removeprefix(origin(page.url))] = len(request.response().body())
    total = sum(sizes.values())
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "post-page-weight.json").write_text(
        json.dumps({"total_bytes": total, "budget_bytes": BUDGET, "files": sizes}, indent=2)
    )
    assert {"document", "stylesheet", "script"} <= {r.resource_type for r in loaded}
    assert total < BUDGET, f"{total} bytes: {sizes}"


def test_post_page_reads_and_takes_a_reply_without_javascript(live_app, browse):
    post = demo_post(live_app)
    first = add_discussion(live_app, post.id, 3)[0]
    page = browse(java_script_enabled=False)
    page.goto(post.path)

    expect(page.get_by_role("heading", level=1)).to_have_text(post.title)
    expect(page.locator(".entry-content")).to_contain_text("networking")
    expect(page.locator("ol.comment-list > li")).to_have_count(2)

    page.locator(f"li#comment-{first} > article").get_by_role("link", name="Reply").click()
    expect(page).to_have_url(re.compile(rf"\?replytocom={first}#respond$"))
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply to Reader 1")
    form = page.locator("form#commentform")
    form.get_by_role("textbox", name="Comment", exact=True).fill(
        "Read and answered without scripts."
    )
    form.get_by_role("textbox", name="Name", exact=True).fill("Noah Script")
    form.get_by_role("textbox", name="Email", exact=True).fill("noah@example.com")
    form.get_by_role("button", name="Post Comment").click()

    reply = page.locator(f"li#comment-{first} > ol.children > li").last
    expect(reply).to_contain_text("Read and answered without scripts.")
    expect(reply).to_contain_text("Your comment is awaiting moderation.")
