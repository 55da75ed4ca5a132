"""Write the blog as WXR 1.2, the file WordPress's Tools -> Import -> WordPress reads.

The export is a generator of text chunks, one per item, so that a command writes it to a
file and an admin view streams it as a download without holding the blog in memory. It needs
a request context for absolute links (the CLI makes one from --site-url).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email.utils import format_datetime
from typing import BinaryIO
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.orm import aliased, selectinload

from auth.models import User
from blog.media.models import Media
from blog.models import Comment, Post, Term
from blog.permalinks import blog_timezone, post_url
from blog.rendering import render_post_body
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import language_tag
from extensions import db
from wordpress.wxr import mapping
from wordpress.wxr.report import KINDS, counted, list_separator

WP = "http://wordpress.org/export/1.2/"
# Characters XML 1.0 cannot carry; WordPress writes them anyway and makes broken files.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass
class ExportReport:
    authors: int = 0
    categories: int = 0
    tags: int = 0
    posts: int = 0
    pages: int = 0
    comments: int = 0
    media: int = 0

    def summary(self) -> str:
        """What was exported, for the CLI."""
        kinds = [*KINDS, "media"] if self.media else KINDS
        return _("Exported %(counts)s.", counts=list_separator().join(counted(kind, getattr(self, kind))
                                                                       for kind in kinds))


def _cdata(text: str | None) -> str:
    text = _NOT_XML.sub("", text or "")
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text(text: str | None) -> str:
    return escape(_NOT_XML.sub("", text or ""))


def _slug(slug: str) -> str:
    """A slug as WordPress stores it: UTF-8 percent-encoded in lower case."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(slug, safe="-_.~"))


def _export_id(wp_id: int | None, own_id: int, offset: int) -> int:
    """WordPress's id for imported rows; ids past every imported one for rows made here."""
    return wp_id if wp_id else own_id + offset


def iter_wxr(*, include_spam: bool = False, report: ExportReport | None = None) -> Iterator[str]:
    """The blog as WXR 1.2 text chunks; spam is left out as WordPress does unless asked for."""
    report = report if report is not None else ExportReport()
    tz = blog_timezone()
    site = url_for("blog.index", _external=True).rstrip("/")
    yield from _head(site)
    yield from _authors(report)
    yield from _terms(report)
    yield f"\n\t<generator>{_text(site)}/?flask-blog</generator>\n"
    # WordPress numbers posts and attachments in one sequence: ids made here go past all of them.
    post_offset = max(
        db.session.scalar(sa.select(sa.func.max(Post.wp_id))) or 0,
        db.session.scalar(sa.select(sa.func.max(Media.wp_id))) or 0,
    )
    media_offset = post_offset + (db.session.scalar(sa.select(sa.func.max(Post.id))) or 0)
    featured = dict(
        db.session.execute(
            sa.select(Media.id, Media.wp_id).where(
                Media.id.in_(sa.select(Post.featured_media_id)), Media.status != "failed"
            )
        ).all()
    )
    comment_offset = db.session.scalar(sa.select(sa.func.max(Comment.wp_id))) or 0
    parent = aliased(Post)
    rows = db.session.execute(
        sa.select(Post, User.login, parent.wp_id, parent.id)
        .outerjoin(User, Post.author_id == User.id)
        .outerjoin(parent, Post.parent_id == parent.id)
        .where(Post.kind.in_(("post", "page")))
        .order_by(Post.id)
        .options(selectinload(Post.terms))
        .execution_options(yield_per=200)
    )
    for post, login, parent_wp_id, parent_id in rows:
        parent_export = _export_id(parent_wp_id, parent_id, post_offset) if parent_id else 0
        yield _item(post, login, parent_export, post_offset, tz)
        if post.featured_media_id in featured:
            thumbnail = _export_id(featured[post.featured_media_id], post.featured_media_id, media_offset)
            yield _postmeta("_thumbnail_id", str(thumbnail))
        yield from _comments(post.id, comment_offset, include_spam, tz, report)
        yield "\t</item>\n"
        report.pages += post.kind == "page"
        report.posts += post.kind == "post"
    yield from _attachments(site, post_offset, media_offset, tz, report)
    yield "</channel>\n</rss>\n"


def export_filename(today: date | None = None) -> str:
    """WordPress's export file name, "<site>.WordPress.<yyyy-mm-dd>.xml", in the blog's zone."""
    site = mapping.slugify(current_app.config.get("BLOG_TITLE") or "").replace("-", "") or "blog"
    today = today or utcnow().astimezone(blog_timezone()).date()
    return f"{site}.WordPress.{today:%Y-%m-%d}.xml"


