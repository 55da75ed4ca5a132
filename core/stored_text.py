"""Sentences the blog stores in English, shown to people in their language.

Some rows keep a sentence the code wrote: why a comment was held, what a moderation step did, what
became of a received mail. The server log, the tests and staff of every language read the same row,
so it is written in English, from a template marked for translation (N_). Shown to a person, the
text is matched against the templates it may have been written from and the one that matches is
translated, with the values it held put back (a value may itself be stored text of another kind).
Text no template matches (an older wording, another server's words) is shown as it is.
"""

import re
from collections.abc import Callable, Iterable

from core.i18n import gettext, ngettext, pgettext

_PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def _pattern(template: str, values: dict) -> re.Pattern:
    """The template as a regular expression: its text as it is, each placeholder a named group (one
    of a few names where its labeller knows them all)."""
    pieces, end = [], 0
    for placeholder in _PLACEHOLDER.finditer(template):
        pieces.append(re.escape(template[end:placeholder.start()]))
        name, kind = placeholder.groups()
        if choices := getattr(values.get(name), "choices", None):
            pieces.append(rf"(?P<{name}>{'|'.join(map(re.escape, choices))})")
        else:
            pieces.append(rf"(?P<{name}>\d+)" if kind == "d" else rf"(?P<{name}>.+?)")
        end = placeholder.end()
    pieces.append(re.escape(template[end:]))
    return re.compile("".join(pieces), re.DOTALL)


Template = str | tuple[str, str]  # a message, or a plural's (singular, plural) counting %(num)d


class StoredText:
    """The templates one kind of stored text is written from; call it with a stored text to get it
    in the current language.

    `values` labels a placeholder's value with another labeller (a reason inside a sentence);
    `separator` is how several such texts are joined in one row ("; " between hold reasons), and
    `joiner` gives the current language's separator, where it has its own (a list's ", ").
    """

    def __init__(self, templates: Iterable[Template], values: dict[str, Callable[[str], str]] | None = None,
                 separator: str | None = None, joiner: Callable[[], str] | None = None):
        forms = ((template, (template,) if isinstance(template, str) else template) for template in templates)
        self.values = values or {}
        self.templates = [(template, _pattern(form, self.values), dict(_PLACEHOLDER.findall(form)))
                          for template, each in forms for form in each]
        self.separator = separator
        self.joiner = joiner or (lambda: separator)

    def __call__(self, text: str | None) -> str:
        if not text:
            return text or ""
        if (labelled := self._one(text)) is not None or not self.separator:
            return text if labelled is None else labelled
        return self.joiner().join(self._joined(text.split(self.separator)))

    def _joined(self, parts: list[str]) -> list[str]:
        """Each stored text of a joined row in turn, the longest run of parts that matches first
        (a text may hold the separator itself)."""
        if not parts:
            return []
        for size in range(len(parts), 0, -1):
            labelled = self._one(self.separator.join(parts[:size]))
            if labelled is not None:
                return [labelled, *self._joined(parts[size:])]
        return [parts[0], *self._joined(parts[1:])]

    def _one(self, text: str) -> str | None:
        for template, pattern, kinds in self.templates:
            if match := pattern.fullmatch(text):
                values = {name: self._value(name, value, kinds[name]) for name, value in match.groupdict().items()}
                if not isinstance(template, str):
                    return ngettext(*template, values.pop("num"), **values)
                return gettext(template, **values) if values else gettext(template)
        return None

    def _value(self, name: str, value: str, kind: str):
        if name in self.values:
            return self.values[name](value)
        return int(value) if kind == "d" else value


class Named:
    """A labeller for a stored name out of a known few (a status, an action); its `choices` are
    the names, which a placeholder it labels then matches alone."""

    def __init__(self, labels: dict):
        self.labels = labels
        self.choices = tuple(labels)

    def __call__(self, value: str | None):
        return str(self.labels[value]) if value in self.labels else value


def listed(labels: dict, separator: str = ", ") -> Callable[[str], str]:
    """A labeller for a stored list of names ("spam, off-topic"), each one's label from `labels`,
    joined as the current language lists things."""

    def label(text: str) -> str:
        return pgettext("list separator", ", ").join(str(labels.get(item, item)) for item in text.split(separator))

    return label
