"""The admin's one guard: each view's declared capability, fail-closed when a view declares none."""

from flask_login import AnonymousUserMixin

from admin import ANY_USER, may_open, requires
from admin.menu import MENU, menu_for
from auth.roles import MODERATE_COMMENTS, MODERATOR, SUBSCRIBER
from tests.support.admin import make_user
from tests.support.helpers import login_as


def _probe(app, endpoint: str, view) -> None:
    app.view_functions[endpoint] = view  # a view as a later screen would add it, without a route


def test_a_view_without_a_declaration_is_for_administrators_only(app):
    _probe(app, "admin.probe_undeclared", lambda: "")
    admin = make_user(True, "Ada", "ada@example.com")
    moderator = make_user(False, "Mo", "mo@example.com", role=MODERATOR)
    assert may_open(admin, "admin.probe_undeclared")
    assert not may_open(moderator, "admin.probe_undeclared")


def test_a_declared_capability_lets_its_holders_in(app):
    _probe(app, "admin.probe_moderation", requires(MODERATE_COMMENTS)(lambda: ""))
    _probe(app, "admin.probe_own", requires(ANY_USER)(lambda: ""))
    moderator = make_user(False, "Mo", "mo@example.com", role=MODERATOR)
    reader = make_user(False, "Rae", "rae@example.com", role=SUBSCRIBER)
    assert may_open(moderator, "admin.probe_moderation") and not may_open(reader, "admin.probe_moderation")
    assert may_open(reader, "admin.probe_own")
    assert not may_open(moderator, "admin.no_such_screen")


def test_a_reader_without_admin_access_is_refused_with_403(client):
    reader = make_user(False, "Rae", "rae@example.com")
    login_as(client, reader)
    assert client.get("/admin/").status_code == 403


def test_the_menu_lists_the_registered_screens_each_user_may_open(app):
    admin = make_user(True, "Ada", "ada@example.com")
    reader = make_user(False, "Rae", "rae@example.com", role=SUBSCRIBER)
    shown = [entry.endpoint for entry in menu_for(admin)]
    assert shown == [entry.endpoint for entry in MENU if entry.endpoint in app.view_functions]
    assert "admin.comments" in shown
    assert all(may_open(reader, endpoint) for endpoint in (e.endpoint for e in menu_for(reader)))
    assert "admin.comments" not in [entry.endpoint for entry in menu_for(reader)]


def test_an_anonymous_visitor_may_open_nothing_and_sees_no_menu(app):
    _probe(app, "admin.probe_own", requires(ANY_USER)(lambda: ""))
    visitor = AnonymousUserMixin()
    assert not may_open(visitor, "admin.probe_own") and menu_for(visitor) == []
