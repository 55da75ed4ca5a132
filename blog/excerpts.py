"""What a listing shows of a post: the owner's excerpt, the part before WordPress's <!--more-->,
or the first words of its text; and the post's body split at <!--more-->."""

import html

import nh3
from markupsafe import Markup

from blog import protected_posts
from blog.media.responsive import sized_images
from blog.models import Post
from blog.rendering import render_post_body
from core.i18n import gettext as _

EXCERPT_WORDS = 55  # WordPress's excerpt_length
MORE = "<!--more-->"


def split_at_more(body: str) -> tuple[str, str | None]:
    """The body before WordPress's <!--more--> tag and after it (None without one)."""
    teaser, found, rest = body.partition(MORE)
    return (teaser, rest) if found else (body, None)


def excerpt_text(post: Post) -> str:
    """Plain text: the owner's excerpt, else the body's first words (feeds, meta descriptions);
    never a protected post's."""
    if protected_posts.is_protected(post):
        return _(protected_posts.NO_EXCERPT)
    return _excerpt_of(post)


def _excerpt_of(post: Post) -> str:
    if post.excerpt:
        return post.excerpt
    text = html.unescape(nh3.clean(render_post_body(split_at_more(post.body)[0], post.body_format), tags=set()))
    words = text.split()
    return " ".join(words[:EXCERPT_WORDS]) + (" […]" if len(words) > EXCERPT_WORDS else "")


def summary_html(post: Post) -> Markup:
    """A listing's entry: the part before <!--more--> as HTML when the body has one (and no
    excerpt was written), else the excerpt text in a paragraph. Only for a reader who may read
    the post: the listing shows a locked protected post's notice instead."""
    teaser, rest = split_at_more(post.body)
    if rest is not None and not post.excerpt:
        return Markup(sized_images(render_post_body(teaser, post.body_format), first_eager=False))
    return Markup("<p>{}</p>").format(_excerpt_of(post))


def has_more(post: Post) -> bool:
    """Whether the listing shows only part of the post (its link says "Continue reading")."""
    return bool(post.excerpt) or split_at_more(post.body)[1] is not None or len(post.body.split()) > EXCERPT_WORDS
