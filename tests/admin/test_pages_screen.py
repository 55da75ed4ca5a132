"""The Pages screen and the page editor: the page tree, Page Attributes (parent, order), comments
on or off, slugs refused where another route answers, deleting with the subpages kept, and the
Posts screen listing posts only."""

import pytest
import sqlalchemy as sa

from auth.roles import AUTHOR, SUBSCRIBER
from blog.models import Post, Term
from extensions import db
from tests.support.admin import client_as, csrf_token_from, staff_user
from tests.support.factories import make_post
from tests.support.helpers import page_soup


def page_form(token: str, **fields) -> dict:
    return {"csrf_token": token, "title": "About", "slug": "", "body": "Who we are.", "excerpt": "",
            "published_at": "", "visibility": "public", "password": "", "parent": "0", "menu_order": "0",
            "publish": "Publish"} | fields


def page_named(title: str) -> Post | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Post).where(Post.title == title))


def make_page(**fields) -> Post:
    return make_post(kind="page", **fields)


def test_publishing_a_page_with_a_parent_and_order_puts_it_at_its_address(admin_client, admin_token, client):
    about = make_page(title="About", slug="about")
    response = admin_client.post("/admin/pages/new", data=page_form(admin_token, title="Our Team",
                                                                    parent=str(about.id), menu_order="3"))
    team = page_named("Our Team")
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/pages/{team.id}/edit"
    assert (team.kind, team.slug, team.parent_id, team.menu_order, team.status) == (
        "page", "our-team", about.id, 3, "published")
    assert team.comments_open is False  # the box was left unticked
    assert "Page published." in admin_client.get("/admin/pages/").get_data(as_text=True)
    assert client.get("/about/our-team/").status_code == 200
    assert db.session.scalars(sa.select(Term)).all() == []  # pages get no default category


def test_a_new_page_offers_page_attributes_and_no_terms_or_sticky(admin_client):
    page = page_soup(admin_client.get("/admin/pages/new"))
    assert page.select_one("h1").get_text(strip=True) == "Add New Page"
    assert page.select_one("#pageparentdiv #parent") is not None and page.select_one("#menu_order") is not None
    assert page.select_one("#categorydiv") is None and page.select_one("#tags_text") is None
    assert page.select_one("#sticky") is None
    assert not page.select_one("#comments_open").has_attr("checked")


def test_the_pages_screen_lists_pages_as_a_tree_by_order_and_the_posts_screen_posts_only(admin_client):
    about = make_page(title="About", slug="about", menu_order=2)
    make_page(title="Contact", slug="contact", menu_order=1)
    make_page(title="Team", slug="team", parent_id=about.id)
    make_page(title="Draft page", slug="draft-page", status="draft", menu_order=5)
    make_post(title="A post")
    rows = page_soup(admin_client.get("/admin/pages/")).select("tr.page-row")
    assert [r.select_one(".row-title").get_text() for r in rows] == ["Contact", "About", "— Team", "Draft page"]
    assert [r.select_one(".column-status").get_text() for r in rows] == ["Published"] * 3 + ["Draft"]
    listed = page_soup(admin_client.get("/admin/posts")).select("tr.post-row .row-title")
    assert [a.get_text() for a in listed] == ["A post"]
    post = db.session.scalar(sa.select(Post).where(Post.title == "A post"))
    assert admin_client.get(f"/admin/posts/{about.id}/edit").status_code == 404  # a page is no post
    assert admin_client.get(f"/admin/pages/{post.id}/edit").status_code == 404


@pytest.mark.parametrize("slug", ["admin", "feed", "2024", "category", "wp-admin", "search"])
def test_a_page_slug_another_route_answers_is_refused_with_a_message(admin_client, admin_token, slug):
    response = admin_client.post("/admin/pages/new", data=page_form(admin_token, slug=slug))
    assert response.status_code == 400
    assert "please choose another" in page_soup(response).select_one("#slug-error").get_text()
    assert page_named("About") is None


def test_a_title_whose_slug_a_route_would_take_gets_a_number_instead(admin_client, admin_token, client):
    admin_client.post("/admin/pages/new", data=page_form(admin_token, title="Search"))
    admin_client.post("/admin/pages/new", data=page_form(admin_token, title="2024"))
    assert (page_named("Search").slug, page_named("2024").slug) == ("search-2", "2024-2")
    assert client.get("/search-2/").status_code == 200


def test_a_page_cannot_be_put_under_itself_or_its_subpage(admin_client, admin_token):
    about = make_page(title="About", slug="about")
    team = make_page(title="Team", slug="team", parent_id=about.id)
    page = page_soup(admin_client.get(f"/admin/pages/{about.id}/edit"))
    assert [o["value"] for o in page.select("#parent option")] == ["0"]
    response = admin_client.post(f"/admin/pages/{about.id}/edit", data=page_form(
        admin_token, status="published", parent=str(team.id)))
    assert response.status_code == 400 and page_named("About").parent_id is None
    post = make_post()
    response = admin_client.post("/admin/pages/new", data=page_form(admin_token, title="Under a post",
                                                                    parent=str(post.id)))
    assert response.status_code == 400 and page_named("Under a post") is None


def test_bad_page_attributes_are_refused_not_a_crash(admin_client, admin_token):
    for fields in ({"parent": "abc"}, {"parent": "99999999999"}, {"menu_order": "1e30"}, {"menu_order": "x"}):
        assert admin_client.post("/admin/pages/new", data=page_form(admin_token, **fields)).status_code == 400
    assert admin_client.get("/admin/pages/99999999999/edit").status_code == 404
    assert page_named("About") is None


def test_deleting_a_page_moves_its_subpages_up_to_its_parent(admin_client, admin_token):
    top = make_page(title="Top", slug="top")
    middle = make_page(title="Middle", slug="middle", parent_id=top.id)
    bottom = make_page(title="Bottom", slug="bottom", parent_id=middle.id)
    middle_id, bottom_id = middle.id, bottom.id
    response = admin_client.post(f"/admin/pages/{middle_id}/delete", data={"csrf_token": admin_token})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/pages/"
    db.session.expire_all()
    assert db.session.get(Post, middle_id) is None and db.session.get(Post, bottom_id).parent_id == top.id


def test_comments_can_be_allowed_per_page(admin_client, admin_token):
    admin_client.post("/admin/pages/new", data=page_form(admin_token, comments_open="y"))
    assert page_named("About").comments_open is True


def test_an_author_edits_their_own_pages_only(app, admin_client, admin_token):
    author = staff_user(AUTHOR)
    theirs = make_page(title="Theirs", slug="theirs")
    client = client_as(app, author)
    token = csrf_token_from(client.get("/admin/"))
    assert client.post("/admin/pages/new", data=page_form(token, title="Mine")).status_code == 303
    listed = [a.get_text() for a in page_soup(client.get("/admin/pages/")).select(".row-title")]
    assert listed == ["Mine"]
    assert client.get(f"/admin/pages/{theirs.id}/edit").status_code == 403
    reader = client_as(app, staff_user(SUBSCRIBER))
    assert reader.get("/admin/pages/").status_code == 403
