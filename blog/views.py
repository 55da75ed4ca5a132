"""Public pages: the post list and the post with its discussion."""

from flask import abort, current_app, render_template, request

from blog import bp, queries
from blog.permalinks import day_bounds
from blog.threads import build_threads
from extensions import db


@bp.get("/")
def index():
    """Published posts, newest first, a page at a time; anyone may call."""
    page = db.paginate(
        queries.published_posts_query(),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["POSTS_PER_PAGE"],
        error_out=True,
    )
    return render_template("blog/index.html", page=page)


@bp.get("/<int:year>/<int(fixed_digits=2):month>/<int(fixed_digits=2):day>/<slug>/")
def post(year: int, month: int, day: int, slug: str):
    """A published post with its approved comments in thread order; anyone may call."""
    bounds = day_bounds(year, month, day)
    found = bounds and queries.find_published_post(slug, *bounds)
    if not found:
        abort(404)
    threads = build_threads(queries.approved_comments(found.id))
    return render_template("blog/post.html", post=found, threads=threads)