def write_wxr(stream: BinaryIO, **options) -> ExportReport:
    """Write the export to a binary stream (file, stdout) as UTF-8; returns the counts."""
    report = ExportReport()
    for chunk in iter_wxr(report=report, **options):
        stream.write(chunk.encode("utf-8"))
    return report


def _head(site: str) -> Iterator[str]:
    config = current_app.config
    yield (
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        "<!-- This is a WordPress eXtended RSS file generated by flask-blog as an export of "
        "your site. -->\n"
        "<!-- Import it in WordPress with Tools: Import, WordPress. -->\n"
        '<rss version="2.0"\n'
        f'\txmlns:excerpt="{WP}excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        f'\txmlns:wp="{WP}"\n>\n\n<channel>\n'
        f"\t<title>{_text(config['BLOG_TITLE'])}</title>\n"
        f"\t<link>{_text(site)}</link>\n"
        f"\t<description>{_text(config['BLOG_TAGLINE'])}</description>\n"
        f"\t<pubDate>{format_datetime(utcnow())}</pubDate>\n"
        f"\t<language>{language_tag(config['BLOG_LANGUAGE'])}</language>\n"
        "\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"\t<wp:base_site_url>{_text(site)}</wp:base_site_url>\n"
        f"\t<wp:base_blog_url>{_text(site)}</wp:base_blog_url>\n\n"
    )


def _authors(report: ExportReport) -> Iterator[str]:
    """Every user who wrote a post or a comment here, keyed by their id."""
    wrote = sa.select(Post.author_id).union(sa.select(Comment.user_id), sa.select(Media.author_id))
    for user in db.session.scalars(sa.select(User).where(User.id.in_(wrote)).order_by(User.id)):
        report.authors += 1
        yield (
            f"\t<wp:author><wp:author_id>{user.id}</wp:author_id>"
            f"<wp:author_login>{_cdata(_login(user.login, user.id))}</wp:author_login>"
            f"<wp:author_email>{_cdata(user.email)}</wp:author_email>"
            f"<wp:author_display_name>{_cdata(user.display_name)}</wp:author_display_name>"
            "<wp:author_first_name><![CDATA[]]></wp:author_first_name>"
            "<wp:author_last_name><![CDATA[]]></wp:author_last_name></wp:author>\n"
        )


def _login(login: str | None, user_id: int | None) -> str:
    return login or (f"user-{user_id}" if user_id else "")


def _terms(report: ExportReport) -> Iterator[str]:
    """Categories parents first (WordPress's importer needs them so), then tags."""
    categories = list(
        db.session.scalars(sa.select(Term).where(Term.taxonomy == "category").order_by(Term.id))
    )
    by_id = {term.id: term for term in categories}
    written: set[int] = set()

    def ordered(term: Term, trail: tuple = ()) -> Iterator[Term]:
        if term.id in written or term.id in trail:
            return
        if term.parent_id in by_id:
            yield from ordered(by_id[term.parent_id], trail + (term.id,))
        written.add(term.id)
        yield term

    for category in categories:
        for term in ordered(category):
            parent = by_id.get(term.parent_id)
            report.categories += 1
            yield (
                f"\t<wp:category>\n\t\t<wp:term_id>{term.id}</wp:term_id>\n"
                f"\t\t<wp:category_nicename>{_cdata(_slug(term.slug))}</wp:category_nicename>\n"
                "\t\t<wp:category_parent>"
                f"{_cdata(_slug(parent.slug) if parent else '')}</wp:category_parent>\n"
                f"\t\t<wp:cat_name>{_cdata(term.name)}</wp:cat_name>\n"
                + (
                    f"\t\t<wp:category_description>{_cdata(term.description)}"
                    "</wp:category_description>\n"
                    if term.description
                    else ""
                )
                + "\t</wp:category>\n"
            )
    for term in db.session.scalars(sa.select(Term).where(Term.taxonomy == "tag").order_by(Term.id)):
        report.tags += 1
        yield (
            f"\t<wp:tag>\n\t\t<wp:term_id>{term.id}</wp:term_id>\n"
            f"\t\t<wp:tag_slug>{_cdata(_slug(term.slug))}</wp:tag_slug>\n"
            f"\t\t<wp:tag_name>{_cdata(term.name)}</wp:tag_name>\n"
            + (
                f"\t\t<wp:tag_description>{_cdata(term.description)}</wp:tag_description>\n"
                if term.description
                else ""
            )
            + "\t</wp:tag>\n"
        )


def _wp_status(post: Post) -> str:
    if post.status == "published":
        return "future" if post.published_at > utcnow() else "publish"
    return {"draft": "draft", "private": "private", "trash": "trash"}.get(post.status, "draft")


def _item(post: Post, login: str | None, parent: int, offset: int, tz) -> str:
    content = post.body if post.body_format == "html" else render_post_body(post.body, "markdown")
    content = _absolute_media_urls(content)
    export_id = _export_id(post.wp_id, post.id, offset)
    comments_open = "open" if post.comments_open else "closed"
    categories = "".join(
        f'\t\t<category domain="{mapping.WP_TAXONOMY[term.taxonomy]}" '
        f"nicename={quoteattr(_slug(term.slug))}>{_cdata(term.name)}</category>\n"
        for term in sorted(post.terms, key=lambda t: (t.taxonomy, t.slug))
        if term.taxonomy in mapping.WP_TAXONOMY
    )
    return (
        "\t<item>\n"
        f"\t\t<title>{_cdata(post.title)}</title>\n"
        f"\t\t<link>{_text(post_url(post, _external=True))}</link>\n"
        f"\t\t<pubDate>{format_datetime(post.published_at)}</pubDate>\n"
        f"\t\t<dc:creator>{_cdata(_login(login, post.author_id))}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{_text(post.guid or mapping.own_guid(post.id))}</guid>\n'
        "\t\t<description></description>\n"
        f"\t\t<content:encoded>{_cdata(content)}</content:encoded>\n"
        f"\t\t<excerpt:encoded>{_cdata(post.excerpt)}</excerpt:encoded>\n"
        f"\t\t<wp:post_id>{export_id}</wp:post_id>\n"
        f"\t\t<wp:post_date>{_cdata(mapping.wp_date(post.published_at, tz))}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{_cdata(mapping.wp_date(post.published_at))}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{_cdata(mapping.wp_date(post.updated_at, tz))}</wp:post_modified>\n"
        "\t\t<wp:post_modified_gmt>"
        f"{_cdata(mapping.wp_date(post.updated_at))}</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{_cdata(comments_open)}</wp:comment_status>\n"
        f"\t\t<wp:ping_status>{_cdata(comments_open)}</wp:ping_status>\n"
        f"\t\t<wp:post_name>{_cdata(_slug(post.slug))}</wp:post_name>\n"
        f"\t\t<wp:status>{_cdata(_wp_status(post))}</wp:status>\n"
        f"\t\t<wp:post_parent>{parent}</wp:post_parent>\n"
        f"\t\t<wp:menu_order>{post.menu_order}</wp:menu_order>\n"
        f"\t\t<wp:post_type>{_cdata(post.kind)}</wp:post_type>\n"
        f"\t\t<wp:post_password>{_cdata(post.password)}</wp:post_password>\n"
        f"\t\t<wp:is_sticky>{int(post.sticky)}</wp:is_sticky>\n"
        f"{categories}"
    )


def _comments(post_id: int, offset: int, include_spam: bool, tz, report) -> Iterator[str]:
    every = list(
        db.session.scalars(
            sa.select(Comment).where(Comment.post_id == post_id).order_by(Comment.id)
        )
    )
    by_id = {comment.id: comment for comment in every}
    shown = [c for c in every if include_spam or c.status != "spam"]
    # WordPress's importer links a reply to its parent only when the parent came first.
    shown.sort(key=lambda c: _export_id(c.wp_id, c.id, offset))
    shown_ids = {comment.id for comment in shown}
    for comment in shown:
        # A reply to a comment left out (spam) hangs from its nearest ancestor that is written.
        parent_id = comment.parent_id
        while parent_id is not None and parent_id not in shown_ids:
            parent_id = by_id[parent_id].parent_id if parent_id in by_id else None
        parent = by_id[parent_id] if parent_id is not None else None
        parent_export = _export_id(parent.wp_id, parent.id, offset) if parent else 0
        report.comments += 1
        export_id = _export_id(comment.wp_id, comment.id, offset)
        yield (
            "\t\t<wp:comment>\n"
            f"\t\t\t<wp:comment_id>{export_id}</wp:comment_id>\n"
            f"\t\t\t<wp:comment_author>{_cdata(comment.author_name)}</wp:comment_author>\n"
            "\t\t\t<wp:comment_author_email>"
            f"{_cdata(comment.author_email)}</wp:comment_author_email>\n"
            "\t\t\t<wp:comment_author_url>"
            f"{_text(comment.author_url)}</wp:comment_author_url>\n"
            f"\t\t\t<wp:comment_author_IP>{_cdata(comment.author_ip)}</wp:comment_author_IP>\n"
            "\t\t\t<wp:comment_date>"
            f"{_cdata(mapping.wp_date(comment.created_at, tz))}</wp:comment_date>\n"
            "\t\t\t<wp:comment_date_gmt>"
            f"{_cdata(mapping.wp_date(comment.created_at))}</wp:comment_date_gmt>\n"
            f"\t\t\t<wp:comment_content>{_cdata(comment.body)}</wp:comment_content>\n"
            "\t\t\t<wp:comment_approved>"
            f"{_cdata(mapping.COMMENT_APPROVED[comment.status])}</wp:comment_approved>\n"
            f"\t\t\t<wp:comment_type>{_cdata(comment.comment_type)}</wp:comment_type>\n"
            f"\t\t\t<wp:comment_parent>{parent_export}</wp:comment_parent>\n"
            f"\t\t\t<wp:comment_user_id>{comment.user_id or 0}</wp:comment_user_id>\n"
            "\t\t</wp:comment>\n"
        )


