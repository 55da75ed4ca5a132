"""Importing this blog's own export (or an export imported before) adds nothing twice; another
site's export whose WordPress ids look like ours is not taken for ours; passwords round-trip."""

import io
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from lxml import etree

from blog.models import Comment, Post
from extensions import db
from tests.admin.test_admin_tools import DOWNLOAD, owner, owner_client, upload  # noqa: F401 (fixtures)
from tests.support.admin import make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup
from tests.support.wxr import empty_content, import_bytes, row_counts
from wordpress.wxr.exporter import write_wxr

WP = "{http://wordpress.org/export/1.2/}"


def export(app) -> bytes:
    out = io.BytesIO()
    with app.test_request_context():
        write_wxr(out)
    return out.getvalue()


def a_blog() -> dict:
    """Posts and a page written here, by a user without a login, with a comment thread."""
    author = make_user(False, "Ada Writer", "ada@example.com")
    first = make_post(title="First", author_id=author.id)
    second = make_post(title="Second", body="Some **markdown**", author_id=author.id)
    page = make_post(kind="page", title="About", slug="about")
    top = make_comment(first, body="Top")
    reply = make_comment(first, parent=top, body="A reply")
    make_comment(second, body="Held", status="pending")
    return {"first": first, "top": top, "reply": reply, "page": page}


def comments_of(post_id: int) -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).where(Comment.post_id == post_id).order_by(Comment.id)))


def test_importing_the_blogs_own_export_adds_nothing_and_says_so(wxr_app):
    a_blog()
    data = export(wxr_app)
    counts = row_counts()
    report = import_bytes(data)
    assert sum(report.imported.values()) == 0, report.summary()
    assert dict(report.existing) == {"authors": 1, "posts": 2, "pages": 1, "comments": 3}
    assert report.warning_count == 0 and not report.skipped
    assert "1 author, 2 posts, 1 page and 3 comments were already here and were skipped." in report.summary()
    assert row_counts() == counts
    again = import_bytes(export(wxr_app))  # and the export of the blog after that import
    assert sum(again.imported.values()) == 0 and row_counts() == counts


def test_own_export_is_still_recognised_after_the_site_url_changed(wxr_app):
    a_blog()
    data = export(wxr_app)
    assert b'<guid isPermaLink="false">http://127.0.0.1:5000/?p=' in data
    counts = row_counts()
    wxr_app.config["SITE_URL"] = "https://blog.example.org"
    with wxr_app.app_context():
        report = import_bytes(data)
    assert sum(report.imported.values()) == 0, report.summary()
    assert row_counts() == counts


def test_own_export_into_an_empty_blog_and_back_adds_nothing(wxr_app):
    a_blog()
    data = export(wxr_app)
    empty_content()
    import_bytes(data)  # the posts now carry the guids the first blog gave them
    counts = row_counts()
    report = import_bytes(export(wxr_app))
    assert sum(report.imported.values()) == 0 and row_counts() == counts


def test_comments_written_since_the_export_stay_and_nothing_is_duplicated(wxr_app):
    blog = a_blog()
    data = export(wxr_app)
    make_comment(blog["first"], body="Written after the export")
    make_comment(blog["first"], parent=blog["reply"], body="A reply after the export")
    before = [(c.id, c.body, c.parent_id) for c in comments_of(blog["first"].id)]
    report = import_bytes(data)
    assert report.imported["comments"] == 0 and report.existing["comments"] == 3
    assert [(c.id, c.body, c.parent_id) for c in comments_of(blog["first"].id)] == before
    post = db.session.get(Post, blog["first"].id)
    assert (post.comment_count, post.thread_count) == (4, 2)


def test_a_reply_missing_here_is_threaded_under_the_comment_already_here(wxr_app):
    blog = a_blog()
    deeper = make_comment(blog["first"], parent=blog["reply"], body="Deeper")
    data = export(wxr_app)
    db.session.execute(sa.delete(Comment).where(Comment.id.in_([blog["reply"].id, deeper.id])))
    db.session.execute(sa.update(Post).where(Post.id == blog["first"].id).values(comment_count=1))
    db.session.commit()
    report = import_bytes(data)
    assert (report.imported["comments"], report.existing["comments"]) == (2, 2)
    top, reply, deeper = comments_of(blog["first"].id)
    assert (top.id, top.body) == (blog["top"].id, "Top")
    assert (reply.body, reply.parent_id, reply.root_id, reply.depth) == ("A reply", top.id, top.id, 1)
    assert (deeper.body, deeper.parent_id, deeper.root_id, deeper.depth) == ("Deeper", reply.id, top.id, 2)
    post = db.session.get(Post, blog["first"].id)
    assert (post.comment_count, post.thread_count) == (3, 1)


