"""Turn stored text into safe HTML: post bodies (Markdown or imported WordPress HTML)."""

import re
from functools import lru_cache

import markdown
import nh3
from markdown.extensions import abbr, attr_list, def_list, fenced_code, footnotes, md_in_html, tables

from blog.html_nesting import limit_nesting
from blog.wp_content import wordpress_html

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
# Markdown Extra's parts, given as objects: given by name ("extra"), Markdown reads the entry points
# of every installed package to find them at the first post rendered, and each worker keeps them.
MARKDOWN_EXTRA = (fenced_code, footnotes, attr_list, def_list, tables, abbr, md_in_html)


@lru_cache(maxsize=128)  # an entry holds a body and its HTML (tens of KB for a long post), in every worker
def render_post_body(body: str, body_format: str = "markdown") -> str:
    """Sanitized HTML for a post body; cached because the same few posts are read over and over."""
    if body_format == "html":
        html = wordpress_html(body)
    else:
        html = markdown.markdown(body, extensions=[part.makeExtension() for part in MARKDOWN_EXTRA])
    return sanitize_post_html(html)


def sanitize_post_html(html: str) -> str:
    return nh3.clean(
        limit_nesting(html),  # nh3's parser slows down with the square of nesting depth
        tags=POST_TAGS,
        attributes=POST_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
    )


# WordPress's allowed tags for comments ($allowedtags), plus the paragraphs we add ourselves.
COMMENT_TAGS = {"a", "abbr", "acronym", "b", "blockquote", "cite", "code", "del", "em", "i", "q",
                "s", "strike", "strong", "p", "br"}
COMMENT_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "acronym": {"title"},
                      "blockquote": {"cite"}, "del": {"datetime"}, "q": {"cite"}}
BARE_URL = re.compile(r"""\b(https?://[^\s<>"']+[^\s<>"'.,;:!?)\]])""", re.IGNORECASE)
TAG = re.compile(r"(<[^<>]*>)")  # not [^>]*: a run of "<" would be rescanned to its end


def _web_urls_only(element: str, attribute: str, value: str) -> str | None:
    """nh3 checks the scheme of href and src but not of cite: keep only http(s) there too."""
    if attribute == "cite" and not value.strip().lower().startswith(("http://", "https://")):
        return None
    return value


@lru_cache(maxsize=2048)  # kept by every worker: bounded to a few busy posts' comments
def render_comment(text: str) -> str:
    """Comment text as WordPress shows it: paragraphs, bare URLs linked, its few tags allowed."""
    html = _linkify(_paragraphs(text))
    return nh3.clean(
        limit_nesting(html),
        tags=COMMENT_TAGS,
        attributes=COMMENT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc",
        attribute_filter=_web_urls_only,
    )


def _paragraphs(text: str) -> str:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    return "".join(f"<p>{block.strip().replace(chr(10), '<br>')}</p>" for block in blocks if block.strip())


def _linkify(html: str) -> str:
    """Link bare URLs in text, leaving tags and the text of existing links alone."""
    parts, inside_link = [], False
    for part in TAG.split(html):
        if part.startswith("<"):
            lowered = part.lower()
            inside_link = lowered.startswith("<a ") or lowered == "<a>" or (
                inside_link and not lowered.startswith("</a"))
        elif not inside_link:
            part = BARE_URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', part)
        parts.append(part)
    return "".join(parts)


_CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")


def web_link(url: str | None) -> str | None:
    """The URL if it is an http(s) address a link may point to, else None (javascript:, data:...).

    Browsers ignore whitespace and control characters inside a scheme, so they are ignored here too.
    """
    if not url:
        return None
    scheme = _CONTROL_AND_SPACE.sub("", url).split(":", 1)[0].lower()
    return url if scheme in ("http", "https") and ":" in url else None