def _absolute_media_urls(html: str) -> str:
    """The library's site-relative image addresses made absolute, as a WordPress site needs them."""
    if "/media/" not in html:
        return html
    media = mapping.home_url() + "/media/"
    return re.sub(r"""(\b(?:src|href)=["'])/media/""", lambda m: m.group(1) + media, html)


def _postmeta(key: str, value: str) -> str:
    return (
        f"\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>{_cdata(key)}</wp:meta_key>\n"
        f"\t\t\t<wp:meta_value>{_cdata(value)}</wp:meta_value>\n\t\t</wp:postmeta>\n"
    )


def _attachments(site: str, post_offset: int, media_offset: int, tz, report) -> Iterator[str]:
    """The media library as WordPress's attachment items; rows without their files are left out."""
    parent = aliased(Post)
    rows = db.session.execute(
        sa.select(Media, User.login, parent.wp_id, parent.id)
        .outerjoin(User, Media.author_id == User.id)
        .outerjoin(parent, Media.post_id == parent.id)
        .where(Media.status != "failed")
        .order_by(Media.id)
        .execution_options(yield_per=200)
    )
    for media, login, parent_wp_id, parent_id in rows:
        parent_export = _export_id(parent_wp_id, parent_id, post_offset) if parent_id else 0
        export_id = _export_id(media.wp_id, media.id, media_offset)
        # WordPress's attached file is the full size it serves: the "-scaled" copy of a big image.
        attached = media.file_key("full")
        url = site + "/media/" + quote(attached)
        at = media.uploaded_at
        report.media += 1
        yield (
            "\t<item>\n"
            f"\t\t<title>{_cdata(media.title)}</title>\n"
            f"\t\t<link>{_text(url)}</link>\n"
            f"\t\t<pubDate>{format_datetime(at)}</pubDate>\n"
            f"\t\t<dc:creator>{_cdata(_login(login, media.author_id))}</dc:creator>\n"
            f'\t\t<guid isPermaLink="false">{_text(url)}</guid>\n'
            "\t\t<description></description>\n"
            f"\t\t<content:encoded>{_cdata(media.description)}</content:encoded>\n"
            f"\t\t<excerpt:encoded>{_cdata(media.caption)}</excerpt:encoded>\n"
            f"\t\t<wp:post_id>{export_id}</wp:post_id>\n"
            f"\t\t<wp:post_date>{_cdata(mapping.wp_date(at, tz))}</wp:post_date>\n"
            f"\t\t<wp:post_date_gmt>{_cdata(mapping.wp_date(at))}</wp:post_date_gmt>\n"
            f"\t\t<wp:post_modified>{_cdata(mapping.wp_date(at, tz))}</wp:post_modified>\n"
            f"\t\t<wp:post_modified_gmt>{_cdata(mapping.wp_date(at))}</wp:post_modified_gmt>\n"
            "\t\t<wp:comment_status><![CDATA[closed]]></wp:comment_status>\n"
            "\t\t<wp:ping_status><![CDATA[closed]]></wp:ping_status>\n"
            f"\t\t<wp:post_name>{_cdata(_slug(mapping.slugify(media.title) or f'media-{media.id}'))}</wp:post_name>\n"
            "\t\t<wp:status><![CDATA[inherit]]></wp:status>\n"
            f"\t\t<wp:post_parent>{parent_export}</wp:post_parent>\n"
            "\t\t<wp:menu_order>0</wp:menu_order>\n"
            "\t\t<wp:post_type><![CDATA[attachment]]></wp:post_type>\n"
            "\t\t<wp:post_password><![CDATA[]]></wp:post_password>\n"
            "\t\t<wp:is_sticky>0</wp:is_sticky>\n"
            f"\t\t<wp:attachment_url>{_cdata(url)}</wp:attachment_url>\n"
            + _postmeta("_wp_attached_file", attached)
            + (_postmeta("_wp_attachment_image_alt", media.alt_text) if media.alt_text else "")
            + "\t</item>\n"
        )
