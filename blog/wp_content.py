"""WordPress post content as plain HTML: core shortcodes expanded and classic-editor paragraphs.

WordPress stores classic-editor posts without <p> tags and adds them when it shows a post
(wpautop); block-editor posts carry their own <p> tags and <!-- wp:... --> comments, and
WordPress leaves those alone. Shortcodes are expanded for the core ones this blog can show;
a plugin's shortcode stays as the text it is, as WordPress shows it once the plugin is gone.
The result still goes through nh3 (blog.rendering) like every other post body.
"""

import re
from html import escape, unescape

BLOCK_EDITOR_MARK = "<!-- wp:"

# Where text gets <p> tags around each blank-line-separated paragraph, even a single one.
ALWAYS_PARAGRAPHS = {None, "blockquote"}
# Block elements that may hold paragraphs: they get them only when the text has a blank line.
FLOW_BLOCKS = {
    "address",
    "article",
    "aside",
    "dd",
    "details",
    "div",
    "fieldset",
    "figure",
    "footer",
    "form",
    "header",
    "hgroup",
    "li",
    "main",
    "nav",
    "section",
    "td",
    "th",
}
# Block elements that hold a line of text: newlines become <br>, never paragraphs.
LINE_BLOCKS = {
    "caption",
    "dt",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "legend",
    "p",
    "summary",
}
# Block elements that only hold other blocks (their loose text is left as it is).
CONTAINER_BLOCKS = {
    "colgroup",
    "dl",
    "map",
    "math",
    "menu",
    "ol",
    "select",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
    "optgroup",
}
VOID_BLOCKS = {"area", "col", "hr"}
BLOCKS = FLOW_BLOCKS | LINE_BLOCKS | CONTAINER_BLOCKS | VOID_BLOCKS | {"blockquote", "option"}

COMMENT = re.compile(r"<!--.*?-->", re.S)
# A whole element whose text must not change (kept as one token), or a single tag. A "<" that
# starts no tag ("if a < b") stays text.
TOKEN = re.compile(
    r"<(pre|script|style|textarea)\b[^>]*>.*?</\1\s*>|</?[a-zA-Z][^>]*>", re.S | re.I
)
TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")
BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
NEWLINE = re.compile(r"(<br\s*/?>)?[ \t]*\n[ \t]*", re.I)

SHORTCODE = re.compile(
    r"\[(\[?)(caption|wp_caption|embed|video|audio|gallery|playlist)\b([^\]]*?)(/?)\]"
    r"(?:(.*?)\[/\2\])?(\]?)",
    re.S,
)
SHORTCODE_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
CAPTIONED_IMAGE = re.compile(r"^\s*((?:<a\s[^>]*>\s*)?<img\s[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)
VIDEO_SOURCES = ("src", "mp4", "m4v", "webm", "ogv", "flv")
AUDIO_SOURCES = ("src", "mp3", "ogg", "oga", "wav", "m4a", "flac")


def wordpress_html(content: str) -> str:
    """A WordPress post body as WordPress would show it, before sanitizing."""
    content = content.replace("\r\n", "\n").replace("\r", "\n")
    content = expand_shortcodes(content)
    if BLOCK_EDITOR_MARK in content:
        return content  # block-editor markup has its <p> tags; nh3 drops the block comments
    return autop(content)


# -- shortcodes ------------------------------------------------------------------------------


def expand_shortcodes(content: str) -> str:
    """[caption] -> <figure>, [embed] -> a link, [video]/[audio] -> players; [gallery] and
    [playlist] (which need WordPress's media library) are removed; [[name]] is the escape."""
    return SHORTCODE.sub(_expand, content)


def _expand(match: re.Match) -> str:
    opening, name, attr_text, _self_closing, inner, closing = match.groups()
    if opening and closing:
        return match.group(0)[1:-1]  # [[caption]] is how WordPress writes a literal [caption]
    attrs = _attributes(attr_text)
    inner = inner or ""
    if name in ("caption", "wp_caption"):
        html = _caption(attrs, inner)
    elif name == "embed":
        html = _link(inner.strip())
    elif name == "video":
        html = _media("video", attrs, VIDEO_SOURCES, ("poster", "width", "height"))
    elif name == "audio":
        html = _media("audio", attrs, AUDIO_SOURCES, ())
    else:
        html = ""
    return opening + html + closing


def _attributes(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): unescape(next(v for v in m.groups()[1:] if v is not None))
        for m in SHORTCODE_ATTR.finditer(text)
    }


