"""Appearance -> Menus (admin.nav_menu_views): building the main menu with forms alone."""

import pytest

from auth.roles import EDITOR
from blog.models import MenuItem, Term
from extensions import db
from tests.support.admin import client_as, csrf_token_from, staff_user
from tests.support.factories import make_post
from tests.support.helpers import page_soup


@pytest.fixture
def token(admin_client) -> str:
    return csrf_token_from(admin_client.get("/admin/menus/"))


def add(client, token: str, kind: str, **fields):
    data = {"csrf_token": token} | {f"{kind}-{name}": value for name, value in fields.items()}
    return client.post(f"/admin/menus/add/{kind}", data=data)


def items() -> list[tuple[str, str, int | None]]:
    """(kind, label or url, parent's label) of every item, in menu order."""
    from blog.menu_editing import menu_items

    db.session.expire_all()
    rows = menu_items()
    labels = {i.id: i.label for i in rows}
    return [(i.kind, i.label or i.url, labels.get(i.parent_id)) for i in rows]


def public_menu(client) -> list[str]:
    return [a.get_text(strip=True) for a in page_soup(client.get("/")).select("nav.menu-wide a")]


def test_owner_adds_a_page_a_category_and_a_custom_link_and_readers_see_them(app, admin_client, token, client):
    page = make_post(kind="page", title="About", slug="about")
    category = Term(taxonomy="category", name="News", slug="news")
    db.session.add(category)
    db.session.commit()
    screen = page_soup(admin_client.get("/admin/menus/"))
    assert ("About" in [o.get_text() for o in screen.select("#page-object_id option")])
    assert add(admin_client, token, "page", object_id=page.id, label="").status_code == 303
    assert add(admin_client, token, "category", object_id=category.id, label="Latest news").status_code == 303
    assert add(admin_client, token, "custom", url="https://example.org/", label="Elsewhere").status_code == 303
    assert public_menu(client) == ["About", "Latest news", "Elsewhere"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "//evil.example/", "data:text/html,x",
                                 "example.org", " javascript:alert(1)"])
def test_a_custom_link_must_be_http_or_a_path_on_the_blog(app, admin_client, token, url):
    response = add(admin_client, token, "custom", url=url, label="Bad")
    assert response.status_code == 400
    assert "Enter an address starting with" in page_soup(response).select_one(".field-error").get_text()
    assert items() == []


def test_a_custom_link_needs_a_label_and_an_item_needs_an_existing_target(app, admin_client, token):
    assert add(admin_client, token, "custom", url="/about/", label="").status_code == 400
    assert add(admin_client, token, "page", object_id=9999).status_code == 400
    assert add(admin_client, token, "nonsense").status_code == 404
    assert items() == []


def test_owner_reorders_nests_renames_and_removes(app, admin_client, token, client):
    for label in ("One", "Two", "Three"):
        add(admin_client, token, "custom", url=f"/{label.lower()}/", label=label)
    one, two, three = db.session.scalars(db.select(MenuItem).order_by(MenuItem.position)).all()
    admin_client.post(f"/admin/menus/{three.id}/move", data={"csrf_token": token, "direction": "up"})
    assert [label for _, label, _ in items()] == ["One", "Three", "Two"]
    response = admin_client.post(f"/admin/menus/{two.id}/edit", data={
        "csrf_token": token, f"item-{two.id}-label": "Second", f"item-{two.id}-url": "/two/",
        f"item-{two.id}-parent_id": one.id})
    assert response.status_code == 303
    assert items() == [("custom", "One", None), ("custom", "Second", "One"), ("custom", "Three", None)]
    soup = page_soup(client.get("/"))
    assert [a.get_text() for a in soup.select("nav.menu-wide .sub-menu a")] == ["Second"]
    admin_client.post(f"/admin/menus/{one.id}/remove", data={"csrf_token": token})
    assert [(label, parent) for _, label, parent in items()] == [("Second", None), ("Three", None)]


def test_nesting_is_one_level_deep(app, admin_client, token):
    for label in ("Top", "Child", "Other"):
        add(admin_client, token, "custom", url="/", label=label)
    top, child, other = db.session.scalars(db.select(MenuItem).order_by(MenuItem.position)).all()
    edit = {"csrf_token": token, f"item-{child.id}-label": "Child", f"item-{child.id}-url": "/",
            f"item-{child.id}-parent_id": top.id}
    assert admin_client.post(f"/admin/menus/{child.id}/edit", data=edit).status_code == 303
    deeper = {"csrf_token": token, f"item-{other.id}-label": "Other", f"item-{other.id}-url": "/",
              f"item-{other.id}-parent_id": child.id}
    response = admin_client.post(f"/admin/menus/{other.id}/edit", data=deeper)
    assert response.status_code == 400 and "top-level item" in response.get_data(as_text=True)
    parent_of_top = {"csrf_token": token, f"item-{top.id}-label": "Top", f"item-{top.id}-url": "/",
                     f"item-{top.id}-parent_id": other.id}
    assert admin_client.post(f"/admin/menus/{top.id}/edit", data=parent_of_top).status_code == 400


def test_editors_may_not_open_the_menus_screen(app):
    editor = client_as(app, staff_user(EDITOR))
    assert editor.get("/admin/menus/").status_code == 403


def test_menu_forms_refuse_a_missing_csrf_token(app, admin_client, token):
    add(admin_client, token, "custom", url="/", label="Home")
    item = db.session.scalar(db.select(MenuItem))
    assert admin_client.post(f"/admin/menus/{item.id}/remove").status_code == 400
    without_token = {"custom-url": "/", "custom-label": "X"}
    assert admin_client.post("/admin/menus/add/custom", data=without_token).status_code == 400
    assert len(items()) == 1
