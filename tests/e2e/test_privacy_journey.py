"""A reader gets a copy of their data, then has it erased, by email end to end in Chromium: the
"Your data" form, the mail through the outbox, the worker and the SMTP sink, and the mailed link."""

import json
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from blog.models import Post
from blog.permalinks import post_url
from extensions import db
from notify.sender import run_pass
from tests.e2e.test_accessibility import assert_no_violations
from tests.support.factories import make_comment
from tests.support.mail import text_of

ANN = "ann.lee@example.com"


def _ann_comment(live_app) -> tuple[int, str]:
    """An approved comment of Ann's on the first demo post: its id and the post's address."""
    with live_app.app_context(), live_app.test_request_context():
        post = db.session.scalar(sa.select(Post).where(Post.kind == "post", Post.status == "published")
                                 .order_by(Post.id).limit(1))
        comment = make_comment(post, author_name="Ann Lee", author_email=ANN, author_ip="192.0.2.80",
                               body="Ann's thoughts on this post.")
        return comment.id, post_url(post)


def _ask(page, kind_label: str, erase_text: bool = False, check_accessibility: bool = False) -> None:
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    if check_accessibility:
        assert_no_violations(page)
    page.get_by_label("Email address").fill(ANN)
    page.get_by_label(kind_label).check()
    if erase_text:
        page.get_by_label("Also remove the text of my comments").check()
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_text("If we hold data for this address, a link is on its way.")).to_be_visible()


def _mailed_link(live_app, mail_sink, part: str) -> str:
    with live_app.app_context():
        run_pass()  # the mail worker's pass
    mail = mail_sink.to(ANN)[-1]
    (link,) = [url for url in re.findall(r"https?://\S+", text_of(mail)) if part in url]
    assert link.startswith(live_app.config["SITE_URL"])
    return link


def test_a_reader_downloads_a_copy_of_their_data_from_the_mailed_link(live_app, page, mail_sink, axe_script):
    comment_id, _ = _ann_comment(live_app)
    _ask(page, "Send me a copy of my data", check_accessibility=True)
    page.goto(_mailed_link(live_app, mail_sink, "/your-data/export/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data is ready")
    assert_no_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download it as JSON").click()
    assert download.value.suggested_filename == "personal-data.json"
    with open(download.value.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert [(c["id"], c["body"], c["author_ip"]) for c in data["comments"]] == [
        (comment_id, "Ann's thoughts on this post.", "192.0.2.80")]


def test_a_reader_erases_their_data_and_their_comment_shows_anonymous(live_app, page, mail_sink, axe_script):
    comment_id, url = _ann_comment(live_app)
    page.goto(url)
    expect(page.locator(f"#comment-{comment_id}")).to_contain_text("Ann Lee")  # a page the cache may keep

    _ask(page, "Erase my data")
    page.goto(_mailed_link(live_app, mail_sink, "/your-data/erase/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase your data")
    assert_no_violations(page)
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data was erased")
    expect(page.get_by_text("1 comment anonymised")).to_be_visible()

    page.goto(url)
    comment = page.locator(f"#comment-{comment_id}")
    expect(comment).to_contain_text("Anonymous")
    expect(comment).to_contain_text("Ann's thoughts on this post.")  # the text stays: not asked to remove it
    expect(comment).not_to_contain_text("Ann Lee")
