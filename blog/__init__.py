from flask import Blueprint

bp = Blueprint("blog", __name__)

from blog import archives, comment_edit_views, draft_views, feeds, like_views, search, views  # noqa: E402,F401  (routes and hooks register on bp)
from blog.media import views as media_views  # noqa: E402,F401
from blog.spam import report_views  # noqa: E402,F401  (readers' reports of comments)


def init_app(app) -> None:
    """The blog's parts that act beyond its routes: the moderation log's server lines, and what the
    blog keeps of a user the Users screen or the CLI removes (auth.accounts.user_removing)."""
    from blog import authors, media, moderation_log, pages, search_index, spam

    moderation_log.init_app(app)
    spam.init_app(app)
    media.init_app(app)
    authors.init_app(app)
    pages.register(app)  # last of the blog's routes: pages take only what no other route answers
    search_index.init_app(app)
