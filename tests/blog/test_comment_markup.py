"""Each comment's markup is WordPress's Walker_Comment (HTML5 style), so a theme's comment CSS applies."""

from html.parser import HTMLParser

import pytest

from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.admin import make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as, page_soup, submit_comment

VOID = {"img", "input", "br", "hr", "meta", "link", "source", "wbr"}


class _Balance(HTMLParser):
    """Every element of the list closed in the order it was opened: no tag left open or crossed."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
        self.open.pop()


def comment_list(client, post, **url_options):
    """The page's ol.comment-list, checked to be balanced as written (not as a parser would repair it)."""
    html = client.get(post_url(post, **url_options)).get_data(as_text=True)
    start = html.index('<ol class="comment-list">')
    end = html.index("</ol>\n", start) + len("</ol>")
    checker = _Balance()
    checker.feed(html[start:end])
    assert checker.open == []
    return page_soup(client.get(post_url(post, **url_options))).select_one("ol.comment-list")


def classes(item) -> list[str]:
    return item["class"]


def children_tags(element) -> list[str]:
    return [f"{child.name}.{'.'.join(child.get('class', []))}" for child in element.find_all(recursive=False)]


def test_each_comment_is_wordpress_html5_markup_in_wordpress_order(client, post):
    top = make_comment(post, author_name="Ada", author_url="https://ada.example", body="First.")
    reply = make_comment(post, parent=top, author_name="Grace &amp; Co", body="Second.")
    items = comment_list(client, post)

    li = items.select_one(f":scope > li#comment-{top.id}")
    assert children_tags(li) == ["article.comment-body", "ol.children"]
    article = li.select_one(":scope > article")
    assert article["id"] == f"div-comment-{top.id}"
    assert children_tags(article) == ["footer.comment-meta", "div.comment-content", "div.reply"]
    footer = article.select_one(":scope > footer")
    assert children_tags(footer) == ["div.comment-author.vcard", "div.comment-metadata"]
    author = footer.select_one(":scope > div.comment-author")
    assert children_tags(author) == ["img.avatar.avatar-40.photo", "b.fn", "span.says"]
    assert author.get_text(" ", strip=True) == "Ada says:"
    name_link = author.select_one("b.fn > a")
    assert name_link["href"] == "https://ada.example" and name_link["class"] == ["url"]
    assert name_link.select_one("bdi").get_text() == "Ada"
    stamp = footer.select_one(":scope > div.comment-metadata > a > time")
    assert stamp.parent["href"] == f"#comment-{top.id}" and stamp["datetime"]
    assert article.select_one(":scope > div.comment-content").get_text(strip=True) == "First."

    link = article.select_one(":scope > div.reply > a.comment-reply-link")
    assert link["href"] == f"?replytocom={top.id}#respond" and link["rel"] == ["nofollow"]
    assert {name: link[f"data-{name}"] for name in ("commentid", "postid", "belowelement", "respondelement")} == {
        "commentid": str(top.id), "postid": str(post.id), "belowelement": f"div-comment-{top.id}",
        "respondelement": "respond"}
    assert link["data-replyto"] == link["aria-label"] == "Reply to Ada"
    assert link.get_text() == "Reply"

    nested = li.select_one(f":scope > ol.children > li#comment-{reply.id}")
    assert nested.select_one(".reply a")["aria-label"] == "Reply to Grace & Co"


def test_even_odd_count_every_comment_shown_and_thread_parity_the_top_level_ones(client, post):
    a = make_comment(post)
    a1 = make_comment(post, parent=a)
    a1a = make_comment(post, parent=a1)
    b = make_comment(post)
    c = make_comment(post)
    c1 = make_comment(post, parent=c)
    items = comment_list(client, post)
    got = {comment.id: classes(items.select_one(f"li#comment-{comment.id}")) for comment in (a, a1, a1a, b, c, c1)}
    assert got == {
        a.id: ["comment", "even", "thread-even", "depth-1", "parent"],
        a1.id: ["comment", "odd", "alt", "depth-2", "parent"],
        a1a.id: ["comment", "even", "depth-3"],
        b.id: ["comment", "odd", "alt", "thread-odd", "thread-alt", "depth-1"],
        c.id: ["comment", "even", "thread-even", "depth-1", "parent"],
        c1.id: ["comment", "odd", "alt", "depth-2"],
    }


def test_registered_authors_are_byuser_with_a_name_class_and_the_posts_author_is_bypostauthor(client):
    author = make_user(False, "Zoë Ådams-Smith", "zoe@example.com")
    reader = make_user(False, "山田 太郎", "taro@example.com")
    post = make_post(author_id=author.id)
    own = make_comment(post, user_id=author.id, author_name=author.display_name)
    other = make_comment(post, user_id=reader.id, author_name=reader.display_name)
    guest = make_comment(post, author_name="Zoë Ådams-Smith")  # a guest using the same name
    items = comment_list(client, post)

    assert classes(items.select_one(f"#comment-{own.id}"))[:4] == [
        "comment", "byuser", "comment-author-zoe-adams-smith", "bypostauthor"]
    # No letter of the name survives as WordPress's sanitize_html_class keeps them: the user's id stands in.
    assert classes(items.select_one(f"#comment-{other.id}"))[:3] == ["comment", "byuser", f"comment-author-{reader.id}"]
    guest_classes = classes(items.select_one(f"#comment-{guest.id}"))
    assert guest_classes[0] == "comment" and not [name for name in guest_classes if name.startswith(("by", "comment-"))]


