"""WordPress post content as plain HTML: core shortcodes expanded and classic-editor paragraphs.

WordPress stores classic-editor posts without <p> tags and adds them when it shows a post
(wpautop); block-editor posts carry their own <p> tags and <!-- wp:... --> comments, and
WordPress leaves those alone. Shortcodes are expanded for the core ones this blog can show;
a plugin's shortcode stays as the text it is, as WordPress shows it once the plugin is gone.
The result still goes through nh3 (blog.rendering) like every other post body.
"""

import re
from collections import Counter
from collections.abc import Iterator
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

# Every pattern here is matched from a few fixed places and never rescans what it has passed:
# imported bodies are written by strangers, and a lazy ".*?" retried at each of 25,000
# unclosed "<!--" or "[caption]" costs time in the square of the body's length.
TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
# Elements whose text must not change: kept as one token from the tag to its end tag.
RAW_END = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("pre", "script", "style", "textarea")}
BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
BR_AT_END = re.compile(r"<br\s*/?>\Z", re.I)

SHORTCODE_NAMES = "caption|wp_caption|embed|video|audio|gallery|playlist"
SHORTCODE_START = re.compile(rf"\[(\[?)({SHORTCODE_NAMES})\b")
# An attribute name starts only after a character that cannot be part of one, so a long word
# is tried once rather than from each of its letters.
SHORTCODE_ATTR = re.compile(r"""(?<![\w-])([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
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
    out, position, unclosed = [], 0, set()
    while (found := SHORTCODE_START.search(content, position)) is not None:
        bracket = content.find("]", found.end())
        if bracket == -1:
            break  # no shortcode can end after here
        opening, name = found.groups()
        attr_text, end = content[found.end() : bracket], bracket + 1
        if attr_text.endswith("/"):
            attr_text = attr_text[:-1]
        inner = None
        if name not in unclosed:  # remembered, so that a run of openings is not rescanned
            closing = content.find(f"[/{name}]", end)
            if closing == -1:
                unclosed.add(name)
            else:
                inner, end = content[end:closing], closing + len(name) + 3
        closing_bracket = "]" if content.startswith("]", end) else ""
        end += len(closing_bracket)
        out.append(content[position : found.start()])
        if opening and closing_bracket:  # [[caption]] is how WordPress writes a literal [caption]
            out.append(content[found.start() + 1 : end - 1])
        else:
            out.append(opening + _expand(name, attr_text, inner or "") + closing_bracket)
        position = end
    out.append(content[position:])
    return "".join(out)


def _expand(name: str, attr_text: str, inner: str) -> str:
    attrs = _attributes(attr_text)
    if name in ("caption", "wp_caption"):
        return _caption(attrs, inner)
    if name == "embed":
        return _link(inner.strip())
    if name == "video":
        return _media("video", attrs, VIDEO_SOURCES, ("poster", "width", "height"))
    if name == "audio":
        return _media("audio", attrs, AUDIO_SOURCES, ())
    return ""


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
    html = _without_comments(html)  # <!--more--> and friends would become empty paragraphs
    out: list[str] = []
    blocks = _OpenBlocks()
    run: list[str] = []
    position = 0
    for start, end, name, raw in _tokens(html):
        run.append(html[position:start])
        position = end
        text = html[start:end]
        if not raw and name not in BLOCKS:
            run.append(text.replace("\n", " "))  # a newline inside a tag is no line break
            continue
        out.append(_text_run(run, blocks.innermost()))
        out.append(text)  # a block tag, or a <pre>-like element copied as it is
        run = []
        if raw:
            continue
        if text.startswith("</"):
            blocks.close(name)
        elif name not in VOID_BLOCKS and not text.endswith("/>"):
            blocks.open(name)
    run.append(html[position:])
    out.append(_text_run(run, blocks.innermost()))
    return "".join(out).strip()


def _without_comments(html: str) -> str:
    """HTML comments removed; an unclosed one runs to the end, as in a browser."""
    out, position = [], 0
    while (start := html.find("<!--", position)) != -1:
        out.append(html[position:start])
        end = html.find("-->", start + 4)
        if end == -1:
            return "".join(out)
        position = end + 3
    out.append(html[position:])
    return "".join(out)


def _tokens(html: str) -> Iterator[tuple[int, int, str, bool]]:
    """(start, end, lower-case name, raw) of each tag; raw for a whole <pre>-like element.

    A "<" that starts no tag ("if a < b") stays text.
    """
    unclosed: set[str] = set()  # raw elements with no end tag after the last one looked at
    position = 0
    while (found := TAG_START.search(html, position)) is not None:
        end = html.find(">", found.end())
        if end == -1:
            return  # no tag can end after here
        end, name, raw = end + 1, found.group(2).lower(), False
        if not found.group(1) and name in RAW_END and name not in unclosed:
            if html.startswith("_", found.end()):
                name = "_"  # <pre_x> is no <pre>
            elif closing := RAW_END[name].search(html, end):
                end, raw = closing.end(), True
            else:
                unclosed.add(name)
        yield found.start(), end, name, raw
        position = end


class _OpenBlocks:
    """The open block elements, innermost last; closing one also closes those opened inside it."""

    def __init__(self):
        self.stack: list[str] = []
        self.counts: Counter[str] = Counter()

    def innermost(self) -> str | None:
        return self.stack[-1] if self.stack else None

    def open(self, name: str) -> None:
        self.stack.append(name)
        self.counts[name] += 1

    def close(self, name: str) -> None:
        if not self.counts[name]:
            return
        while (popped := self.stack.pop()) != name:  # each element is popped once: linear
            self.counts[popped] -= 1
        self.counts[name] -= 1


def _text_run(parts: list[str], context: str | None) -> str:
    """Text (and inline tags) between two block tags, given paragraphs or line breaks."""
    text = "".join(parts)
    if not text.strip():
        return "\n" if "\n" in text else text
    text = text.strip()
    if context in ALWAYS_PARAGRAPHS or (context in FLOW_BLOCKS and BLANK_LINE.search(text)):
        paragraphs = (p.strip() for p in BLANK_LINE.split(text))
        return "\n" + "\n".join(f"<p>{_line_breaks(p)}</p>" for p in paragraphs if p) + "\n"
    if context in CONTAINER_BLOCKS or context == "option":
        return text
    return _line_breaks(text)


def _line_breaks(text: str) -> str:
    """Each newline becomes <br> (unless a <br> ends the line), without the spaces around it."""
    lines = text.split("\n")
    last = len(lines) - 1
    out = []
    for number, line in enumerate(lines):
        if number:
            line = line.lstrip(" \t")
        if number < last:
            line = line.rstrip(" \t")
            line += "\n" if BR_AT_END.search(line) else "<br>\n"
        out.append(line)
    return "".join(out)
