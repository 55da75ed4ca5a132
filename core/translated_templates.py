"""Templates compiled once per language, their constant messages translated at compile time.

A `{{ _("Leave a Reply") }}` or a `{% trans %}` block without a plural is a call for every page
otherwise: a lookup of the request's language and catalogue, then Markup and %-formatting, about ten
times what the literal text it replaced costs. Each language gets its own overlay of the app's Jinja
environment (its own template cache, everything else shared), whose compiler turns every such call
with literal arguments into the translated literal: an English page renders as it did before it was
translated, and a German one as fast. What cannot be folded (ngettext's count, a message held in a
variable) is still translated when the page renders, by the same globals (core.i18n).

Outside a request (the CLI, an app context of its own) templates render from the app's own
environment, every message translated at render time.
"""

import re

from babel.support import NullTranslations
from flask import Flask, has_request_context
from flask.templating import Environment
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from core.i18n import current_language

# The templates' gettext functions whose message is a literal: the number of literal arguments
# (pgettext's context and message); keyword arguments are the message's placeholders.
FOLDABLE = {"_": 1, "gettext": 1, "pgettext": 2}


class TranslatedEnvironment(Environment):
    """Flask's Jinja environment; in one language's overlay (for_language), constant messages are
    translated by its catalogue as templates compile."""

    translations: NullTranslations | None = None  # the app's own environment folds nothing

    def for_language(self, name: str, translations: NullTranslations) -> "TranslatedEnvironment":
        languages = self.__dict__.setdefault("_languages", {})
        overlay = languages.get(name)
        if overlay is None or overlay.translations is not translations:
            overlay = self.overlay()  # a cache of its own: templates compiled in this language
            overlay.translations = translations
            overlay._languages = {}
            languages[name] = overlay
        return overlay

    def _parse(self, source, name, filename):
        # The one hook between parsing and code generation (Jinja 3's own, unchanged since 2.x).
        tree = super()._parse(source, name, filename)
        if self.translations is None or _rebinds_gettext(tree):
            return tree
        return _MessageFolder(self.translations).visit(tree)


def _rebinds_gettext(tree: nodes.Template) -> bool:
    """Whether the template assigns one of the gettext names (a set, a loop, a macro's argument): its
    calls then mean something else, and it is left to render time."""
    return any(name.name in FOLDABLE and name.ctx in ("store", "param") for name in tree.find_all(nodes.Name))


class _MessageFolder(NodeTransformer):
    """Folds each constant message into what rendering it would give. Where it is printed (`{{ … }}`,
    a `{% trans %}` block) it becomes template text around its placeholders' values, which print
    escaped as any value does; elsewhere (a filter's argument, a `{% set %}`) an expression."""

    def __init__(self, translations: NullTranslations):
        self.translations = translations

    def visit_Output(self, node: nodes.Output) -> nodes.Output:
        printed = []
        for child in node.nodes:
            message = self._message(child)
            pieces = _printed_pieces(*message) if message else None
            if pieces:
                printed += [self.visit(piece) for piece in pieces]
            else:
                printed.append(self.visit(child))
        node.nodes = printed
        return node

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)  # a placeholder's value may be a message itself
        message = self._message(node)
        return (_expression(*message) or node) if message else node

    def _message(self, node: nodes.Node) -> tuple[str, list[nodes.Keyword]] | None:
        """The translated text and placeholders of a gettext call with literal arguments."""
        if not isinstance(node, nodes.Call) or node.dyn_args or node.dyn_kwargs:
            return None
        callee, arguments = node.node, node.args
        if not isinstance(callee, nodes.Name) or callee.name not in FOLDABLE or len(arguments) != FOLDABLE[callee.name]:
            return None
        if not all(isinstance(argument, nodes.Const) and isinstance(argument.value, str) for argument in arguments):
            return None
        if callee.name == "pgettext":
            return self.translations.upgettext(arguments[0].value, arguments[1].value), node.kwargs
        return self.translations.ugettext(arguments[0].value), node.kwargs


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%|%")


def _printed_pieces(text: str, placeholders: list[nodes.Keyword]) -> list[nodes.Node] | None:
    """The printed message as template text and its placeholders' values, when it has only %(name)s
    placeholders, each given and used once (%-formatting otherwise, for the same result and errors)."""
    values = {keyword.key: keyword.value for keyword in placeholders}
    pieces: list[nodes.Node] = []
    literal, used, position = [], set(), 0
    for match in _PLACEHOLDER.finditer(text):
        literal.append(text[position:match.start()])
        position = match.end()
        name = match.group(1)
        if match.group() == "%%":
            literal.append("%")
            continue
        if name is None or name not in values or name in used:
            return None
        used.add(name)
        pieces += [nodes.TemplateData("".join(literal)), values[name]]
        literal = []
    literal.append(text[position:])
    pieces.append(nodes.TemplateData("".join(literal)))
    return [piece for piece in pieces if not isinstance(piece, nodes.TemplateData) or piece.data]


def _expression(text: str, placeholders: list[nodes.Keyword]) -> nodes.Expr | None:
    """The message as core.i18n's template gettext returns it (escaped like the template, %-formatted
    with its placeholders); None when that cannot be known at compile time."""
    literal = nodes.MarkSafeIfAutoescape(nodes.Const(text))
    if placeholders:
        values = nodes.Dict([nodes.Pair(nodes.Const(keyword.key), keyword.value) for keyword in placeholders])
        return nodes.Mod(literal, values)
    if "%" in text:
        try:
            return nodes.MarkSafeIfAutoescape(nodes.Const(text % {}))  # "%%" reads "%"
        except (TypeError, ValueError, KeyError):
            return None
    return literal


class TranslatedTemplatesFlask(Flask):
    """Flask rendering each request's templates from the overlay of its language."""

    jinja_environment = TranslatedEnvironment

    @property
    def jinja_env(self) -> TranslatedEnvironment:
        environment = self.__dict__.get("_jinja_environment")
        if environment is None:
            environment = self.__dict__["_jinja_environment"] = self.create_jinja_environment()
        language = current_language() if has_request_context() else None
        if language is None:
            return environment
        return environment.for_language(language.name, language.translations)
