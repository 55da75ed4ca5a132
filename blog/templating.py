"""Filters and globals the templates use."""

from datetime import datetime

from flask import Flask, current_app

from blog.permalinks import blog_timezone, post_url
from blog.rendering import render_post_body


def local_date(value: datetime, fmt: str = "%B %-d, %Y") -> str:
    """A date as WordPress shows it ("March 4, 2024"), in the blog's time zone."""
    return value.astimezone(blog_timezone()).strftime(fmt)


def responses_heading(count: int) -> str:
    return "1 Response" if count == 1 else f"{count} Responses"


def register(app: Flask) -> None:
    app.add_template_filter(local_date)
    app.add_template_filter(render_post_body, "post_html")
    app.add_template_global(post_url)
    app.add_template_global(responses_heading)
    app.context_processor(lambda: {"blog_title": current_app.config["BLOG_TITLE"],
                                   "blog_tagline": current_app.config["BLOG_TAGLINE"]})
