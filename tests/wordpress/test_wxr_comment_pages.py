"""An imported WordPress discussion longer than a page reads as WordPress shows it (issue 20).

The expected pages come from a small model of WordPress 6's comments_template() and Walker_Comment
with its default discussion settings: comments_per_page 50 threads, default_comments_page "newest"
(the bare permalink shows the last page), comment_order "asc", thread_comments_depth 5. Only approved
comments whose every ancestor is approved are shown; replies past depth 5 follow their parent at
that depth; pages are numbered from the oldest thread and the last one holds what is left over.
"""

import math
import random
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import sqlalchemy as sa

from blog.models import Comment, Post
from blog.permalinks import post_url
from blog.settings import DISCUSSION_DEFAULTS
from extensions import db
from tests.support.helpers import page_soup
from tests.support.wxr import import_bytes

THREADS = 104
PER_PAGE, MAX_DEPTH = 50, 5  # WordPress's defaults
START = datetime(2023, 1, 2, 8, 0, tzinfo=UTC)
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Long talks</title><link>http://127.0.0.1:18090</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>http://127.0.0.1:18090</wp:base_site_url><wp:base_blog_url>http://127.0.0.1:18090</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>admin</wp:author_login>
  <wp:author_email>owner@example.com</wp:author_email><wp:author_display_name>Owner</wp:author_display_name></wp:author>
<item><title>A very long discussion</title><dc:creator>admin</dc:creator><content:encoded>Talk.</content:encoded>
  <wp:post_id>77</wp:post_id><wp:post_date>2023-01-02 08:00:00</wp:post_date>
  <wp:post_date_gmt>2023-01-02 08:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
  <wp:post_name>a-very-long-discussion</wp:post_name><wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>
  <wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>
"""
TAIL = "</item></channel></rss>"


class Discussion:
    """Generated WordPress comments: wp id -> (parent wp id, status, date)."""

    def __init__(self, seed: int = 20):
        self.rng = random.Random(seed)
        self.comments: dict[int, tuple[int, str, datetime]] = {}
        # Top-level comments: the approved threads and six held, spam or trashed ones, in an order
        # of dates that is not the order of their ids; two of them share a date (ids break the tie).
        statuses = ["1"] * THREADS + ["0", "0", "spam", "spam", "trash", "trash"]
        self.rng.shuffle(statuses)
        minutes = self.rng.sample(range(0, 50_000, 7), len(statuses))
        minutes[1] = minutes[0]
        for status, minute in zip(statuses, minutes, strict=True):
            self.add(0, status, START + timedelta(minutes=minute))
        for top in [wp_id for wp_id, (_, status, _) in self.comments.items() if status != "1"]:
            self.add(top, "1")  # approved replies under a comment WordPress does not show
        tops = list(self.comments)
        for top in tops:
            thread = [top]
            for _ in range(self.rng.choice([0, 0, 1, 2, 3, 4])):
                status = self.rng.choice(["1"] * 8 + ["0", "spam", "trash"])
                thread.append(self.add(self.rng.choice(thread), status))
        chain = self.rng.choice([t for t in tops if self.comments[t][1] == "1"])
        for _ in range(7):  # deeper than WordPress nests (5): the rest follow at depth 5
            chain = self.add(chain, "1")

    def add(self, parent: int, status: str, when: datetime | None = None) -> int:
        wp_id = len(self.comments) + 1
        if when is None:
            when = self.comments[parent][2] + timedelta(minutes=self.rng.randrange(1, 5000))
        self.comments[wp_id] = (parent, status, when)
        return wp_id

    def wxr(self) -> bytes:
        parts = [HEAD]
        for wp_id, (parent, status, when) in self.comments.items():  # in id order, as WordPress exports
            stamp = when.strftime("%Y-%m-%d %H:%M:%S")
            parts.append(
                f"<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>"
                f"<wp:comment_author>{escape(f'Reader {wp_id}')}</wp:comment_author>"
                f"<wp:comment_author_email>r{wp_id}@example.com</wp:comment_author_email>"
                f"<wp:comment_date>{stamp}</wp:comment_date><wp:comment_date_gmt>{stamp}</wp:comment_date_gmt>"
                f"<wp:comment_content>Words number {wp_id}.</wp:comment_content>"
                f"<wp:comment_approved>{status}</wp:comment_approved><wp:comment_type>comment</wp:comment_type>"
                f"<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>"
                "</wp:comment>\n")
        parts.append(TAIL)
        return "".join(parts).encode()

    def order(self, wp_ids) -> list[int]:
        """WordPress's comment order: comment_date_gmt, then comment_ID."""
        return sorted(wp_ids, key=lambda wp_id: (self.comments[wp_id][2], wp_id))

    def approved_count(self) -> int:
        """get_comments_number(): the post's comment_count, every approved comment."""
        return sum(status == "1" for _, status, _ in self.comments.values())

    def pages(self) -> dict[int, list[tuple[int, int, int | None]]]:
        """Each comment page as WordPress lists it: (wp id, depth-N, wp id of the <li> it sits in)."""
        threads = self.order(w for w, (parent, status, _) in self.comments.items() if parent == 0 and status == "1")
        children: dict[int, list[int]] = {}
        for wp_id in self.order(self.comments):
            parent, status, _ = self.comments[wp_id]
            if parent and status == "1":
                children.setdefault(parent, []).append(wp_id)

        def walk(wp_id: int, depth: int, container: int | None, out: list) -> None:
            out.append((wp_id, depth, container))
            for child in children.get(wp_id, []):
                if depth < MAX_DEPTH:
                    walk(child, depth + 1, wp_id, out)
                else:  # Walker_Comment::display_element: shown after it, at the same depth
                    walk(child, depth, container, out)

        pages = {}
        for number in range(1, math.ceil(len(threads) / PER_PAGE) + 1):
            out: list = []
            for top in threads[(number - 1) * PER_PAGE : number * PER_PAGE]:
                walk(top, 1, None, out)
            pages[number] = out
        return pages


