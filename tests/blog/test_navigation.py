"""The main menu (blog.navigation.menu_tree) as readers see it on the blog's pages."""

import time
from datetime import UTC, datetime, timedelta

from blog import menu_editing
from blog.models import MenuItem, Post, Term
from blog.permalinks import post_url
from extensions import db
from tests.support.factories import make_post
from tests.support.helpers import page_soup


def make_page(title: str, slug: str, status: str = "published", parent: Post | None = None, order: int = 0,
              **fields) -> Post:
    page = make_post(kind="page", title=title, slug=slug, status=status, menu_order=order,
                     parent_id=parent.id if parent else None, **fields)
    return page


def make_term(taxonomy: str, name: str, slug: str, parent: Term | None = None, count: int = 0) -> Term:
    term = Term(taxonomy=taxonomy, name=name, slug=slug, parent_id=parent.id if parent else None, post_count=count)
    db.session.add(term)
    db.session.commit()
    return term


def add_item(kind: str, object_id: int | None = None, url: str = "", label: str = "",
             parent: MenuItem | None = None) -> MenuItem:
    item = menu_editing.add_menu_item(kind, object_id, url, label, parent.id if parent else None)
    db.session.commit()
    return item


def menu_links(client, path: str = "/") -> list[tuple[str, str]]:
    """(label, address) of the wide menu's links, in order, children after their parent."""
    soup = page_soup(client.get(path))
    return [(a.get_text(strip=True), a["href"]) for a in soup.select("nav.menu-wide a")]


def test_without_items_the_menu_is_home_and_the_visible_top_level_pages_in_page_order(app, client):
    about = make_page("About", "about", order=2)
    make_page("Contact", "contact", order=1)
    make_page("Team", "team", parent=about)
    make_page("Draft page", "draft-page", status="draft")
    make_page("Later page", "later-page", published_at=datetime.now(UTC) + timedelta(days=2))
    make_post(title="A post")
    assert menu_links(client) == [("Home", "/"), ("Contact", "/contact/"), ("About", "/about/")]


def test_menu_items_show_in_order_with_their_children_and_default_labels(app, client):
    about = make_page("About", "about")
    team = make_page("Team", "team", parent=about)
    news = make_term("category", "News", "news")
    local = make_term("category", "Local", "local", parent=news)
    tag = make_term("tag", "Flask", "flask")
    top = add_item("page", about.id)
    add_item("page", team.id, label="Our team", parent=top)
    add_item("category", local.id)
    add_item("tag", tag.id)
    add_item("custom", url="https://example.org/", label="Elsewhere")
    assert menu_links(client) == [("About", "/about/"), ("Our team", "/about/team/"),
                                  ("Local", "/category/news/local/"), ("Flask", "/tag/flask/"),
                                  ("Elsewhere", "https://example.org/")]
    soup = page_soup(client.get("/"))
    assert soup.select_one("nav.menu-wide li.menu-item-has-children .sub-menu a").get_text() == "Our team"


def test_items_whose_page_is_not_visible_or_whose_term_is_gone_are_left_out(app, client):
    hidden = make_page("Secret", "secret")
    shown = make_page("Shown", "shown")
    term = make_term("category", "Gone", "gone")
    for target in (hidden, shown):
        add_item("page", target.id)
    add_item("category", term.id)
    hidden.status = "draft"
    db.session.delete(term)
    db.session.commit()
    assert menu_links(client) == [("Shown", "/shown/")]


def test_the_current_page_is_marked_for_assistive_technology(app, client):
    about = make_page("About", "about")
    add_item("page", about.id)
    add_item("custom", url="/", label="Home")
    soup = page_soup(client.get("/about/"))
    current = soup.select("nav.menu-wide a[aria-current=page]")
    assert [a.get_text() for a in current] == ["About"]


def test_phones_get_the_menu_in_a_disclosure_that_needs_no_javascript(app, client):
    add_item("custom", url="/", label="Home")
    soup = page_soup(client.get("/"))
    disclosure = soup.select_one("nav.menu-narrow details.menu-toggle")
    assert disclosure.summary.get_text(strip=True) == "Menu"
    assert [a.get_text() for a in disclosure.select("a")] == ["Home"]
    assert soup.select_one("script[src*=nav]") is None


def test_a_menu_change_shows_on_the_next_page_although_the_menu_is_cached(app, client):
    about = make_page("About", "about")
    assert ("About", "/about/") in menu_links(client)
    add_item("custom", url="/feed/", label="Feed")
    assert menu_links(client) == [("Feed", "/feed/")]
    about.title = "About us"
    db.session.commit()
    menu_editing.remove_menu_item(db.session.get(MenuItem, menu_editing.menu_items()[0].id))
    db.session.commit()
    assert ("About us", "/about/") in menu_links(client)


def test_a_scheduled_page_joins_the_cached_menu_when_its_date_comes(app, client):
    """Nothing bumps the content version when a date passes: the cached menu knows when it expires."""
    client.set_cookie("comment_author", "not-cached")  # the whole-page cache is not what is tested here
    due = datetime.now(UTC) + timedelta(seconds=1)
    make_page("Soon", "soon", published_at=due)
    assert ("Soon", "/soon/") not in menu_links(client)
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.05)
    assert ("Soon", "/soon/") in menu_links(client)


def test_menu_links_escape_labels(app, client):
    add_item("custom", url="/", label='<img src=x onerror="alert(1)">')
    html = client.get("/").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_admin_screens_and_feeds_get_no_site_menu(app, admin_client):
    add_item("custom", url="/", label="Home")
    assert page_soup(admin_client.get("/admin/")).select_one("nav.main-navigation") is None
    assert b"main-navigation" not in admin_client.get("/feed/").data


def test_the_post_page_shows_the_menu(app, client):
    add_item("custom", url="/", label="Home")
    assert menu_links(client, post_url(make_post())) == [("Home", "/")]
