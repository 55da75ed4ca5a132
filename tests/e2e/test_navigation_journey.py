"""A reader finds their way by the main menu and the sidebar: on a phone without JavaScript, by keyboard
at a desktop width, through a category and the search widget; axe-core finds nothing at either width."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from blog import menu_editing
from blog.models import Post, Term
from extensions import db
from tests.e2e.actions import log_in_as_owner
from tests.e2e.test_accessibility import assert_no_violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def menu(live_app):
    """Home, About, and Careers with Networking under it (the demo's page and categories)."""
    with live_app.test_request_context():
        about = db.session.scalar(sa.select(Post).where(Post.slug == "about"))
        careers = db.session.scalar(sa.select(Term).where(Term.taxonomy == "category", Term.slug == "careers"))
        networking = db.session.scalar(sa.select(Term).where(Term.taxonomy == "category", Term.slug == "networking"))
        menu_editing.add_menu_item("custom", url="/", label="Home")
        menu_editing.add_menu_item("page", about.id)
        top = menu_editing.add_menu_item("category", careers.id)
        menu_editing.add_menu_item("category", networking.id, parent_id=top.id)
        db.session.commit()
    return live_app


def test_phone_reader_without_javascript_opens_the_menu_and_follows_a_category(menu, browse):
    page = browse(java_script_enabled=False)
    page.set_viewport_size(PHONE)
    page.goto("/")
    narrow = page.locator("nav.menu-narrow")
    expect(page.locator("nav.menu-wide")).to_be_hidden()
    expect(narrow.get_by_role("link", name="About")).to_be_hidden()
    summary = narrow.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")  # a <details> opens from the keyboard, no script involved
    expect(narrow.get_by_role("link", name="About")).to_be_visible()
    expect(narrow.get_by_role("link", name="Networking")).to_be_visible()
    narrow.get_by_role("link", name="Careers").click()
    expect(page).to_have_url(re.compile(r"/category/careers/$"))
    expect(page.locator("h1")).to_contain_text("Careers")
    summary.click()
    expect(narrow.get_by_role("link", name="Careers")).to_have_attribute("aria-current", "page")
    # The sidebar follows the content on a phone.
    content_bottom = page.locator("main#content").bounding_box()
    sidebar_top = page.locator("aside.widget-area").bounding_box()
    assert sidebar_top["y"] >= content_bottom["y"] + content_bottom["height"] - 1


def test_keyboard_reader_reaches_a_sub_menu_item_at_desktop_width(menu, browse):
    page = browse()
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    wide = page.locator("nav.menu-wide")
    networking = wide.get_by_role("link", name="Networking")
    expect(networking).to_be_hidden()
    wide.get_by_role("link", name="Careers").focus()
    expect(networking).to_be_visible()  # the sub-menu opens on focus, not only on hover
    page.keyboard.press("Tab")
    expect(networking).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/category/careers/networking/$"))
    # Beside the content at this width.
    main, aside = page.locator("main#content").bounding_box(), page.locator("aside.widget-area").bounding_box()
    assert aside["x"] > main["x"] + main["width"] - 1 and aside["y"] < main["y"] + main["height"]


def test_reader_searches_from_the_sidebar_widget(menu, browse):
    page = browse(java_script_enabled=False)
    page.set_viewport_size(PHONE)
    page.goto("/about/")
    field = page.locator("aside .widget_search").get_by_role("searchbox", name="Search for:")
    field.fill("coffee")
    field.press("Enter")
    expect(page).to_have_url(re.compile(r"/\?s=coffee$"))
    expect(page.locator("main#content")).to_contain_text("Coffee Chats Beat Mixers")
    page.set_viewport_size(DESKTOP)
    page.locator("aside .widget_recent_entries").get_by_role("link", name="Coffee Chats Beat Mixers").click()
    expect(page.locator("h1.entry-title")).to_have_text("Coffee Chats Beat Mixers")


@pytest.mark.parametrize("path", ["/", "/category/careers/"])
def test_menu_open_and_sidebar_have_no_accessibility_violations(menu, page, axe_script, path):
    """axe-core runs as a script: this page has JavaScript, the menu opened as a reader would."""
    page.set_viewport_size(PHONE)
    page.goto(path)
    page.locator("nav.menu-narrow summary").click()
    expect(page.locator("nav.menu-narrow").get_by_role("link", name="About")).to_be_visible()
    assert_no_violations(page)  # at the desktop width and the phone's


@pytest.mark.parametrize("path", ["/admin/menus/", "/admin/widgets/"])
def test_menus_and_widgets_screens_have_no_accessibility_violations(menu, page, owner, axe_script, path):
    log_in_as_owner(page, owner, path)
    assert_no_violations(page)


def test_owner_moves_a_menu_item_up_without_javascript(menu, browse, owner):
    page = browse(java_script_enabled=False)
    log_in_as_owner(page, owner, "/admin/menus/")
    page.get_by_role("button", name="Move up About").click()
    expect(page.locator(".menu-item-title strong").first).to_have_text("About")
    page.goto("/")
    expect(page.locator("nav.menu-wide a").first).to_have_text("About")
