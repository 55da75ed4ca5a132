"""Right-to-left languages and text of either direction: <html lang dir> on readers' pages, the admin
and mails; names and titles isolated (<bdi> in HTML, Unicode's isolates in plain text) so that a
name in one direction leaves the sentence around it in order; stylesheets that mirror."""

import re
from pathlib import Path

import feedparser
import pytest
from markupsafe import Markup

from blog.permalinks import post_url
from blog.settings import save_settings
from core.i18n import FIRST_STRONG_ISOLATE as FSI
from core.i18n import POP_DIRECTIONAL_ISOLATE as PDI
from core.i18n import bdi, isolate
from extensions import db
from notify.sender import run_pass
from tests.support.admin import make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as, submit_comment
from tests.support.mail import html_of, text_of

CSS = sorted((Path(__file__).resolve().parents[2] / "static" / "css").glob("*.css"))
ARABIC_NAME = "محمد"
LANGUAGES = pytest.mark.parametrize("language, direction", [("en", "ltr"), ("ar", "rtl")])


@pytest.fixture
def blog_in(app_factory, smtp_server):
    """A blog in `language` whose mail goes to the test SMTP server, a request context pushed."""

    def build(language: str):
        app = app_factory(BLOG_LANGUAGE=language, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
        context = app.test_request_context()
        context.push()
        contexts.append(context)
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        return app

    contexts = []
    yield build
    for context in reversed(contexts):
        context.pop()


@LANGUAGES
def test_reader_pages_name_their_language_and_direction_and_isolate_the_replied_name(blog_in, language, direction):
    app = blog_in(language)
    post = make_post(title="Networking")
    comment = make_comment(post, author_name=ARABIC_NAME)
    client = app.test_client()
    for path in ("/", post_url(post)):
        page = client.get(path).get_data(as_text=True)
        assert f'<html lang="{language}" dir="{direction}">' in page, path
    reply_page = client.get(post_url(post) + f"?replytocom={comment.id}").get_data(as_text=True)
    assert f"<bdi>{ARABIC_NAME}</bdi>" in reply_page.split('id="reply-title-text">')[1].split("</span>")[0]


@LANGUAGES
def test_admin_screens_name_their_language_and_direction_and_put_names_and_titles_in_bdi(
    blog_in, language, direction
):
    app = blog_in(language)
    post = make_post(title="Networking")
    make_comment(post, author_name="<i>Eve</i>")
    make_comment(post, author_name=ARABIC_NAME)
    client = app.test_client()
    login_as(client, make_user(True, "Blog Owner", "owner@example.com"))
    screen = client.get("/admin/comments").get_data(as_text=True)
    assert f'<html lang="{language}" dir="{direction}">' in screen
    assert f'<strong class="author-name"><bdi>{ARABIC_NAME}</bdi></strong>' in screen
    assert '<bdi>&lt;i&gt;Eve&lt;/i&gt;</bdi>' in screen and "<i>Eve</i>" not in screen
    assert "<bdi>Networking</bdi></a>" in screen  # the post's title in each row
    posts = client.get("/admin/posts").get_data(as_text=True)
    assert "<bdi>Networking</bdi></a>" in posts and "<bdi>Blog Owner</bdi>" in posts


@LANGUAGES
def test_the_owners_mail_is_mirrored_in_right_to_left_and_isolates_the_commenters_name(
    blog_in, smtp_server, language, direction
):
    app = blog_in(language)
    owner = make_user(True, "Blog Owner", "owner@example.com")
    post = make_post(title="Networking")
    submit_comment(app.test_client(), post, author="Ada Reader", comment="Listening first.")  # held: a first comment
    run_pass()
    [mail] = [m for m in smtp_server.messages if m["To"] == owner.email]
    html, text = html_of(mail).replace("\r\n", "\n"), text_of(mail)
    assert html.startswith(f'<!doctype html>\n<html lang="{language}" dir="{direction}">\n<head>')
    assert "<bdi>Ada Reader</bdi>" in html and "<bdi>Networking</bdi>" in html
    if direction == "rtl":
        assert '<body dir="rtl"' in html and "border-right: 3px" in html and '<th align="right">' in html
        assert f"{FSI}Ada Reader{PDI}" in text and f"{FSI}Networking{PDI}" in text
    else:  # as before: the English mail's text and layout are unchanged
        assert "<body style=" in html and "border-left: 3px" in html and '<th align="left">' in html
        assert "Author: Ada Reader (IP address:" in text and FSI not in text and PDI not in text


def test_bdi_escapes_what_it_isolates(app):
    assert bdi('<script>alert("x")</script> & Ann') == Markup(
        "<bdi>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Ann</bdi>"
    )
    assert bdi(Markup("<em>kept</em>")) == Markup("<bdi><em>kept</em></bdi>")  # markup already safe stays


def test_isolate_wraps_right_to_left_text_and_leaves_english_as_it_is(app):
    assert isolate("Ada Reader") == "Ada Reader"
    assert isolate(f"{ARABIC_NAME} 2") == f"{FSI}{ARABIC_NAME} 2{PDI}"
    assert isolate("שלום") == f"{FSI}שלום{PDI}"  # Hebrew too
    assert isolate("") == ""


def test_isolate_wraps_every_name_on_a_right_to_left_page(blog_in):
    blog_in("ar")
    assert isolate("Ada Reader") == f"{FSI}Ada Reader{PDI}"


def test_comment_feed_titles_isolate_names_of_the_other_direction(app, client):
    post = make_post(title="Networking")
    make_comment(post, author_name=ARABIC_NAME)
    make_comment(post, author_name="Ada Reader")
    titles = [e.title for e in feedparser.parse(client.get("/comments/feed/").get_data()).entries]
    assert f"Comment on Networking by {FSI}{ARABIC_NAME}{PDI}" in titles
    assert "Comment on Networking by Ada Reader" in titles  # English titles unchanged
    one_post = feedparser.parse(client.get(post_url(post) + "feed/").get_data())
    assert f"By: {FSI}{ARABIC_NAME}{PDI}" in [e.title for e in one_post.entries]


# A physical side: margin-left, padding-right, border-left(-color), left:, right:, text-align: left,
# float: right, clear: left, border-top-left-radius. `inset-inline-start` and the like are logical.
PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border)-(?:left|right)(?:-\w+)?|left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
    r"|border-(?:top|bottom)-(?:left|right)-radius"
)
SIDEWAYS_INSET_SHADOW = re.compile(r"box-shadow:\s*inset\s+(-?[\d.]+)px")


