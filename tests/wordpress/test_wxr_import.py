"""Importing WordPress's own export: every post, comment, thread, status, term and author."""

import hashlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from auth.models import User
from auth.roles import SUBSCRIBER
from blog.models import Comment, Post, Term
from blog.permalinks import post_url
from extensions import db
from tests.support.wxr import SITE_ZONE, import_bytes, row_counts, snapshot

WP_STATUS = {
    "publish": "published",
    "future": "published",
    "draft": "draft",
    "private": "private",
    "trash": "trash",
}


def gmt(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def local(text: str) -> datetime:
    naive = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    return naive.replace(tzinfo=ZoneInfo(SITE_ZONE)).astimezone(UTC)


def posts_by_wp_id() -> dict[int, Post]:
    return {post.wp_id: post for post in db.session.scalars(sa.select(Post))}


def test_every_item_matches_what_wordpress_holds(wxr_app, sample_bytes, expected):
    report = import_bytes(sample_bytes)
    posts = posts_by_wp_id()
    assert sorted(posts) == sorted(item["id"] for item in expected["items"])
    assert report.imported["posts"] == 6 and report.imported["pages"] == 2
    for item in expected["items"]:
        post = posts[item["id"]]
        assert post.kind == item["type"]
        assert post.title == item["title"]
        assert post.status == WP_STATUS[item["status"]], item["id"]
        if item["date_gmt"].startswith("0000"):
            assert post.published_at == local(item["date_local"])
        else:
            assert post.published_at == gmt(item["date_gmt"])
        assert post.author.login == item["author_login"]
        assert post.excerpt == item["excerpt"]
        assert post.guid == item["guid"]
        assert post.comments_open is (item["comment_status"] == "open")
        assert post.body_format == "html"
        assert post.body == item["content"]
        assert hashlib.sha256(post.body.encode()).hexdigest() == item["content_sha256"]
        assert post.slug == (item["slug"] or "networking-at-remote-first-companies")
        parent = posts.get(item["parent_id"])
        assert post.parent_id == (parent.id if parent else None)
        got = sorted((t.taxonomy, t.slug, t.name) for t in post.terms)
        want = sorted(
            [("category", c["slug"], c["name"]) for c in item["categories"]]
            + [("tag", t["slug"], t["name"]) for t in item["tags"]]
        )
        assert got == want, item["id"]


def test_scheduled_post_is_published_with_its_future_date(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    scheduled = posts_by_wp_id()[8]
    assert scheduled.status == "published"
    assert scheduled.published_at == datetime(2030, 9, 15, 12, 0, tzinfo=UTC)


def test_every_comment_thread_and_status_matches_wordpress(wxr_app, sample_bytes, expected):
    import_bytes(sample_bytes)
    posts = posts_by_wp_id()
    logins = {a["id"]: a["login"] for a in expected["authors"]}
    for item in expected["items"]:
        post = posts[item["id"]]
        rows = db.session.scalars(sa.select(Comment).where(Comment.post_id == post.id)).all()
        by_wp = {c.wp_id: c for c in rows}
        by_id = {c.id: c for c in rows}
        wanted = [c for c in item.get("comments", []) if c["in_wxr"]]
        assert sorted(by_wp) == sorted(c["id"] for c in wanted)
        assert all(c["status"] == "spam" for c in item.get("comments", []) if not c["in_wxr"])
        source = {c["id"]: c for c in wanted}
        for want in wanted:
            got = by_wp[want["id"]]
            assert got.status == want["status"]
            assert got.comment_type == want["type"]
            assert got.author_name == want["author"]
            assert got.author_email == want["author_email"]
            assert got.author_url == want["author_url_as_parsed_from_wxr"]
            assert got.author_ip == want["author_ip"]
            assert got.created_at == gmt(want["date_gmt"])
            assert got.body == want["content"]
            assert got.depth == want["depth"] - 1
            parent = by_id.get(got.parent_id)
            assert (parent.wp_id if parent else 0) == want["parent_id"]
            top = want
            while top["parent_id"]:
                top = source[top["parent_id"]]
            assert by_id[got.root_id].wp_id == top["id"]
            user = db.session.get(User, got.user_id) if got.user_id else None
            assert (user.login if user else None) == logins.get(want["user_id"])


def test_comment_count_is_the_number_of_approved_comments(wxr_app, sample_bytes, expected):
    import_bytes(sample_bytes)
    posts = posts_by_wp_id()
    for item in expected["items"]:
        approved = item.get("comment_counts", {}).get("approved", 0)
        assert posts[item["id"]].comment_count == approved, item["id"]
    assert sum(p.comment_count for p in posts.values()) == 28


def test_terms_keep_names_descriptions_and_nesting(wxr_app, sample_bytes, expected):
    import_bytes(sample_bytes)
    terms = {(t.taxonomy, t.slug): t for t in db.session.scalars(sa.select(Term))}
    assert len(terms) == len(expected["categories"]) + len(expected["tags"])
    for taxonomy, key in (("category", "categories"), ("tag", "tags")):
        for want in expected[key]:
            term = terms[(taxonomy, want["slug"])]
            assert term.name == want["name"]
            assert term.description == want["description"]
            parent = db.session.get(Term, term.parent_id) if term.parent_id else None
            assert (parent.slug if parent else "") == want["parent_slug"]


def test_authors_become_users_without_passwords(wxr_app, sample_bytes, expected):
    import_bytes(sample_bytes)
    users = {u.login: u for u in db.session.scalars(sa.select(User))}
    assert sorted(users) == sorted(a["login"] for a in expected["authors"])
    for want in expected["authors"]:
        user = users[want["login"]]
        assert (user.display_name, user.email) == (want["display_name"], want["email"])
        assert user.password_hash is None and user.role == SUBSCRIBER and not user.email_verified


def test_importing_the_same_file_twice_changes_nothing(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    before, counts = snapshot(), row_counts()
    report = import_bytes(sample_bytes)
    assert sum(report.imported.values()) == 0
    assert (report.existing["posts"], report.existing["pages"], report.existing["comments"]) == (6, 2, 34)
    assert not report.skipped
    assert snapshot() == before and row_counts() == counts


def test_newer_export_adds_only_what_is_new(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    everything = snapshot()
    from tests.support.wxr import empty_content

    empty_content()
    older = sample_bytes.replace(
        b"<wp:comment_id>38</wp:comment_id>", b"<wp:comment_id>38</wp:comment_id>", 1
    )
    older = _without(older, b"<wp:comment_id>32</wp:comment_id>", b"<wp:comment>", b"</wp:comment>")
    older = _without(older, b"<title><![CDATA[Colophon]]></title>", b"<item>", b"</item>")
    first = import_bytes(older)
    assert (first.imported["comments"], first.imported["pages"]) == (33, 1)
    report = import_bytes(sample_bytes)
    assert (report.imported["comments"], report.imported["pages"], report.imported["posts"]) == (
        1,
        1,
        0,
    )
    assert snapshot() == everything


def _without(data: bytes, marker: bytes, start: bytes, end: bytes) -> bytes:
    """The file without the element (opened by `start`) that contains `marker`."""
    at = data.index(marker)
    begin = data.rindex(start, 0, at)
    finish = data.index(end, at) + len(end)
    return data[:begin] + data[finish:]


def test_permalinks_keep_wordpress_dates_in_the_site_time_zone(wxr_app, sample_bytes, expected):
    report = import_bytes(sample_bytes)
    assert report.warning_count == 0
    posts = posts_by_wp_id()
    with wxr_app.test_request_context():
        for item in expected["items"]:
            if item["type"] == "post" and item["slug"]:
                day = item["date_local"][:10].replace("-", "/")
                assert post_url(posts[item["id"]]) == f"/{day}/{item['slug']}/"
    client = wxr_app.test_client()
    page = client.get("/2024/03/04/what-do-you-do-when-you-hate-to-network/")
    assert page.status_code == 200
    assert "Well, let’s start with the good news." in page.get_data(as_text=True)


def test_other_time_zone_is_reported_with_the_zone_that_fits(app, sample_bytes):
    report = import_bytes(sample_bytes)
    [warning] = report.warnings
    assert "BLOG_TIMEZONE=UTC" in warning and "America/New_York" in warning
    assert "1 post(s) get a permalink dated a different day" in warning


def test_imported_html_is_sanitized_when_shown(wxr_app, sample_bytes):
    hostile = sample_bytes.replace(
        b"<p>Well, let\xe2\x80\x99s start",
        b'<script>alert(1)</script><p onclick="x()">Well, let\xe2\x80\x99s start',
    )
    import_bytes(hostile)
    assert "<script>" in posts_by_wp_id()[4].body  # kept as WordPress had it, for the export
    html = wxr_app.test_client().get("/2024/03/04/what-do-you-do-when-you-hate-to-network/")
    text = html.get_data(as_text=True)
    assert "alert(1)" not in text and "onclick" not in text
    assert "Get clear on how networking really works" in text


def test_wxr_1_0_and_1_1_files_are_read(wxr_app, sample_bytes):
    for version in (b"1.1", b"1.0"):
        older = sample_bytes.replace(b"export/1.2/", b"export/" + version + b"/").replace(
            b"<wp:wxr_version>1.2<", b"<wp:wxr_version>" + version + b"<"
        )
        report = import_bytes(older)
        done = report.imported["posts"] + report.imported["pages"]
        assert done + report.existing["posts"] + report.existing["pages"] == 8
    assert len(posts_by_wp_id()) == 8


EXTRA_ITEMS = b"""
<item><title>photo.jpg</title><wp:post_id>90</wp:post_id><wp:post_type>attachment</wp:post_type>
<wp:status>inherit</wp:status></item>
<item><title>Menu</title><wp:post_id>91</wp:post_id><wp:post_type>nav_menu_item</wp:post_type>
<wp:status>publish</wp:status></item>
<item><title>Half written</title><wp:post_id>92</wp:post_id><wp:post_type>post</wp:post_type>
<wp:status>auto-draft</wp:status></item>
<item><title>Members only</title><wp:post_id>93</wp:post_id><wp:post_type>post</wp:post_type>
<wp:status>publish</wp:status><wp:post_password>secret</wp:post_password>
<wp:post_name>about</wp:post_name><wp:post_date_gmt>2024-06-01 12:00:00</wp:post_date_gmt>
<category domain="post_format" nicename="post-format-aside">Aside</category>
<category domain="category" nicename="%e6%97%a5%e6%9c%ac">\xe6\x97\xa5\xe6\x9c\xac</category>
</item>
</channel>"""


def test_unsupported_items_are_skipped_with_reasons_and_odd_ones_made_safe(wxr_app, sample_bytes):
    data = sample_bytes.replace(b"</channel>", EXTRA_ITEMS)
    report = import_bytes(data)
    assert report.skipped["attachments without a file name (_wp_attached_file)"] == 1
    assert report.skipped["nav_menu_item items (post type not imported)"] == 1
    assert report.skipped["auto-draft items (not content)"] == 1
    assert report.skipped["post_format terms on items (taxonomy not supported)"] == 1
    members = posts_by_wp_id()[93]
    assert (members.status, members.password) == ("published", "secret")  # still password-protected
    assert members.slug == "about-2"  # the page "about" has the slug already
    assert [t.slug for t in members.terms] == ["日本"]  # WordPress's percent-encoding undone
    text = "\n".join(report.summary())
    assert "password" not in text
    assert "the slug “about” is taken here; WordPress post 93 was imported as “about-2”" in text


def test_cli_import_prints_the_summary(wxr_app, tmp_path, sample_bytes):
    path = tmp_path / "wordpress.xml"
    path.write_bytes(sample_bytes)
    result = wxr_app.test_cli_runner().invoke(args=["wxr", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert (
        "Imported 2 authors, 4 categories, 5 tags, 6 posts, 2 pages, 34 comments" in result.output
    )
    assert row_counts()["comments"] == 34
