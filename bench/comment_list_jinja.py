"""Why the comment list is built in Python: the 200-comment list through a Jinja macro against
blog/comment_html.py, same rows, same markup (checked equal before timing).

The Jinja version is what a template would naturally be: one macro per comment that calls itself
for the replies, with the same helpers a template would have as globals and filters (the sanitized
comment text, the avatar URL, the date, the <li> classes). Prints the median milliseconds of each
way over many renders. Run: .venv/bin/python -m bench.comment_list_jinja
"""

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reader_cost import make_app  # noqa: E402
from blog import comment_html  # noqa: E402

# Each comment as a macro that calls itself for its replies; WordPress's walker markup, as in comment_html.
# Its lines are joined without their breaks: the markup has none.
LIST_TEMPLATE = """
{%- macro comment_item(node, depth) -%}
{%- set c = node.comment -%}{%- set approved = c.status == "approved" -%}
{%- set by_author = c.user_id is not none and c.user_id == post_author_id -%}
{%- set thread = "" -%}
{%- if depth == 1 %}{% set thread = thread_parity[ns.threads % 2] %}{% set ns.threads = ns.threads + 1 %}{% endif -%}
<li id="comment-{{ c.id }}" class="{{ classes(c.comment_type, c.user_id, c.user_name, by_author) }} 
{{ parity[ns.shown % 2] }}
{{- thread }} depth-{{ depth }}{{ " parent" if node.children }}{{ "" if approved else " unapproved" }}">
{%- set ns.shown = ns.shown + 1 -%}
<article id="div-comment-{{ c.id }}" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard">
<img src="{{ avatar(c) }}" alt="" class="avatar avatar-40 photo" width="40" height="40"><b class="fn">
{%- set website = web_link(c.author_url) -%}
{%- if website %}<a href="{{ website }}" class="url" rel="ugc external nofollow">
<bdi>{{ name(c.author_name) }}</bdi></a>
{%- else %}<bdi>{{ name(c.author_name) }}</bdi>{% endif %}</b>
{%- if by_author %} <span class="comment-author-badge">Author</span>{% endif %} <span class="says">says:</span></div>
<div class="comment-metadata"><a href="#comment-{{ c.id }}"><time datetime="{{ c.created_at|stamp }}">
{{- c.created_at|long_date }}</time></a></div>
{%- if not approved %}<em class="comment-awaiting-moderation">Your comment is awaiting moderation.</em>{% endif -%}
</footer><div class="comment-content">{{ c.body|comment_html }}</div>
{%- if not approved and c.like_count or approved and c.like_count -%}
<p class="comment-like-count">{{ c.like_count }} like{{ "s" if c.like_count > 1 }}</p>
{%- endif -%}
{%- if replies_open and approved and depth < max_depth -%}
{%- set reply_to = "Reply to " ~ name(c.author_name) -%}
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="?replytocom={{ c.id }}#respond" data-commentid="
{{- c.id }}" data-postid="{{ c.post_id }}" data-belowelement="div-comment-{{ c.id }}" data-respondelement="respond"
{{- " " }}data-replyto="{{ reply_to }}" aria-label="{{ reply_to }}">Reply</a></div>
{%- endif -%}
{%- if not node.children %}</article></li>
{%- elif depth < max_depth %}</article><ol class="children">
{%- for child in node.children %}{{ comment_item(child, depth + 1) }}{% endfor %}</ol></li>
{%- else %}</article></li>{% for child in node.children %}{{ comment_item(child, depth) }}{% endfor %}
{%- endif -%}
{%- endmacro -%}
{%- set ns = namespace(shown=0, threads=0) -%}
{%- for node in roots %}{{ comment_item(node, 1) }}{% endfor -%}
""".replace("\n", "")


def jinja_environment() -> Environment:
    """The template with the helpers a Jinja version would use, as globals and filters."""
    from html import unescape

    from blog.avatars import comment_avatar_url
    from blog.rendering import render_comment, web_link

    env = Environment(autoescape=True)
    env.filters["comment_html"] = lambda body: Markup(render_comment(body))  # sanitized already
    env.filters["stamp"] = lambda when: f"{when:%Y-%m-%dT%H:%M}Z"
    env.filters["long_date"] = lambda when: (
        f"{comment_html._MONTHS[when.month]} {when.day}, {when.year} at {(when.hour - 1) % 12 + 1}:"
        f"{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}")
    env.globals.update(
        classes=comment_html._kind_classes, web_link=web_link, name=lambda n: unescape(n or "Anonymous"),
        parity=("even", "odd alt"), thread_parity=(" thread-even", " thread-odd thread-alt"),
        avatar=lambda c: comment_avatar_url(c, {"show_avatars": True, "avatar_source": "identicon"},
                                            "/static/img/avatar.svg"))
    return env


def load_rows(app):
    """The 200-comment post's rows, as the post page reads them."""
    from bench import seed
    from blog.comment_pages import load_comment_page
    from blog.settings import get_settings, save_settings
    from extensions import db

    with app.test_request_context():
        db.create_all()
        post = seed.load_wordpress_seed()
        save_settings({"page_comments": False, "avatar_source": "identicon"})
        db.session.commit()
        settings = get_settings()
        return load_comment_page(post, settings, None, []).rows, settings


def median_ms(render, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        render()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory(prefix="comment-list-") as workdir:
        app = make_app(f"sqlite:///{workdir}/bench.sqlite")
        rows, settings = load_rows(app)
    with app.test_request_context():
        from blog.threads import build_threads

        template = jinja_environment().from_string(LIST_TEMPLATE)
        shown_args = (rows, settings, True, "/static/img/avatar.svg")
        python = str(comment_html.render_comment_list(*shown_args))
        context = {"post_author_id": None, "replies_open": True, "max_depth": int(settings["thread_comments_depth"])}
        jinja = template.render(roots=build_threads(list(rows)), **context)
        assert jinja == python, "the Jinja version must write the same markup"
        reader = comment_html.CommentLikes(liked_ids=frozenset(row.id for row in rows[:5]), csrf_token="t" * 91)
        figures = {
            "Jinja macro per comment": median_ms(
                lambda: template.render(roots=build_threads(list(rows)), **context), args.repeat),
            "Python builder, list not memoized": median_ms(
                lambda: Markup("".join(p if p.__class__ is str else p.guest
                                       for p in comment_html._list_parts(rows, _shown(settings), ""))), args.repeat),
            "Python builder, memoized list (guest)": median_ms(
                lambda: comment_html.render_comment_list(*shown_args), args.repeat),
            "memoized list + a reader's Like forms": median_ms(
                lambda: comment_html.render_comment_list(*shown_args, likes=reader), args.repeat),
        }
    print(f"{'200-comment list':40} {'ms':>7}")
    for label, ms in figures.items():
        print(f"{label:40} {ms:7.3f}")
    ratio = figures["Jinja macro per comment"] / figures["Python builder, list not memoized"]
    print(f"Jinja / Python builder (not memoized): {ratio:.1f}x")


def _shown(settings: dict) -> tuple:
    """What the list's memo is keyed on, as render_comment_list computes it."""
    from blog.avatars import identicon_key
    from blog.permalinks import blog_timezone

    zone = blog_timezone()
    return (int(settings["thread_comments_depth"]) if settings["thread_comments"] else comment_html.FLAT,
            settings["show_avatars"], settings["avatar_source"], True, "/static/img/avatar.svg",
            None if zone.key == "UTC" else zone, identicon_key(), None)


if __name__ == "__main__":
    main()