def wordpress(site: str, post_id: int, date: str, *comments: tuple[int, int, str, str]) -> bytes:
    """A one-post export of the WordPress site `site`; comments are (id, parent, author, date)."""
    written = "".join(
        f"<wp:comment><wp:comment_id>{cid}</wp:comment_id><wp:comment_author>{author}</wp:comment_author>"
        f"<wp:comment_date_gmt>{when}</wp:comment_date_gmt><wp:comment_content>Said by {author}"
        f"</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
        f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
        for cid, parent, author, when in comments
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>'
        f"<item><title>Hello from {site}</title><guid>{site}/?p={post_id}</guid>"
        f"<wp:post_id>{post_id}</wp:post_id><wp:post_date_gmt>{date}</wp:post_date_gmt>"
        f"<wp:post_name>hello-world</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type>{written}</item></channel></rss>"
    ).encode()


def test_another_wordpress_sites_export_with_the_same_ids_is_not_taken_for_ours(wxr_app, client):
    import_bytes(wordpress("http://a.example", 5, "2020-01-01 10:00:00", (1, 0, "Ann", "2020-01-02 10:00:00")))
    other = wordpress("http://b.example", 5, "2021-06-01 10:00:00", (1, 0, "Bob", "2021-06-02 10:00:00"))
    report = import_bytes(other)
    assert (report.imported["posts"], report.imported["comments"], report.existing["posts"]) == (1, 1, 0)
    assert "is not the post that has this id here" in "\n".join(report.warnings)
    ours, theirs = db.session.scalars(sa.select(Post).order_by(Post.id)).all()
    assert (ours.wp_id, theirs.wp_id, theirs.guid) == (5, None, "http://b.example/?p=5")
    assert [c.author_name for c in comments_of(ours.id)] == ["Ann"]
    assert [c.author_name for c in comments_of(theirs.id)] == ["Bob"]
    assert client.get("/?p=5").headers["Location"].endswith(f"/{ours.slug}/")
    again = import_bytes(other)  # the second site's export, once more: recognised by its guid
    assert sum(again.imported.values()) == 0 and again.existing["posts"] == 1


def test_a_wordpress_site_that_moved_and_rewrote_its_guids_is_still_recognised(wxr_app):
    import_bytes(wordpress("http://old.example", 5, "2020-01-01 10:00:00", (1, 0, "Ann", "2020-01-02 10:00:00")))
    moved = wordpress(
        "https://new.example",
        5,
        "2020-01-01 10:00:00",
        (1, 0, "Ann", "2020-01-02 10:00:00"),
        (2, 1, "Bob", "2020-01-03 10:00:00"),
    )
    report = import_bytes(moved)
    assert (report.imported["posts"], report.existing["posts"]) == (0, 1)
    (post,) = db.session.scalars(sa.select(Post)).all()
    ann, bob = comments_of(post.id)
    assert (bob.author_name, bob.parent_id, bob.depth) == ("Bob", ann.id, 1)


def test_a_post_written_here_is_not_taken_for_another_sites_post_with_its_id(wxr_app):
    ours = make_post(title="Ours", slug="hello-world")
    # Another WordPress site, and another blog on this blog's address (two development blogs)
    for year, site in ((2018, "http://elsewhere.example"), (2019, "http://127.0.0.1:5000")):
        stranger = wordpress(site, ours.id, f"{year}-05-05 05:05:05", (1, 0, "Eve", f"{year}-05-06 10:00:00"))
        stranger = stranger.replace(b"hello-world", b"hello-stranger")
        report = import_bytes(stranger)
        assert (report.imported["posts"], report.existing["posts"]) == (1, 0), site
    assert comments_of(ours.id) == []


def test_a_password_protected_post_keeps_its_password_through_export_and_import(wxr_app):
    password = "open ]]> sesame <&>"
    make_post(title="Members only", password=password)
    data = export(wxr_app)
    item = etree.fromstring(data).find("channel/item")
    assert item.findtext(f"{WP}post_password") == password
    assert item.findtext(f"{WP}status") == "publish"
    empty_content()
    report = import_bytes(data)
    post = db.session.scalar(sa.select(Post))
    assert (post.title, post.status, post.password) == ("Members only", "published", password)
    assert report.warning_count == 0


def test_the_import_page_says_what_was_already_here(owner_client, owner):  # noqa: F811
    post = make_post(author_id=owner.id, published_at=datetime.now(UTC) - timedelta(days=1))
    make_comment(post)
    make_comment(post)
    counts = row_counts()
    page = upload(owner_client, owner_client.get(DOWNLOAD).get_data())
    already = page_soup(page).select_one(".import-existing").get_text()
    assert already == "1 author, 1 post and 2 comments were already here and were skipped."
    assert row_counts() == counts
