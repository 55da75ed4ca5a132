"""The Categories and Tags screens: list in hierarchical order with counts, add, rename, merge,
delete with the posts kept, slugs refused where another route answers, and who may open them."""

import pytest
import sqlalchemy as sa

from auth.roles import AUTHOR, CONTRIBUTOR, EDITOR
from blog.models import Post, Term
from blog.terms import create_term, default_category, set_post_terms
from extensions import db
from tests.support.admin import client_as, csrf_token_from, staff_user
from tests.support.factories import make_post
from tests.support.helpers import page_soup


def add(client, token, url="/admin/categories/", **fields):
    return client.post(url, data={"csrf_token": token, "name": "", "slug": "", "parent": "0", "description": ""}
                       | fields)


def term_named(name: str) -> Term:
    db.session.expire_all()
    return db.session.scalar(sa.select(Term).where(Term.name == name))


def rows(response) -> list[list[str]]:
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in page_soup(response).select("tr.term-row")]


def test_categories_list_hierarchically_with_slug_parent_and_count(admin_client, admin_token):
    work = create_term("category", "Work", description="About work")
    create_term("category", "Interviews", parent_id=work.id)
    set_post_terms(make_post(), [work.id], "")
    set_post_terms(make_post(status="draft"), [work.id], "")
    db.session.commit()
    page = admin_client.get("/admin/categories/")
    titles = [a.get_text() for a in page_soup(page).select("tr.term-row .row-title")]
    assert titles == ["Work", "— Interviews"]
    assert rows(page)[0] == ["About work", "work", "—", "1"]  # the draft is not counted
    assert rows(page)[1] == ["—", "interviews", "Work", "0"]


def test_adding_a_category_under_a_parent(admin_client, admin_token):
    music = create_term("category", "Music")
    response = add(admin_client, admin_token, name="Jazz", parent=str(music.id), description="Swing.")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/categories/"
    jazz = term_named("Jazz")
    assert (jazz.slug, jazz.parent_id, jazz.description) == ("jazz", music.id, "Swing.")
    assert "Category “Jazz” added." in admin_client.get("/admin/categories/").get_data(as_text=True)


@pytest.mark.parametrize("slug", ["feed", "page"])
def test_a_slug_that_collides_with_a_route_is_refused_with_a_message(admin_client, admin_token, slug):
    response = add(admin_client, admin_token, name="Anything", slug=slug)
    assert response.status_code == 400
    assert "please choose another" in page_soup(response).select_one("#slug-error").get_text()
    assert term_named("Anything") is None


def test_a_child_category_whose_address_is_the_parents_feed_is_refused(admin_client, admin_token):
    news = create_term("category", "News")
    response = add(admin_client, admin_token, name="Feed", parent=str(news.id))
    assert response.status_code == 400 and term_named("Feed") is None


def test_bad_input_is_a_message_not_a_crash(admin_client, admin_token):
    assert add(admin_client, admin_token, name="").status_code == 400
    assert add(admin_client, admin_token, name="X", parent="99999999999").status_code == 400
    assert add(admin_client, admin_token, name="X", parent="abc").status_code == 400
    assert add(admin_client, admin_token, name="X" * 201).status_code == 400
    assert add(admin_client, admin_token, name="X", slug="!!!").status_code == 400
    assert admin_client.post("/admin/categories/", data={"name": "No token"}).status_code == 400
    assert admin_client.get("/admin/categories/99999999999/").status_code == 404
    assert db.session.scalars(sa.select(Term)).all() == []


def test_renaming_changes_name_slug_and_parent_and_refuses_a_cycle(admin_client, admin_token):
    top = create_term("category", "Top")
    child = create_term("category", "Child", parent_id=top.id)
    url = f"/admin/categories/{top.id}/"
    page = admin_client.get(url)
    options = [o["value"] for o in page_soup(page).select("#parent option")]
    assert options == ["0"]  # not itself, not its own subcategory
    response = add(admin_client, admin_token, url=url, name="Top", parent=str(child.id))
    assert response.status_code == 400 and term_named("Top").parent_id is None
    assert page_soup(response).select_one("#parent-error") is not None
    response = add(admin_client, admin_token, url=url, name="Renamed", slug="New Slug", description="Now.")
    assert response.status_code == 303
    assert (term_named("Renamed").slug, term_named("Renamed").description) == ("new-slug", "Now.")