def _caption(attrs: dict[str, str], inner: str) -> str:
    found = CAPTIONED_IMAGE.match(inner)
    if not found:
        return inner  # no image: keep what it held, without the shortcode
    image, text = found.group(1), found.group(2).strip()
    if "caption" in attrs:  # the older form: [caption caption="..."]<img>[/caption]
        text = attrs["caption"]
    if not text:
        return image
    return f"<figure>{image}<figcaption>{text}</figcaption></figure>"


def _link(url: str) -> str:
    if not re.match(r"https?://\S+$", url):
        return escape(url)
    return f'<a href="{escape(url)}">{escape(url)}</a>'


def _media(
    tag: str, attrs: dict[str, str], sources: tuple[str, ...], extra: tuple[str, ...]
) -> str:
    src = next((attrs[key] for key in sources if attrs.get(key)), None)
    if src is None:
        return ""
    more = "".join(f' {key}="{escape(attrs[key])}"' for key in extra if attrs.get(key))
    return f'<{tag} controls src="{escape(src)}"{more}></{tag}>'


# -- paragraphs ------------------------------------------------------------------------------


def autop(html: str) -> str:
    """Wrap text in <p> at blank lines and turn single newlines into <br>, as wpautop does.

    Text is wrapped where paragraphs belong (top level, blockquote; a div or li only when it
    has a blank line); headings and other one-line blocks get <br> only; <pre> and the like
    are left alone.
    """
    html = COMMENT.sub("", html)  # <!--more--> and friends would otherwise become empty paragraphs
    out: list[str] = []
    stack: list[str] = []
    run: list[str] = []
    position = 0
    for token in TOKEN.finditer(html):
        run.append(html[position : token.start()])
        position = token.end()
        text = token.group(0)
        if token.group(1):  # a <pre>-like element: a block, copied as it is
            out.append(_text_run(run, stack))
            out.append(text)
            run = []
            continue
        name = TAG_NAME.match(text).group(1).lower()
        if name not in BLOCKS:
            run.append(text.replace("\n", " "))  # a newline inside a tag is no line break
            continue
        out.append(_text_run(run, stack))
        run = []
        out.append(text)
        if text.startswith("</"):
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name) :]
        elif name not in VOID_BLOCKS and not text.endswith("/>"):
            stack.append(name)
    run.append(html[position:])
    out.append(_text_run(run, stack))
    return "".join(out).strip()


def _text_run(parts: list[str], stack: list[str]) -> str:
    """Text (and inline tags) between two block tags, given paragraphs or line breaks."""
    text = "".join(parts)
    if not text.strip():
        return "\n" if "\n" in text else text
    context = stack[-1] if stack else None
    text = text.strip()
    if context in ALWAYS_PARAGRAPHS or (context in FLOW_BLOCKS and BLANK_LINE.search(text)):
        paragraphs = (p.strip() for p in BLANK_LINE.split(text))
        return "\n" + "\n".join(f"<p>{_line_breaks(p)}</p>" for p in paragraphs if p) + "\n"
    if context in CONTAINER_BLOCKS or context == "option":
        return text
    return _line_breaks(text)


def _line_breaks(text: str) -> str:
    return NEWLINE.sub(lambda m: f"{m.group(1)}\n" if m.group(1) else "<br>\n", text)
