"""Fixtures and helpers for the WXR import/export tests: the real WordPress sample and snapshots."""

import io
import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.models import Comment, Post, Term, post_terms
from extensions import db
from wordpress.wxr.importer import import_wxr

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The shared folder sits beside the project (<checkout>/../shared); WXR_SAMPLE_DIR points elsewhere.
WXR_DIR = Path(os.environ.get("WXR_SAMPLE_DIR") or PROJECT_ROOT.parent / "shared" / "wxr")
SAMPLE = WXR_DIR / "wordpress-6.1-sample.xml"
EXPECTED = WXR_DIR / "wordpress-6.1-sample.expected.json"
SITE_ZONE = "America/New_York"  # the sample site's time zone (expected.json: site.timezone_string)


@pytest.fixture
def wxr_app(app_factory):
    """An app dated in the sample WordPress site's time zone, as a mover would configure it."""
    app = app_factory(BLOG_TIMEZONE=SITE_ZONE)
    with app.app_context():
        yield app


def read_shared(name: str) -> bytes:
    """A file of the shared WordPress sample; without it the test is skipped, with one reason for all."""
    path = WXR_DIR / name
    if not path.is_file():
        pytest.skip(f"the WordPress sample export is not in {WXR_DIR} (the shared folder beside the checkout)")
    return path.read_bytes()


@pytest.fixture
def sample_bytes() -> bytes:
    return read_shared(SAMPLE.name)


@pytest.fixture
def expected() -> dict:
    return json.loads(read_shared(EXPECTED.name).decode("utf-8"))


def import_bytes(data: bytes, **options):
    return import_wxr(io.BytesIO(data), **options)


def row_counts() -> dict[str, int]:
    tables = {"users": User, "terms": Term, "posts": Post, "comments": Comment}
    counts = {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in tables.items()
    }
    counts["post_terms"] = db.session.scalar(sa.select(sa.func.count()).select_from(post_terms))
    return counts


def snapshot() -> dict:
    """Everything an import writes, keyed on WordPress ids, logins and slugs (not our ids)."""
    db.session.expire_all()
    users = {user.id: user for user in db.session.scalars(sa.select(User))}
    terms = {term.id: term for term in db.session.scalars(sa.select(Term))}
    posts = {post.id: post for post in db.session.scalars(sa.select(Post))}
    comments = {c.id: c for c in db.session.scalars(sa.select(Comment))}

    def login(user_id):
        return users[user_id].login if user_id else None

    def comment_key(comment_id):
        return comments[comment_id].wp_id if comment_id else None

    return {
        "users": {u.login: (u.display_name, u.email, u.password_hash) for u in users.values()},
        "terms": {
            (t.taxonomy, t.slug): (
                t.name,
                t.description,
                terms[t.parent_id].slug if t.parent_id else None,
            )
            for t in terms.values()
        },
        "posts": {
            p.wp_id: (
                p.kind,
                p.title,
                p.slug,
                p.body,
                p.body_format,
                p.excerpt,
                p.status,
                p.published_at,
                p.updated_at,
                login(p.author_id),
                posts[p.parent_id].wp_id if p.parent_id else None,
                p.comments_open,
                p.comment_count,
                p.guid,
                sorted((t.taxonomy, t.slug) for t in p.terms),
            )
            for p in posts.values()
        },
        "comments": {
            (posts[c.post_id].wp_id, c.wp_id): (
                comment_key(c.parent_id),
                comment_key(c.root_id),
                c.depth,
                c.author_name,
                c.author_email,
                c.author_url,
                c.author_ip,
                login(c.user_id),
                c.body,
                c.status,
                c.comment_type,
                c.created_at,
            )
            for c in comments.values()
        },
    }


def empty_content() -> None:
    """Delete every imported row, so the same app can import again from nothing."""
    for table in ("post_terms", "comments", "posts", "terms", "users"):
        db.session.execute(sa.text(f"DELETE FROM {table}"))
    db.session.commit()


# -- WordPress exports with attachments, as WordPress 6.x writes them (tests/wordpress/test_wxr_media.py)
OLD_SITE = "http://old.example"
UPLOADS_URL = f"{OLD_SITE}/wp-content/uploads"


