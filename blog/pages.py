"""WordPress's static pages at /<slug>/ and /<parent>/<child>/, resolved last: any route that
answers a path comes before the database is asked for a page there."""

import re

import sqlalchemy as sa
from flask import Flask, abort, redirect
from werkzeug.routing import BaseConverter

from blog.models import Post
from blog.permalinks import post_url
from blog.queries import visible, visible_post_with_slug
from blog.views import prefilled_form, render_post_page
from extensions import db

# Pages nest this deep at most. Each depth is its own rule of plain segments: a `path` converter's
# rule would win over the post permalink's comment pages (/<y>/<m>/<d>/<slug>/comment-page-2/).
MAX_DEPTH = 5
PAGE_RULES = ["/<top_page:s0>/" + "".join(f"<s{n}>/" for n in range(1, depth)) for depth in range(1, MAX_DEPTH + 1)]


def register(app: Flask) -> None:
    """Add the page rules once every other route is in the URL map: a page's first segment is never
    another route's first word, so /auth/logout stays that route's (a 405 for a GET, not a redirect
    to /auth/logout/), and a new route's address is never taken by a page."""
    taken = sorted({rule.rule.split("/")[1] for rule in app.url_map.iter_rules()
                    if rule.rule.count("/") > 1 and "<" not in rule.rule.split("/")[1]})
    app.url_map.converters["top_page"] = _top_page_converter(taken)
    for rule in PAGE_RULES:
        app.add_url_rule(rule, "blog.page", _page)
        app.add_url_rule(rule + "comment-page-<int:cpage>/", "blog.page", _page)


def _top_page_converter(taken: list[str]) -> type[BaseConverter]:
    words = "|".join(re.escape(word) for word in taken)

    class TopPageConverter(BaseConverter):
        """A top-level page's slug: one segment that no other route begins with."""

        regex = rf"(?!(?:{words})$)[^/]+" if words else "[^/]+"
        part_isolating = True  # one segment (Werkzeug guesses otherwise from the "/" in the regex)

    return TopPageConverter


def _page(cpage: int | None = None, **segments: str):
    """A published page with its discussion; a single segment that names a post instead is
    WordPress's /<post-slug>/ address, sent on to the post's permalink."""
    path = "/".join(segments[f"s{n}"] for n in range(len(segments)))
    found = page_at(path)
    if found is None:
        if len(segments) == 1 and cpage is None:
            post = visible_post_with_slug(path)
            if post is not None:
                return redirect(post_url(post), code=301)
        abort(404)
    return render_post_page(found, prefilled_form(found), cpage=cpage)


def page_at(path: str) -> Post | None:
    """The visible page whose slug and ancestors' slugs are `path` ("about/team"), in one query."""
    slugs = path.split("/")
    if len(slugs) > MAX_DEPTH or "" in slugs:
        return None
    pages = {page.slug: page for page in db.session.scalars(
        sa.select(Post).where(Post.kind == "page", Post.slug.in_(slugs), visible(Post)))}
    parent_id = None
    for slug in slugs:
        page = pages.get(slug)
        if page is None or page.parent_id != parent_id:
            return None
        parent_id = page.id
    return page
