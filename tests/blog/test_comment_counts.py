"""The counts pages are cut by stay right after an import, a deletion and a repair (issue 20)."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from blog.models import Comment, CommentLike, Post, PostLike, Term
from blog.moderation import apply_action, delete_comment
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, submit_comment
from tests.support.wxr import import_bytes

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Counts</title><link>http://127.0.0.1:18090</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>http://127.0.0.1:18090</wp:base_site_url><wp:base_blog_url>http://127.0.0.1:18090</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>admin</wp:author_login>
  <wp:author_email>owner@example.com</wp:author_email><wp:author_display_name>Owner</wp:author_display_name></wp:author>
<item><title>A long discussion</title><dc:creator>admin</dc:creator><content:encoded>Talk.</content:encoded>
  <wp:post_id>10</wp:post_id><wp:post_date>2024-03-04 09:00:00</wp:post_date>
  <wp:post_date_gmt>2024-03-04 09:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
  <wp:post_name>a-long-discussion</wp:post_name><wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>
  <wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>
"""
WXR_TAIL = "</item></channel></rss>"


def wxr_comment(wp_id: int, parent: int = 0, approved: str = "1") -> str:
    when = (datetime(2024, 3, 5, tzinfo=UTC) + timedelta(minutes=wp_id)).strftime("%Y-%m-%d %H:%M:%S")
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id><wp:comment_author>Reader {wp_id}</wp:comment_author>
  <wp:comment_author_email>r{wp_id}@example.com</wp:comment_author_email><wp:comment_date>{when}</wp:comment_date>
  <wp:comment_date_gmt>{when}</wp:comment_date_gmt><wp:comment_content>Words number {wp_id}.</wp:comment_content>
  <wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>comment</wp:comment_type>
  <wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>
"""


def discussion_wxr(threads: int) -> bytes:
    """One post with `threads` approved threads (ids 1..threads), each with a reply, and a held thread."""
    parts = [wxr_comment(n) for n in range(1, threads + 1)]
    parts += [wxr_comment(1000 + n, parent=n) for n in range(1, threads + 1)]
    parts.append(wxr_comment(5000, approved="0"))
    return (WXR_HEAD + "".join(parts) + WXR_TAIL).encode()


def counts(post_id: int) -> tuple[int, int, int]:
    db.session.expire_all()
    post = db.session.get(Post, post_id)
    return post.comment_count, post.thread_count, post.like_count


def shown_words(client, url: str) -> set[str]:
    page = page_soup(client.get(url))
    return {p.get_text() for p in page.select("ol.comment-list .comment-content p")}


def test_an_imported_post_with_more_threads_than_a_page_shows_every_page(wxr_app):
    save_settings({"comments_per_page": 4, "default_comments_page": "newest"})
    db.session.commit()
    import_bytes(discussion_wxr(10))
    post = db.session.scalar(sa.select(Post).where(Post.wp_id == 10))
    assert counts(post.id) == (20, 10, 0)
    client = wxr_app.test_client()
    first = client.get(post_url(post))
    older = page_soup(first).select_one("nav.comment-navigation a.nav-previous")
    assert older is not None and "Older Comments" in older.get_text()
    seen = shown_words(client, post_url(post))
    for number in (1, 2):
        response = client.get(post_url(post, cpage=number))
        assert response.status_code == 200
        seen |= shown_words(client, post_url(post, cpage=number))
    expected = {f"Words number {n}." for n in range(1, 11)} | {f"Words number {1000 + n}." for n in range(1, 11)}
    assert seen == expected


def test_importing_more_comments_into_an_imported_post_counts_its_new_threads(wxr_app):
    import_bytes(discussion_wxr(3))
    import_bytes(discussion_wxr(6))
    post = db.session.scalar(sa.select(Post).where(Post.wp_id == 10))
    assert counts(post.id) == (12, 6, 0)


def test_recount_repairs_broken_counters_and_says_what_it_changed(app, runner, admin_user):
    post = make_post()
    root = make_comment(post)
    reply = make_comment(post, parent=root)
    make_comment(post, status="pending")
    db.session.add_all(
        [PostLike(post_id=post.id, user_id=admin_user.id), CommentLike(comment_id=reply.id, user_id=admin_user.id)]
    )
    db.session.execute(sa.update(Post).where(Post.id == post.id).values(comment_count=7, thread_count=0, like_count=3))
    db.session.commit()

    result = runner.invoke(args=["recount"])
    assert result.exit_code == 0, result.output
    assert f"post {post.id} ({post.slug}): comment_count 7 -> 2" in result.output
    assert f"post {post.id} ({post.slug}): thread_count 0 -> 1" in result.output
    assert f"post {post.id} ({post.slug}): like_count 3 -> 1" in result.output
    assert "1 comment(s) had a wrong like count" in result.output
    assert counts(post.id) == (2, 1, 1)
    assert db.session.get(Comment, reply.id).like_count == 1

    again = runner.invoke(args=["recount"])
    assert "every count was right; nothing changed" in again.output


def test_deleting_comments_keeps_the_counts_equal_to_the_approved_rows(app):
    post = make_post()
    held_root = make_comment(post, status="pending")
    under_held = make_comment(post, parent=held_root)
    root = make_comment(post)
    reply = make_comment(post, parent=root)
    make_comment(post, parent=reply)
    assert counts(post.id) == (4, 1, 0)

    apply_action(held_root, "trash", None)
    delete_comment(db.session.get(Comment, held_root.id), None)  # its approved reply becomes a thread
    db.session.commit()
    assert counts(post.id) == (4, 2, 0)
    assert db.session.get(Comment, under_held.id).depth == 0

    apply_action(db.session.get(Comment, root.id), "spam", None)
    apply_action(db.session.get(Comment, root.id), "delete", None)
    db.session.commit()
    assert counts(post.id) == (3, 2, 0)  # the reply under the deleted thread is a thread of its own
    approved = db.session.scalars(sa.select(Comment).where(Comment.post_id == post.id, Comment.status == "approved"))
    assert sorted(c.depth for c in approved) == [0, 0, 1]


def test_an_approved_new_comment_is_counted_and_shows_on_a_cached_page_at_once(app, post):
    """The comment's INSERT is SQL the ORM does not see: the counters and the cache hear of it all the same."""
    reader, writer = app.test_client(), app.test_client()
    reader.get(post_url(post))
    assert reader.get(post_url(post)).headers["X-Page-Cache"] == "hit"
    save_settings({"comment_previously_approved": False})
    db.session.commit()
    assert submit_comment(writer, post, comment="Approved at once.").status_code == 303
    page = reader.get(post_url(post))
    assert page.headers["X-Page-Cache"] == "miss"
    assert "Approved at once." in page.get_data(as_text=True)
    db.session.refresh(post)
    assert (post.comment_count, post.thread_count) == (1, 1)


def test_recount_repairs_categories_and_tags_post_counts(app, runner):
    tag = Term(taxonomy="tag", slug="t", name="T", post_count=40)
    post = make_post()
    post.terms.append(tag)
    db.session.commit()
    assert runner.invoke(args=["recount"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Term, tag.id).post_count == 1
