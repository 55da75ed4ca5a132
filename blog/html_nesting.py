"""Cap how deeply stored HTML nests before nh3 parses it, so that sanitizing stays linear.

nh3's HTML5 parser walks its stack of open elements (and its list of active formatting
elements) for most tags, so a body of 20,000 unclosed <div>s costs time in the square of its
length. Browsers cap nesting for the same reason; here an opening tag past MAX_DEPTH is
dropped, with its end tag, and its text is kept. Real posts stay far below the cap.
"""

import re
from collections import Counter

MAX_DEPTH = 48
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
# HTML5 keeps these "active" until their own end tag and reopens them after a block closes,
# so only their own end tag counts them out.
FORMATTING = {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike",
              "strong", "tt", "u"}


class _Depth:
    """Open elements as this pass counts them: a stack for blocks, a tally for formatting."""

    def __init__(self):
        self.stack: list[str] = []
        self.open = Counter()
        self.formatting = Counter()
        self.dropped = Counter()

    def keep_start(self, name: str) -> bool:
        if name in VOID:
            return True
        if len(self.stack) + self.formatting.total() >= MAX_DEPTH:
            self.dropped[name] += 1
            return False
        if name in FORMATTING:
            self.formatting[name] += 1
        else:
            self.stack.append(name)
            self.open[name] += 1
        return True

    def keep_end(self, name: str) -> bool:
        if self.formatting[name]:
            self.formatting[name] -= 1
        elif self.open[name]:
            while (popped := self.stack.pop()) != name:  # each element is popped once: linear
                self.open[popped] -= 1
            self.open[name] -= 1
        elif self.dropped[name]:
            self.dropped[name] -= 1
            return False
        return True


def limit_nesting(html: str) -> str:
    """The HTML with opening tags beyond MAX_DEPTH (and their end tags) left out."""
    depth, out, position = _Depth(), [], 0
    while (found := TAG.search(html, position)) is not None:
        end = html.find(">", found.end())
        if end == -1:
            break  # no tag can close after here
        closing, name = found.group(1), found.group(2).lower()
        keep = depth.keep_end(name) if closing else depth.keep_start(name)
        out.append(html[position : end + 1] if keep else html[position : found.start()])
        position = end + 1
    out.append(html[position:])
    return "".join(out)