def _rules(path: Path) -> list[tuple[str, str]]:
    """(selector, declarations) of each rule; at-rules' own braces dropped, comments removed."""
    css = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
    css = re.sub(r"@(?:media|supports)[^{]*\{", "", css)
    return [(s.strip(), d) for s, d in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]


@pytest.mark.parametrize("path", CSS, ids=[p.name for p in CSS])
def test_stylesheets_use_logical_sides_so_that_right_to_left_pages_mirror(path):
    rules = _rules(path)
    physical = [f"{selector} {{{found.group(0)}}}" for selector, body in rules
                for found in [PHYSICAL.search(body)] if found and "[dir=rtl]" not in selector]
    assert not physical, f"{path.name}: write these with logical properties:\n" + "\n".join(physical)
    # A bar drawn by an inset shadow on one side has its mirror image under [dir=rtl].
    mirrored = {s.strip() for selector, _ in rules if "[dir=rtl]" in selector for s in selector.split(",")}
    for selector, body in rules:
        shadow = SIDEWAYS_INSET_SHADOW.search(body)
        if shadow and float(shadow.group(1)) != 0 and "[dir=rtl]" not in selector:
            for one in selector.split(","):
                assert f"[dir=rtl] {one.strip()}" in mirrored, f"{path.name}: {one.strip()} is not mirrored"
