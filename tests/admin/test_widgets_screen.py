"""Appearance -> Widgets (admin.widget_views): which widgets the sidebar shows, and in what order."""

from auth.roles import EDITOR
from blog.navigation import WIDGETS
from blog.settings import get_settings
from extensions import db
from tests.support.admin import client_as, csrf_token_from, staff_user
from tests.support.factories import make_post
from tests.support.helpers import page_soup


def form_for(token: str, chosen: dict[str, int]) -> dict:
    """The screen's form: the widgets in `chosen` ticked at their positions, the others unticked."""
    data = {"csrf_token": token}
    for n, key in enumerate(WIDGETS, start=1):
        data[f"{key}-position"] = str(chosen.get(key, n))
        if key in chosen:
            data[f"{key}-shown"] = "y"
    return data


def test_screen_shows_every_core_widget_with_the_current_choice(app, admin_client):
    soup = page_soup(admin_client.get("/admin/widgets/"))
    rows = [row.th.get_text() for row in soup.select(".widgets-table tbody tr")]
    assert rows[:5] == ["Search", "Recent Posts", "Recent Comments", "Archives", "Categories"]
    assert set(rows) == set(WIDGETS.values())
    assert soup.select_one("#search-shown").has_attr("checked")
    assert not soup.select_one("#tag_cloud-shown").has_attr("checked")


def test_owner_chooses_widgets_and_order_and_readers_see_it(app, admin_client, client):
    make_post(title="Shown in the sidebar")
    token = csrf_token_from(admin_client.get("/admin/widgets/"))
    chosen = {"recent_posts": 2, "search": 1, "tag_cloud": 3}
    response = admin_client.post("/admin/widgets/", data=form_for(token, chosen))
    assert response.status_code == 303
    db.session.expire_all()
    assert get_settings()["sidebar_widgets"] == ["search", "recent_posts", "tag_cloud"]
    client.set_cookie("comment_author", "not-cached")
    widgets = [w["class"][1] for w in page_soup(client.get("/")).select("aside .widget")]
    assert widgets == ["widget_search", "widget_recent_entries"]  # no tag has posts: the cloud stays out


def test_a_position_out_of_range_is_refused_with_a_message(app, admin_client):
    token = csrf_token_from(admin_client.get("/admin/widgets/"))
    response = admin_client.post("/admin/widgets/", data=form_for(token, {"search": 99}))
    assert response.status_code == 400
    assert page_soup(response).select_one(".field-error") is not None


def test_editors_may_not_change_the_widgets(app, admin_client):
    token = csrf_token_from(admin_client.get("/admin/widgets/"))
    editor = client_as(app, staff_user(EDITOR))
    assert editor.get("/admin/widgets/").status_code == 403
    assert editor.post("/admin/widgets/", data=form_for(token, {"search": 1})).status_code in (400, 403)
