"""Export to WXR 1.2 that WordPress's importer reads; import -> export -> import is lossless."""

import io
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from lxml import etree

from blog.models import Comment, Post
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.wxr import empty_content, import_bytes, snapshot
from wordpress.wxr.exporter import write_wxr

WP = "{http://wordpress.org/export/1.2/}"


def export(app, **options) -> bytes:
    out = io.BytesIO()
    with app.test_request_context(base_url="http://127.0.0.1:5000"):
        write_wxr(out, **options)
    return out.getvalue()


def test_import_export_import_gives_the_same_data(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    before = snapshot()
    exported = export(wxr_app)
    empty_content()
    report = import_bytes(exported)
    assert report.warning_count == 0 and not report.skipped
    assert snapshot() == before


def test_export_has_what_wordpress_importer_reads(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    root = etree.fromstring(export(wxr_app))
    channel = root.find("channel")
    assert root.nsmap["wp"] == "http://wordpress.org/export/1.2/"
    assert root.nsmap["excerpt"] == "http://wordpress.org/export/1.2/excerpt/"
    assert channel.findtext(f"{WP}wxr_version") == "1.2"
    assert channel.findtext(f"{WP}base_site_url") == "http://127.0.0.1:5000"
    logins = {a.findtext(f"{WP}author_login") for a in channel.iter(f"{WP}author")}
    assert logins == {"admin", "mlefevre"}
    categories = [c.findtext(f"{WP}category_nicename") for c in channel.iter(f"{WP}category")]
    assert categories.index("careers") < categories.index("job-search")  # parents first
    items = channel.findall("item")
    assert len(items) == 8
    statuses = sorted(i.findtext(f"{WP}status") for i in items)
    assert statuses == [
        "draft",
        "future",
        "private",
        "publish",
        "publish",
        "publish",
        "publish",
        "publish",
    ]
    for item in items:
        assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") in logins
        for field in (
            "post_id",
            "post_date",
            "post_date_gmt",
            "post_name",
            "post_type",
            "comment_status",
            "post_parent",
        ):
            assert item.find(f"{WP}{field}") is not None, field
        seen = {0}
        for comment in item.iter(f"{WP}comment"):
            assert int(comment.findtext(f"{WP}comment_parent")) in seen  # parents come first
            seen.add(int(comment.findtext(f"{WP}comment_id")))
            assert comment.findtext(f"{WP}comment_approved") in {"1", "0", "trash"}
    first = items[0]
    assert first.findtext("link") == (
        "http://127.0.0.1:5000/2024/03/04/what-do-you-do-when-you-hate-to-network/"
    )
    assert first.findtext(f"{WP}post_date") == "2024-03-04 09:00:00"  # the site's local time
    assert first.findtext(f"{WP}post_date_gmt") == "2024-03-04 14:00:00"
    colophon = next(i for i in items if i.findtext(f"{WP}post_name") == "colophon")
    assert colophon.findtext(f"{WP}post_parent") == "10"


def test_posts_written_here_get_ids_past_wordpress_ones_and_markdown_becomes_html(
    wxr_app, sample_bytes
):
    import_bytes(sample_bytes)
    native = make_post(
        title="Written here", body="Some **bold** ]]> text\x0b.", slug="written-here"
    )
    reply_to = db.session.scalar(sa.select(Comment).where(Comment.wp_id == 2))
    make_comment(native, body="A first comment")
    post4 = db.session.scalar(sa.select(Post).where(Post.wp_id == 4))
    make_comment(post4, parent=reply_to, body="A reply written here")
    root = etree.fromstring(export(wxr_app))
    item = next(i for i in root.iter("item") if i.findtext("title") == "Written here")
    assert int(item.findtext(f"{WP}post_id")) == 11 + native.id  # past WordPress's highest id
    assert item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") == (
        "<p>Some <strong>bold</strong> ]]&gt; text.</p>"
    )
    replies = [
        c
        for c in root.iter(f"{WP}comment")
        if c.findtext(f"{WP}comment_content") == "A reply written here"
    ]
    assert replies[0].findtext(f"{WP}comment_parent") == "2"
    assert int(replies[0].findtext(f"{WP}comment_id")) > 38


def test_spam_is_left_out_as_wordpress_does_and_replies_move_up(wxr_app):
    post = make_post()
    top = make_comment(post, body="Top")
    spam = make_comment(post, parent=top, body="Buy pills", status="spam")
    make_comment(post, parent=spam, body="Reply under spam")
    root = etree.fromstring(export(wxr_app))
    comments = {c.findtext(f"{WP}comment_content"): c for c in root.iter(f"{WP}comment")}
    assert "Buy pills" not in comments
    assert comments["Reply under spam"].findtext(f"{WP}comment_parent") == str(top.id)
    every = etree.fromstring(export(wxr_app, include_spam=True))
    assert "spam" in [c.findtext(f"{WP}comment_approved") for c in every.iter(f"{WP}comment")]


def test_scheduled_post_round_trips_as_future(wxr_app):
    make_post(title="Later", published_at=datetime.now(UTC) + timedelta(days=3))
    root = etree.fromstring(export(wxr_app))
    assert root.find("channel/item").findtext(f"{WP}status") == "future"


def test_cli_exports_to_a_file_and_imports_it_back(wxr_app, sample_bytes, tmp_path):
    source = tmp_path / "wordpress.xml"
    source.write_bytes(sample_bytes)
    runner = wxr_app.test_cli_runner()
    imported = runner.invoke(args=["wxr", "import", str(source)])
    assert imported.exit_code == 0, imported.output
    assert (
        "Imported 2 authors, 4 categories, 5 tags, 6 posts, 2 pages, 34 comments" in imported.output
    )
    target = tmp_path / "out.xml"
    exported = runner.invoke(
        args=["wxr", "export", str(target), "--site-url", "http://127.0.0.1:8000"]
    )
    assert exported.exit_code == 0, exported.output
    assert (
        "Exported 2 authors, 4 categories, 5 tags, 6 posts, 2 pages, 34 comments."
        in exported.output
    )
    assert b"<link>http://127.0.0.1:8000/2024/03/04/" in target.read_bytes()
    again = runner.invoke(args=["wxr", "import", str(target)])
    assert "Imported 0 authors, 0 categories, 0 tags, 0 posts, 0 pages, 0 comments" in again.output
    assert "2 authors, 4 categories, 5 tags, 6 posts, 2 pages and 34 comments were already here" in again.output


def test_text_that_would_break_cdata_or_xml_survives_the_round_trip(wxr_app):
    body = "<p>Arrays: a[b[0]]> c, and a vertical tab\x0b gone</p>"
    make_post(title="Edge ]]> cases", body=body, body_format="html")
    data = export(wxr_app)
    empty_content()
    import_bytes(data)
    post = db.session.scalar(sa.select(Post))
    assert post.title == "Edge ]]> cases"
    assert post.body == body.replace("\x0b", "")
