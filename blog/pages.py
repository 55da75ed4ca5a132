"""WordPress's static pages at /<slug>/ and /<parent>/<child>/, resolved last: any route that
answers a path comes before the database is asked for a page there."""

import sqlalchemy as sa
from flask import abort, redirect

from blog import bp
from blog.models import Post
from blog.permalinks import post_url
from blog.queries import visible, visible_post_with_slug
from blog.views import prefilled_form, render_post_page
from extensions import db

# Pages nest this deep at most. Each depth is its own rule of plain segments: a `path` converter's
# rule would win over the post permalink's comment pages (/<y>/<m>/<d>/<slug>/comment-page-2/).
MAX_DEPTH = 5
PAGE_RULES = ["/" + "/".join(f"<s{n}>" for n in range(depth)) + "/" for depth in range(1, MAX_DEPTH + 1)]


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


for _rule in PAGE_RULES:
    bp.add_url_rule(_rule, "page", _page)
    bp.add_url_rule(_rule + "comment-page-<int:cpage>/", "page", _page)


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
