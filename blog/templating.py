"""Filters and globals the templates use."""

from datetime import datetime
from functools import lru_cache

from babel.numbers import format_decimal
from flask import Flask, current_app, url_for
from markupsafe import Markup

from blog.avatars import comment_avatar_url, reader_avatar_url
from blog.comment_html import render_comment_list
from blog.excerpts import has_more, split_at_more, summary_html
from blog.media.responsive import featured_image, sized_images
from blog.permalinks import author_url, blog_timezone, month_url, post_url, term_url
from blog.rendering import render_comment, render_post_body, web_link
from blog.settings import get_settings
from core.dates import ENGLISH, format_local, language


def local_date(value: datetime, fmt: str = "%B %-d, %Y") -> str:
    """A date in the blog's time zone, as WordPress shows it in English ("March 4, 2024") and as the
    page's language writes it otherwise ("4. März 2024"): core.dates says which style each format is."""
    return format_local(value.astimezone(blog_timezone()), fmt)


def number(value):
    """A count as the page's language groups its digits ("1.234" in German); English's as it was
    ("1234"). Not for numbers a script reads back (data-count) or a message's placeholder."""
    if value.__class__ is not int:
        return value
    lang = language()
    return str(value) if lang in ENGLISH else _grouped(value, lang)


@lru_cache(maxsize=1024)
def _grouped(value: int, lang: str) -> str:
    return format_decimal(value, locale=lang)


def comment_avatar(comment, settings: dict) -> str:
    return comment_avatar_url(comment, settings, url_for("static", filename="img/avatar.svg"))


def reader_avatar(picture_url: str | None, email: str | None, name: str = "") -> str:
    return reader_avatar_url(picture_url, email, name, get_settings())


def post_html(body: str, body_format: str = "markdown", first_eager: bool = True) -> Markup:
    """A post body as safe HTML, its library images with their sizes (blog.media.responsive)."""
    return Markup(sized_images(render_post_body(body, body_format), first_eager))


def comment_html(text: str) -> Markup:
    """A comment's text as safe HTML (sanitized by render_comment), for templates."""
    return Markup(render_comment(text))


def register(app: Flask) -> None:
    app.add_template_filter(local_date)
    app.add_template_filter(number)
    app.add_template_filter(post_html)
    app.add_template_global(featured_image)
    app.add_template_filter(comment_html)
    app.add_template_filter(web_link)
    app.add_template_global(comment_avatar)
    app.add_template_global(reader_avatar)
    app.add_template_global(render_comment_list)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    for helper in (post_url, term_url, author_url, month_url, summary_html, has_more, split_at_more):
        app.add_template_global(helper)
    app.context_processor(lambda: {"blog_title": current_app.config["BLOG_TITLE"],
                                   "blog_tagline": current_app.config["BLOG_TAGLINE"]})
