"""Every /admin route sends anonymous visitors to log in, refuses a reader (but for the screens every
account has) and needs a CSRF token for every state change. What each role may open is
tests/admin/test_roles_walk.py's.

The tests walk the application's URL map, so a route added later without protection fails here.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from werkzeug.routing import AnyConverter, IntegerConverter

from admin import ANY_USER
from app import create_app
from tests.conftest import make_config
from tests.support.factories import make_post
from tests.support.helpers import form_fields, login_as

_MAP_APP = create_app(make_config())
ADMIN_RULES = sorted(
    (rule for rule in _MAP_APP.url_map.iter_rules() if rule.rule.startswith("/admin")),
    key=lambda rule: rule.rule,
)
CASES = [(rule.endpoint, rule.rule, method) for rule in ADMIN_RULES
         for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


def _sample_value(converter):
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, IntegerConverter):
        return 1
    return "x"


def build_url(app, endpoint: str, path: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)
    values = {name: _sample_value(conv) for name, conv in rule._converters.items()}
    with app.test_request_context():
        return url_for(endpoint, **values)


def public_csrf_token(client) -> str:
    """A valid token for this client's session, read from the public comment form."""
    _, hidden = form_fields(client.get(url_for_post(make_post())))
    return hidden["csrf_token"]


def url_for_post(post) -> str:
    from blog.permalinks import post_url

    return post_url(post)


def test_the_walk_covers_the_admin_area():
    endpoints = {endpoint for endpoint, _, _ in CASES}
    assert {"admin.dashboard", "admin.comments", "admin.comment_action", "admin.comments_bulk",
            "admin.moderation_log", "admin.posts", "admin.discussion_settings",
            "admin.tools_import", "admin.tools_export", "admin.tools_export_download"} <= endpoints
    assert any(method == "POST" for _, _, method in CASES)


@pytest.mark.parametrize(("endpoint", "path", "method"), CASES)
def test_readers_are_kept_out_and_changes_need_a_csrf_token(
        app, reader_user, admin_user, endpoint, path, method):
    url = build_url(app, endpoint, path)
    anonymous = app.test_client()
    data = {"csrf_token": public_csrf_token(anonymous)} if method != "GET" else None
    response = anonymous.open(url, method=method, data=data)
    assert response.status_code == 302, "anonymous visitors must be sent to log in"
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [url if method == "GET" else "/admin/"]

    reader = app.test_client()
    login_as(reader, reader_user)
    data = {"csrf_token": public_csrf_token(reader)} if method != "GET" else None
    if getattr(app.view_functions[endpoint], "required_capability", None) != ANY_USER:
        assert reader.open(url, method=method, data=data).status_code == 403, "readers must get 403"

    if method != "GET":
        admin = app.test_client()
        login_as(admin, admin_user)
        response = admin.open(url, method=method, data={"next": "/admin/"})
        assert response.status_code == 400, "an admin POST without a CSRF token must be refused"
        assert "CSRF" in response.get_data(as_text=True)


@pytest.mark.parametrize(("endpoint", "path"), sorted({(e, p) for e, p, _ in CASES}))
def test_no_admin_route_changes_state_on_get(endpoint, path):
    rule = next(r for r in _MAP_APP.url_map.iter_rules() if r.endpoint == endpoint and r.rule == path)
    if "GET" in rule.methods:
        # GET routes render pages; the state-changing half of a GET+POST route is the POST.
        assert endpoint in {"admin.dashboard", "admin.comments", "admin.moderation_log", "admin.posts",
                            "admin.post_new", "admin.post_edit", "admin.post_delete",
                            "admin.comment_reply", "admin.comment_edit", "admin.commenter", "admin.discussion_settings",
                            "admin.reported_comments", "admin.federation", "admin.mail",
                            "admin.tools_import", "admin.tools_import_job", "admin.tools_export",
                            "admin.tools_export_download",
                            "admin.account", "admin.profile", "admin.profile_email_confirm",
                            "admin.two_factor", "admin.security_settings",
                            "admin.users", "admin.user_new", "admin.user_edit", "admin.user_remove",
                            "admin.menus", "admin.widgets",
                            "admin.pages", "admin.page_new", "admin.page_edit", "admin.page_delete",
                            "admin.categories", "admin.category_edit", "admin.category_delete",
                            "admin.tags", "admin.tag_edit", "admin.tag_delete",
                            "admin.media_library", "admin.media_status", "admin.media_edit", "admin.media_delete",
                            "admin.media_settings", "admin.privacy"}


def test_admin_sees_the_dashboard(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "Dashboard" in response.get_data(as_text=True)
