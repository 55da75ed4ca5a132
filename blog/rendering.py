"""Turn stored text into safe HTML: post bodies (Markdown or imported WordPress HTML)."""

from functools import lru_cache

import markdown
import nh3

POST_TAGS = nh3.ALLOWED_TAGS | {"video", "audio", "source"}
POST_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "a": {"href", "title", "hreflang"},
    "video": {"src", "controls", "width", "height", "poster"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=512)
def render_post_body(body: str, body_format: str = "markdown") -> str:
    """Sanitized HTML for a post body; cached because the same few posts are read over and over."""
    html = body if body_format == "html" else markdown.markdown(body, extensions=["extra"])
    return sanitize_post_html(html)


def sanitize_post_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=POST_TAGS,
        attributes=POST_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )
