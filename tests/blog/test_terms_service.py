"""Categories and tags (blog.terms): slugs, the default category, a post's terms, counts, merging,
deleting with the posts kept, and slugs refused where another route answers."""

import pytest
import sqlalchemy as sa

from blog.models import MenuItem, Post, Term, post_terms
from blog.term_addresses import page_slug_refusal
from blog.terms import (
    TermRefused,
    categories_in_order,
    create_term,
    default_category,
    delete_term,
    make_slug,
    merge_terms,
    recount,
    route_taken,
    set_post_terms,
    split_tag_names,
    update_term,
)
from extensions import db
from tests.support.factories import make_post


def terms_of(post: Post) -> list[str]:
    db.session.expire_all()
    return sorted(f"{t.taxonomy}:{t.slug}" for t in db.session.get(Post, post.id).terms)


def count_of(term: Term) -> int:
    db.session.expire_all()
    return db.session.get(Term, term.id).post_count


@pytest.mark.parametrize(("name", "slug"), [
    ("Career Advice", "career-advice"),
    ("Café Crème", "cafe-creme"),  # accents off Latin letters, as WordPress's remove_accents
    ("Straße & Łódź", "strasse-lodz"),
    ("Новости дня", "новости-дня"),  # other scripts kept, as WordPress keeps them
    ("  It's   a test!  ", "it-s-a-test"),
])
def test_slugs_are_made_from_names_as_wordpress_makes_them(name, slug):
    assert make_slug(name) == slug


def test_a_second_term_with_the_same_slug_gets_a_number(app):
    first = create_term("category", "News")
    second = create_term("category", "News", parent_id=first.id)  # same name under another parent is allowed
    tag = create_term("tag", "News")
    assert (first.slug, second.slug, tag.slug) == ("news", "news-2", "news")  # unique within the taxonomy


def test_names_are_unique_among_siblings_and_slugs_within_the_taxonomy(app):
    create_term("category", "News", slug="headlines")
    with pytest.raises(TermRefused, match="already exists with this parent"):
        create_term("category", "news")
    with pytest.raises(TermRefused, match="already in use"):
        create_term("category", "Other", slug="Headlines")
    with pytest.raises(TermRefused, match="name is required"):
        create_term("tag", "   ")


def test_a_category_cannot_become_its_own_ancestor(app):
    top = create_term("category", "Top")
    middle = create_term("category", "Middle", parent_id=top.id)
    bottom = create_term("category", "Bottom", parent_id=middle.id)
    with pytest.raises(TermRefused, match="own parent"):
        update_term(top, "Top", "top", parent_id=bottom.id)
    with pytest.raises(TermRefused, match="own parent"):
        update_term(top, "Top", "top", parent_id=top.id)
    db.session.rollback()
    assert db.session.get(Term, top.id).parent_id is None


def test_categories_list_each_after_its_parent_siblings_by_name(app):
    work = create_term("category", "Work")
    create_term("category", "Interviews", parent_id=work.id)
    create_term("category", "Cover letters", parent_id=work.id)
    create_term("category", "Apple")
    assert [(t.name, depth) for t, depth in categories_in_order()] == [
        ("Apple", 0), ("Work", 0), ("Cover letters", 1), ("Interviews", 1)]


def test_default_category_is_uncategorized_made_once_and_kept_when_renamed(app):
    default = default_category()
    db.session.commit()
    assert (default.name, default.slug) == ("Uncategorized", "uncategorized")
    assert default_category().id == default.id
    update_term(default, "General", "general")
    assert default_category().id == default.id
    with pytest.raises(TermRefused, match="default category cannot be deleted"):
        delete_term(default)


def test_a_post_without_category_gets_the_default_one_and_tags_are_made_from_text(app):
    post = make_post()
    set_post_terms(post, [], " interviews, Cover Letters,interviews ,, cover letters ")
    db.session.commit()
    assert terms_of(post) == ["category:uncategorized", "tag:cover-letters", "tag:interviews"]
    other = make_post()
    set_post_terms(other, [], "Interviews")  # the same tag, found by name whatever its case
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Term).where(Term.taxonomy == "tag")) == 2


def test_tag_names_split_on_every_kind_of_comma():
    assert split_tag_names("one، two、three，four, One") == ["one", "two", "three", "four"]


