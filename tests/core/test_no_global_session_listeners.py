"""No module listens on SQLAlchemy's global Session class: each part attaches its listeners to the
app's own session (db.session) in its init_app, where create_app shows them."""

import ast
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, SessionEvents

from extensions import db

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", "__pycache__"}
# Listening on any of these reaches every session of the process, not the app's alone.
GLOBAL_SESSION_CLASSES = {
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session",
    "sqlalchemy.orm.scoped_session", "sqlalchemy.orm.scoping.scoped_session",  # its class means Session
    "flask_sqlalchemy.session.Session",  # shared by every SQLAlchemy() of the process
}
LISTEN_FUNCTIONS = {"listen", "listens_for"}
SESSION_EVENTS = sorted(name for name in vars(SessionEvents) if not name.startswith("_") and name != "dispatch")


def _project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts[:-1]) and not any(
                part.startswith(".") for part in path.relative_to(ROOT).parts):
            yield path


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted name it was imported as."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:  # `import a.b` binds `a`; `import a.b as c` binds `c` to a.b
                bound = alias.name if alias.asname else alias.name.split(".")[0]
                names[alias.asname or bound] = bound
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, imported: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return imported.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, imported)
        return f"{base}.{node.attr}" if base else None
    return None


def global_session_listeners(source: str, filename: str = "<source>") -> list[str]:
    """`file:line` of each listen()/listens_for() whose target is a process-wide Session class."""
    tree = ast.parse(source, filename)
    imported = _imported_names(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        function = (_dotted(node.func, imported) or "").rsplit(".", 1)[-1]
        if function in LISTEN_FUNCTIONS and _dotted(node.args[0], imported) in GLOBAL_SESSION_CLASSES:
            found.append(f"{filename}:{node.lineno}")
    return found


@pytest.mark.parametrize("source", [
    'import sqlalchemy as sa\nfrom sqlalchemy.orm import Session\n'
    '@sa.event.listens_for(Session, "after_commit")\ndef f(s): pass',
    'import sqlalchemy as sa\nsa.event.listen(sa.orm.Session, "after_flush", print)',
    'from sqlalchemy import event, orm\nevent.listen(orm.scoped_session, "after_commit", print)',
    'from sqlalchemy.event import listen\nfrom sqlalchemy.orm.session import Session as S\n'
    'listen(S, "after_commit", print)',
    'import flask_sqlalchemy.session\nimport sqlalchemy\n'
    'sqlalchemy.event.listen(flask_sqlalchemy.session.Session, "after_commit", print)',
])
def test_the_check_finds_a_listener_on_a_global_session_class(source):
    lines = [n for n, line in enumerate(source.splitlines(), 1) if "listen" in line and "import" not in line]
    assert global_session_listeners(source) == [f"<source>:{n}" for n in lines]


def test_the_check_lets_the_apps_own_session_and_engines_through():
    source = ('import sqlalchemy as sa\nfrom extensions import db\nsa.event.listen(db.session, "after_commit", print)\n'
              'sa.event.listen(db.engine, "connect", print)\n')
    assert global_session_listeners(source) == []


def test_no_module_listens_on_a_global_session_class():
    found = [hit for path in _project_modules()
             for hit in global_session_listeners(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert found == []


def test_an_app_leaves_sessions_other_than_its_own_without_listeners(app):
    stranger = Session()  # any session the app did not make: a script's, another library's
    assert {name: list(getattr(stranger.dispatch, name)) for name in SESSION_EVENTS
            if len(getattr(stranger.dispatch, name))} == {}


def test_the_apps_session_carries_the_page_cache_moderation_log_and_akismet_listeners_once(app_factory):
    app_factory()  # many apps share db.session: each listener is still attached once
    with app_factory().app_context():
        session = db.session()
    listeners = {name: sorted(fn.__name__ for fn in getattr(session.dispatch, name)) for name in SESSION_EVENTS
                 if len(getattr(session.dispatch, name))}
    assert listeners == {
        "after_flush": ["bump_version_on_public_change"],
        "after_commit": ["outwait_version_leases", "send_akismet_submissions", "write_moderation_lines"],
        "after_rollback": ["forget_rolled_back_bump"],
        "after_soft_rollback": ["drop_akismet_submissions", "drop_moderation_lines"],
    }