def test_tags_are_flat_with_the_most_used_ones_shown(admin_client, admin_token):
    response = add(admin_client, admin_token, url="/admin/tags/", name="Remote work", parent="5")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/tags/"
    tag = term_named("Remote work")
    assert (tag.taxonomy, tag.slug, tag.parent_id) == ("tag", "remote-work", None)
    set_post_terms(make_post(), [], "Remote work")
    db.session.commit()
    page = admin_client.get("/admin/tags/")
    assert page_soup(page).select_one("#parent") is None
    assert [li.get_text() for li in page_soup(page).select(".popular-tags li")] == ["Remote work"]
    assert admin_client.get(f"/admin/categories/{tag.id}/").status_code == 404  # a tag is not a category


def test_tags_are_searched_by_the_start_of_their_name(admin_client):
    for name in ("Remote work", "Remoting", "Work from home", "100%"):
        create_term("tag", name)
    found = page_soup(admin_client.get("/admin/tags/?s=rem")).select("tr.term-row .row-title")
    assert [a.get_text() for a in found] == ["Remote work", "Remoting"]
    found = page_soup(admin_client.get("/admin/tags/?s=%25")).select("tr.term-row .row-title")
    assert found == []  # % is a character, not a wildcard


def test_merging_a_tag_moves_its_posts_and_deletes_it(admin_client, admin_token):
    post = make_post()
    set_post_terms(post, [], "jobs, careers")
    db.session.commit()
    jobs, careers = term_named("jobs"), term_named("careers")
    response = admin_client.post(f"/admin/tags/{jobs.id}/", data={
        "merge-csrf_token": admin_token, "merge-target_name": "nobody's tag", "merge-merge": "Merge"})
    assert response.status_code == 400
    error = page_soup(response).select_one("#merge-target_name-error").get_text()
    assert error == "There is no tag named “nobody's tag”."
    response = admin_client.post(f"/admin/tags/{jobs.id}/", data={
        "merge-csrf_token": admin_token, "merge-target_name": "Careers", "merge-merge": "Merge"})
    assert response.status_code == 303 and response.headers["Location"] == f"/admin/tags/{careers.id}/"
    assert term_named("jobs") is None and term_named("careers").post_count == 1
    notice = page_soup(admin_client.get(response.headers["Location"])).select_one(".notice").get_text()
    assert notice == "“jobs” was merged into “careers” (1 post moved)."


def test_deleting_a_category_keeps_its_posts_under_the_default_one(admin_client, admin_token):
    doomed = create_term("category", "Doomed")
    post = make_post()
    set_post_terms(post, [doomed.id], "")
    db.session.commit()
    confirm = admin_client.get(f"/admin/categories/{doomed.id}/delete")
    assert "its 1 published post" in confirm.get_data(as_text=True)
    response = admin_client.post(f"/admin/categories/{doomed.id}/delete", data={"csrf_token": admin_token})
    assert response.status_code == 303 and term_named("Doomed") is None
    db.session.expire_all()
    assert [t.slug for t in db.session.get(Post, post.id).terms] == ["uncategorized"]


def test_the_default_category_cannot_be_deleted_or_merged(admin_client, admin_token):
    default = default_category()
    other = create_term("category", "Other")
    page = admin_client.get("/admin/categories/")
    assert "— Default" in page_soup(page).select_one(f"#tag-{default.id}").get_text()
    response = admin_client.post(f"/admin/categories/{default.id}/delete", data={"csrf_token": admin_token})
    assert response.status_code == 400 and term_named("Uncategorized") is not None
    admin_client.post(f"/admin/categories/{default.id}/", data={
        "merge-csrf_token": admin_token, "merge-target": str(other.id), "merge-merge": "Merge"})
    assert term_named("Uncategorized") is not None


def test_names_are_escaped(admin_client, admin_token):
    add(admin_client, admin_token, name="<script>alert(1)</script>")
    body = admin_client.get("/admin/categories/").get_data(as_text=True)
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body


@pytest.mark.parametrize(("role", "status"), [(EDITOR, 200), (AUTHOR, 403), (CONTRIBUTOR, 403)])
def test_editors_manage_categories_and_authors_do_not(app, role, status):
    client = client_as(app, staff_user(role))
    assert client.get("/admin/categories/").status_code == status
    assert client.get("/admin/tags/").status_code == status
    token = csrf_token_from(client.get("/admin/"))
    assert add(client, token, name="Mine").status_code == (303 if status == 200 else 403)