def wxr_with(items: str, site: str = OLD_SITE) -> bytes:
    """A WXR 1.2 file of one author and the given <item>s, in WordPress's own layout."""
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>Old site</title>
	<link>{site}</link>
	<description></description>
	<language>en-US</language>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>{site}</wp:base_site_url>
	<wp:base_blog_url>{site}</wp:base_blog_url>
	<wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[ruth]]></wp:author_login><wp:author_email><![CDATA[ruth@example.com]]></wp:author_email><wp:author_display_name><![CDATA[Ruth]]></wp:author_display_name><wp:author_first_name><![CDATA[]]></wp:author_first_name><wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>
	<generator>https://wordpress.org/?v=6.1.9</generator>
{items}
</channel>
</rss>
""".encode()


def _meta(key: str, value: str) -> str:
    return (f"\t\t<wp:postmeta>\n\t\t\t<wp:meta_key><![CDATA[{key}]]></wp:meta_key>\n"
            f"\t\t\t<wp:meta_value><![CDATA[{value}]]></wp:meta_value>\n\t\t</wp:postmeta>\n")


def wp_post_item(wp_id: int, title: str, content: str, date: str = "2022-10-05 10:00:00",
                 thumbnail_id: int | None = None) -> str:
    """A published post as WordPress exports it, with its featured image's _thumbnail_id."""
    slug = title.lower().replace(" ", "-")
    return (
        "\t<item>\n"
        f"\t\t<title><![CDATA[{title}]]></title>\n"
        f"\t\t<link>{OLD_SITE}/{slug}/</link>\n"
        "\t\t<pubDate>Wed, 05 Oct 2022 10:00:00 +0000</pubDate>\n"
        "\t\t<dc:creator><![CDATA[ruth]]></dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{OLD_SITE}/?p={wp_id}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded><![CDATA[{content}]]></content:encoded>\n"
        "\t\t<excerpt:encoded><![CDATA[]]></excerpt:encoded>\n"
        f"\t\t<wp:post_id>{wp_id}</wp:post_id>\n"
        f"\t\t<wp:post_date><![CDATA[{date}]]></wp:post_date>\n"
        f"\t\t<wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified><![CDATA[{date}]]></wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt><![CDATA[{date}]]></wp:post_modified_gmt>\n"
        "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n"
        "\t\t<wp:ping_status><![CDATA[open]]></wp:ping_status>\n"
        f"\t\t<wp:post_name><![CDATA[{slug}]]></wp:post_name>\n"
        "\t\t<wp:status><![CDATA[publish]]></wp:status>\n"
        "\t\t<wp:post_parent>0</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        "\t\t<wp:post_type><![CDATA[post]]></wp:post_type>\n"
        "\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
        '\t\t<category domain="category" nicename="uncategorized"><![CDATA[Uncategorized]]></category>\n'
        + (_meta("_thumbnail_id", str(thumbnail_id)) if thumbnail_id else "")
        + "\t</item>\n"
    )


def wp_attachment_item(wp_id: int, attached_file: str, parent: int = 0, title: str = "", alt: str = "",
                       caption: str = "", description: str = "", date: str = "2022-10-05 09:00:00",
                       width: int = 1200, height: int = 800, guid_site: str = OLD_SITE) -> str:
    """An attachment as WordPress's exporter writes it (attachment_url, postmeta, status inherit);
    its guid keeps the site's address at upload time (`guid_site`), as WordPress never changes it."""
    url = f"{UPLOADS_URL}/{attached_file}"
    guid = f"{guid_site}/wp-content/uploads/{attached_file}"
    name = attached_file.rpartition("/")[2].rpartition(".")[0]
    metadata = (f'a:5:{{s:5:"width";i:{width};s:6:"height";i:{height};s:4:"file";'
                f's:{len(attached_file)}:"{attached_file}";s:8:"filesize";i:1000;s:5:"sizes";a:0:{{}}}}')
    return (
        "\t<item>\n"
        f"\t\t<title><![CDATA[{title or name}]]></title>\n"
        f"\t\t<link>{OLD_SITE}/{name}/</link>\n"
        "\t\t<pubDate>Wed, 05 Oct 2022 09:00:00 +0000</pubDate>\n"
        "\t\t<dc:creator><![CDATA[ruth]]></dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{guid}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded><![CDATA[{description}]]></content:encoded>\n"
        f"\t\t<excerpt:encoded><![CDATA[{caption}]]></excerpt:encoded>\n"
        f"\t\t<wp:post_id>{wp_id}</wp:post_id>\n"
        f"\t\t<wp:post_date><![CDATA[{date}]]></wp:post_date>\n"
        f"\t\t<wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified><![CDATA[{date}]]></wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt><![CDATA[{date}]]></wp:post_modified_gmt>\n"
        "\t\t<wp:comment_status><![CDATA[open]]></wp:comment_status>\n"
        "\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>\n"
        f"\t\t<wp:post_name><![CDATA[{name}]]></wp:post_name>\n"
        "\t\t<wp:status><![CDATA[inherit]]></wp:status>\n"
        f"\t\t<wp:post_parent>{parent}</wp:post_parent>\n"
        "\t\t<wp:menu_order>0</wp:menu_order>\n"
        "\t\t<wp:post_type><![CDATA[attachment]]></wp:post_type>\n"
        "\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n"
        "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
        f"\t\t<wp:attachment_url><![CDATA[{url}]]></wp:attachment_url>\n"
        + _meta("_wp_attached_file", attached_file)
        + _meta("_wp_attachment_metadata", metadata)
        + (_meta("_wp_attachment_image_alt", alt) if alt else "")
        + "\t</item>\n"
    )


def image_bytes(width: int, height: int, color: str = "teal", kind: str = "JPEG") -> bytes:
    """An image made by Pillow, as a camera or WordPress would have saved it."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, kind)
    return out.getvalue()


def empty_media() -> None:
    """Delete every media row (its files stay), before empty_content() when a test imports afresh."""
    db.session.execute(sa.text("UPDATE posts SET featured_media_id = NULL"))
    db.session.execute(sa.text("DELETE FROM media"))
    db.session.commit()
