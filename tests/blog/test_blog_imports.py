"""blog is the lower part: it tells notify things through its signals and never imports it."""

import ast
from pathlib import Path

BLOG = Path(__file__).resolve().parents[2] / "blog"


def _imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_no_blog_module_imports_notify():
    modules = sorted(BLOG.rglob("*.py"))
    assert len(modules) > 20  # the walk found the package
    offending = {str(path.relative_to(BLOG)): name for path in modules for name in _imported_modules(path)
                 if name == "notify" or name.startswith("notify.")}
    assert offending == {}