def listed(response, wp_ids: dict[int, int]) -> list[tuple[int, int, int | None]]:
    """The page's comments in document order: (wp id, depth-N class, wp id of the enclosing <li>)."""
    items = page_soup(response).select("ol.comment-list li[id^=comment-]")
    out = []
    for li in items:
        depth = next(int(name.removeprefix("depth-")) for name in li["class"] if name.startswith("depth-"))
        container = li.find_parent("li", id=lambda value: value and value.startswith("comment-"))
        out.append((wp_ids[int(li["id"].removeprefix("comment-"))], depth,
                    wp_ids[int(container["id"].removeprefix("comment-"))] if container else None))
    return out


def nav_link(response, kind: str) -> str | None:
    link = page_soup(response).select_one(f"nav.comment-navigation a.nav-{kind}")
    return link["href"] if link else None


def test_an_imported_post_with_104_threads_reads_as_wordpress_shows_it(wxr_app):
    wordpress_defaults = {"comments_per_page": PER_PAGE, "default_comments_page": "newest",
                          "thread_comments_depth": MAX_DEPTH, "thread_comments": True, "page_comments": True}
    assert {key: DISCUSSION_DEFAULTS[key] for key in wordpress_defaults} == wordpress_defaults
    discussion = Discussion()
    import_bytes(discussion.wxr())
    post = db.session.scalar(sa.select(Post).where(Post.wp_id == 77))
    wp_ids = dict(db.session.execute(sa.select(Comment.id, Comment.wp_id).where(Comment.post_id == post.id)).all())
    expected = discussion.pages()
    assert len(expected) == 3 and [sum(depth == 1 for _, depth, _ in page) for page in expected.values()] == [50, 50, 4]
    flattened = [w for page in expected.values() for w, depth, container in page
                 if depth == MAX_DEPTH and discussion.comments[w][0] != container]
    assert flattened, "some replies are deeper than WordPress nests"
    client = wxr_app.test_client()

    # The bare permalink is the newest page, the last one; "Older Comments" walks back to page 1.
    response = client.get(post_url(post))
    heading = page_soup(response).select_one("#comments h2").get_text()
    assert heading == f"{discussion.approved_count()} Responses to “A very long discussion”"
    assert listed(response, wp_ids) == expected[3]
    seen = {3: listed(response, wp_ids)}
    number = 3
    while older := nav_link(response, "previous"):
        number -= 1
        assert urlsplit(older).path == urlsplit(post_url(post, cpage=number)).path
        response = client.get(older)
        assert response.status_code == 200
        seen[number] = listed(response, wp_ids)
    assert number == 1 and nav_link(response, "next") is not None
    # And forward again with "Newer Comments", to the last page.
    while newer := nav_link(response, "next"):
        number += 1
        response = client.get(newer)
        assert response.status_code == 200 and listed(response, wp_ids) == expected[number]
    assert number == 3

    assert seen == expected
    shown = [wp_id for page in seen.values() for wp_id, _, _ in page]
    assert len(shown) == len(set(shown)), "each comment once"
    visible = {wp_id for page in expected.values() for wp_id, _, _ in page}
    assert set(shown) == visible and len(visible) < discussion.approved_count(), "hidden replies stay hidden"
    assert client.get(post_url(post, cpage=4)).status_code == 404
