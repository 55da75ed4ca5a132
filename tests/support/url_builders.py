"""One compile of each URL rule's builders for the whole test run.

Every test builds its own app, and every app's URL map holds the same rules; Werkzeug compiles two
small Python functions per rule (generated source, then compile()), which is most of what
create_app costs. The functions depend only on the rule's parts and defaults, so the apps of one
run share them. Production builds one app per process and keeps Werkzeug's own Rule.
"""

from werkzeug.routing import Rule

from core.security import SiteURLFlask

_BUILDERS: dict[tuple, object] = {}


class SharedBuilderRule(Rule):
    """A Rule whose compiled URL builders are shared with every equal rule of the run."""

    def _compile_builder(self, append_unknown: bool = True):
        defaults = tuple(sorted((key, repr(value)) for key, value in (self.defaults or {}).items()))
        converters = tuple(sorted((name, type(conv).__name__) for name, conv in self._converters.items()))
        key = (self.rule, tuple(self._trace), defaults, converters, append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = super()._compile_builder(append_unknown)
        return builder


def install() -> None:
    SiteURLFlask.url_rule_class = SharedBuilderRule