@pytest.mark.parametrize("kind", ["pingback", "trackback"])
def test_pingbacks_and_trackbacks_are_classed_by_their_type(client, post, kind):
    ping = make_comment(post, comment_type=kind, author_name="Other Blog &raquo; A post")
    assert classes(comment_list(client, post).select_one(f"#comment-{ping.id}"))[0] == kind


def test_an_imported_comment_type_cannot_break_out_of_the_class_attribute(client, post):
    odd = make_comment(post, comment_type='x" onclick="alert(1)')
    item = comment_list(client, post).select_one(f"li#comment-{odd.id}")
    assert not item.has_attr("onclick") and classes(item)[0] == "xonclickalert1"


def test_a_held_comment_shown_to_its_writer_is_unapproved_and_takes_its_place_in_the_count(client, post):
    first = make_comment(post)
    submit_comment(client, post, comment="Waiting for a moderator.")  # first-time guest: held
    items = comment_list(client, post)
    held = items.select("ol.comment-list > li")[-1]
    assert classes(held) == ["comment", "odd", "alt", "thread-odd", "thread-alt", "depth-1", "unapproved"]
    footer = held.select_one(":scope > article > footer.comment-meta")
    assert footer.select_one(":scope > em.comment-awaiting-moderation").get_text() == (
        "Your comment is awaiting moderation.")
    assert held.select_one(".comment-reply-link") is None
    assert items.select_one(f"#comment-{first.id} .comment-reply-link") is not None


def test_replies_past_the_deepest_level_follow_their_parent_at_that_level(client, post):
    save_settings({"thread_comments_depth": 3})
    db.session.commit()
    chain = [make_comment(post)]
    for _ in range(4):  # five deep, as an import from a blog with deeper threads brings them
        chain.append(make_comment(post, parent=chain[-1]))
    sibling = make_comment(post, parent=chain[1])
    items = comment_list(client, post)

    level_three = items.select_one(f"li#comment-{chain[1].id} > ol.children").find_all("li", recursive=False)
    # WordPress's Walker_Comment::display_element: at the deepest level, replies follow their parent
    # there, and a parent keeps its "parent" class though its replies are not nested in it.
    assert {int(li["id"].split("-")[1]): classes(li) for li in level_three} == {
        chain[2].id: ["comment", "even", "depth-3", "parent"],
        chain[3].id: ["comment", "odd", "alt", "depth-3", "parent"],
        chain[4].id: ["comment", "even", "depth-3"],
        sibling.id: ["comment", "odd", "alt", "depth-3"],
    }
    assert [li["id"] for li in level_three] == [f"comment-{c.id}" for c in (*chain[2:], sibling)]
    assert not any(li.select("ol.children, .comment-reply-link") for li in level_three)


def test_with_threading_off_every_approved_comment_is_listed_flat_in_date_order(client, post):
    save_settings({"thread_comments": False})
    db.session.commit()
    top = make_comment(post)
    held = make_comment(post, parent=top, status="pending")
    under_held = make_comment(post, parent=held)
    last = make_comment(post)
    items = comment_list(client, post).find_all("li", recursive=False)
    # WordPress queries comments without their hierarchy then, so a reply under a held one shows too.
    assert [int(li["id"].split("-")[1]) for li in items] == [top.id, under_held.id, last.id]
    assert [classes(li) for li in items] == [
        ["comment", "even", "thread-even", "depth-1"],
        ["comment", "odd", "alt", "thread-odd", "thread-alt", "depth-1"],
        ["comment", "even", "thread-even", "depth-1"],
    ]
    assert not any(li.select(".comment-reply-link, ol.children") for li in items)


def test_position_classes_follow_the_list_when_it_changes_and_match_for_logged_in_readers(
        app, client, post, reader_user):
    first = make_comment(post)
    second = make_comment(post)
    assert classes(comment_list(client, post).select_one(f"#comment-{second.id}"))[1:4] == [
        "odd", "alt", "thread-odd"]
    reader = app.test_client()
    login_as(reader, reader_user)
    assert classes(comment_list(reader, post).select_one(f"#comment-{second.id}"))[1:4] == [
        "odd", "alt", "thread-odd"]

    first.status = "trash"
    post.comment_count -= 1
    post.thread_count -= 1
    db.session.commit()
    for viewer in (client, reader):  # the same comment, now first: its memoized head must not carry "odd"
        assert classes(comment_list(viewer, post).select_one(f"#comment-{second.id}")) == [
            "comment", "even", "thread-even", "depth-1"]
