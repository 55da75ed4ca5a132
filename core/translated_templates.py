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
    def __init__(self, translations: NullTranslations):
        self.translations = translations

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)  # a placeholder's value may be a message itself
        callee = node.node
        if not isinstance(callee, nodes.Name) or callee.name not in FOLDABLE or node.dyn_args or node.dyn_kwargs:
            return node
        arguments = node.args
        if len(arguments) != FOLDABLE[callee.name] or not all(
                isinstance(argument, nodes.Const) and isinstance(argument.value, str) for argument in arguments):
            return node
        if callee.name == "pgettext":
            text = self.translations.upgettext(arguments[0].value, arguments[1].value)
        else:
            text = self.translations.ugettext(arguments[0].value)
        return _formatted(text, node.kwargs) or node


def _formatted(text: str, placeholders: list[nodes.Keyword]) -> nodes.Expr | None:
    """The message as core.i18n's template gettext renders it (escaped like the template, %-formatted
    with its placeholders); None when it cannot be known at compile time."""
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