def test_counts_follow_published_posts_only(app):
    news = create_term("category", "News")
    published, draft = make_post(), make_post(status="draft")
    page = make_post(kind="page")
    set_post_terms(published, [news.id], "")
    set_post_terms(draft, [news.id], "")
    set_post_terms(page, [news.id], "")  # pages have no terms
    db.session.commit()
    assert count_of(news) == 1 and terms_of(page) == []
    post = db.session.get(Post, draft.id)
    post.status = "published"
    db.session.flush()
    recount([news.id])
    db.session.commit()
    assert count_of(news) == 2
    set_post_terms(db.session.get(Post, published.id), [], "")
    db.session.commit()
    assert count_of(news) == 1 and count_of(default_category()) == 1


def test_merging_moves_posts_children_and_menu_entries_then_deletes_the_source(app):
    old, new = create_term("category", "Jobs"), create_term("category", "Careers")
    child = create_term("category", "Remote", parent_id=old.id)
    both, only_old = make_post(), make_post()
    set_post_terms(both, [old.id, new.id], "")
    set_post_terms(only_old, [old.id], "")
    db.session.add(MenuItem(kind="category", object_id=old.id))
    db.session.commit()
    assert merge_terms(old, new) == 2
    assert terms_of(both) == ["category:careers"] and terms_of(only_old) == ["category:careers"]
    assert db.session.get(Term, old.id) is None and count_of(new) == 2
    assert db.session.get(Term, child.id).parent_id == new.id
    assert db.session.scalar(sa.select(MenuItem.object_id)) == new.id


def test_merging_into_a_subcategory_lifts_it_to_the_sources_place(app):
    top = create_term("category", "Top")
    parent = create_term("category", "Parent", parent_id=top.id)
    child = create_term("category", "Child", parent_id=parent.id)
    merge_terms(parent, child)
    assert db.session.get(Term, child.id).parent_id == top.id


def test_deleting_keeps_the_posts_and_gives_the_bare_ones_the_default_category(app):
    doomed, kept = create_term("category", "Doomed"), create_term("category", "Kept")
    child = create_term("category", "Child", parent_id=doomed.id)
    alone, with_other = make_post(), make_post()
    set_post_terms(alone, [doomed.id], "a tag")
    set_post_terms(with_other, [doomed.id, kept.id], "")
    db.session.commit()
    assert delete_term(doomed) == 2
    assert terms_of(alone) == ["category:uncategorized", "tag:a-tag"]
    assert terms_of(with_other) == ["category:kept"]
    assert db.session.get(Term, child.id).parent_id is None  # moved up to the deleted one's parent
    assert count_of(default_category()) == 1
    tag = db.session.scalar(sa.select(Term).where(Term.taxonomy == "tag"))
    delete_term(tag)
    assert terms_of(alone) == ["category:uncategorized"]


def test_post_terms_copies_of_listing_state_follow_the_post(app):
    news = create_term("category", "News")
    post = make_post(status="draft")
    set_post_terms(post, [news.id], "")
    db.session.commit()
    listed = sa.select(post_terms.c.listed).where(post_terms.c.term_id == news.id)
    assert db.session.scalar(listed) is False
    db.session.get(Post, post.id).status = "published"
    db.session.commit()
    assert db.session.scalar(listed) is True


@pytest.mark.parametrize("slug", ["admin", "login", "feed", "2024", "wp-admin", "comments", "sitemap.xml"])
def test_a_page_slug_another_route_answers_is_refused(app, slug):
    assert page_slug_refusal(slug, slug) is not None


def test_a_subpage_slug_the_parents_comment_pages_would_take_is_refused(app):
    assert page_slug_refusal("comment-page-2", "about/comment-page-2") is not None


def test_a_page_slug_no_route_answers_is_free(app):
    assert page_slug_refusal("about", "about") is None
    assert page_slug_refusal("team", "about/team") is None


def test_route_taken_matches_the_address_against_the_url_map(app):
    assert route_taken("/admin/") and route_taken("/feed/")
    assert not route_taken("/no-such-page-here/")
    assert route_taken("/posts/1/like")  # a POST-only route answers it
    assert route_taken("/comments/7/")


@pytest.mark.parametrize("slug", ["feed", "page"])
def test_a_term_slug_that_is_part_of_the_archive_addresses_is_refused(app, slug):
    with pytest.raises(TermRefused, match="choose another"):
        create_term("category", "Anything", slug=slug)
    with pytest.raises(TermRefused, match="choose another"):
        create_term("tag", "Anything", slug=slug)
