"""The sidebar's widgets (blog.navigation): what they list, and what they cost per page."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from blog import navigation
from blog.models import Post, Term, post_terms
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, statements_during

ALL_WIDGETS = list(navigation.WIDGETS)


@pytest.fixture
def reader(app):
    """A reader whose pages the whole-page cache does not answer (the sidebar is rendered each time)."""
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")
    return client


def sidebar(client, path: str = "/"):
    return page_soup(client.get(path)).select_one("aside.widget-area")


def widget_texts(client, css: str, path: str = "/") -> list[str]:
    return [" ".join(li.get_text(" ", strip=True).split()) for li in sidebar(client, path).select(f"{css} li")]


def tag(post: Post, *terms: Term) -> None:
    db.session.execute(sa.insert(post_terms), [{"post_id": post.id, "term_id": t.id} for t in terms])
    db.session.commit()


def make_term(taxonomy: str, name: str, count: int, parent: Term | None = None) -> Term:
    term = Term(taxonomy=taxonomy, name=name, slug=name.lower().replace(" ", "-"), post_count=count,
                parent_id=parent.id if parent else None)
    db.session.add(term)
    db.session.commit()
    return term


def test_default_sidebar_is_wordpress_default_widgets_in_order(app, reader):
    make_comment(make_post(title="Only post"), author_name="Ada")
    titles = [h.get_text() for h in sidebar(reader).select(".widget-title")]
    assert titles == ["Recent Posts", "Recent Comments", "Archives"]  # Categories: none has posts yet
    assert sidebar(reader).select_one(".widget_search") is not None


def test_search_widget_is_a_labelled_get_form_to_the_home_page(app, reader):
    form = sidebar(reader).select_one("form.search-form")
    assert form["method"] == "get" and form["action"] == "/" and form["role"] == "search"
    field = form.select_one("input[name=s]")
    assert form.select_one(f"label[for={field['id']}]").get_text() == "Search for:"


def test_recent_posts_are_the_five_newest_visible_posts(app, reader):
    posts = [make_post(title=f"Post {n}") for n in range(7)]
    make_post(title="Draft", status="draft")
    make_post(title="Future", published_at=datetime.now(UTC) + timedelta(days=1))
    make_post(title="A page", kind="page", slug="a-page")
    listed = sidebar(reader).select(".widget_recent_entries a")
    assert [(a.get_text(), a["href"]) for a in listed] == [(p.title, post_url(p)) for p in reversed(posts[2:])]


def test_recent_comments_are_approved_ones_on_visible_unprotected_posts(app, reader):
    shown = make_post(title="Open post")
    protected = make_post(title="Locked", password="secret")
    draft = make_post(title="Draft", status="draft")
    make_comment(shown, author_name="Ada")
    make_comment(shown, author_name="Held", status="pending")
    make_comment(protected, author_name="Inside")
    make_comment(draft, author_name="Early")
    newest = make_comment(shown, author_name="<b>Bo</b>")
    assert widget_texts(reader, ".widget_recent_comments") == ["<b>Bo</b> on Open post", "Ada on Open post"]
    link = sidebar(reader).select_one(".widget_recent_comments a")
    assert link["href"] == f"/comments/{newest.id}/"


def test_categories_show_counts_as_a_tree_and_leave_out_empty_ones(app, reader):
    save_settings({"sidebar_widgets": ["categories"]})
    news = make_term("category", "News", 2)
    make_term("category", "Local", 1, parent=news)
    make_term("category", "Empty", 0)
    parent_only = make_term("category", "Archive", 0)
    make_term("category", "Old", 3, parent=parent_only)
    make_term("tag", "Some tag", 5)
    widget = sidebar(reader).select_one(".widget_categories")
    top = [li.a.get_text() for li in widget.select(":scope > ul > li")]
    assert top == ["Archive", "News"]
    assert [li.get_text(" ", strip=True) for li in widget.select("ul.children li")] == ["Old (3)", "Local (1)"]
    assert widget.select_one("a[href='/category/news/local/']") is not None


def test_archives_list_months_with_their_counts_in_the_blog_time_zone(app_factory):
    app = app_factory(BLOG_TIMEZONE="America/New_York")
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")
    with app.app_context():
        save_settings({"sidebar_widgets": ["archives"]})
        db.session.commit()
        make_post(published_at=datetime(2024, 3, 1, 3, 0, tzinfo=UTC))  # February 29 in New York
        make_post(published_at=datetime(2024, 2, 10, 12, 0, tzinfo=UTC))
        make_post(published_at=datetime(2024, 3, 20, 12, 0, tzinfo=UTC))
        make_post(published_at=datetime(2023, 11, 5, 12, 0, tzinfo=UTC))
        make_post(published_at=datetime(2023, 12, 5, 12, 0, tzinfo=UTC), status="draft")
        with app.test_request_context():
            links = [(a.get_text(), a["href"]) for a in sidebar(client).select(".widget_archive a")]
            texts = widget_texts(client, ".widget_archive")
    assert links == [("March 2024", "/2024/03/"), ("February 2024", "/2024/02/"), ("November 2023", "/2023/11/")]
    assert texts == ["March 2024 (1)", "February 2024 (2)", "November 2023 (1)"]


def test_archives_end_when_a_date_was_stored_in_another_text_form(app, reader):
    """A post written by another tool straight into SQLite ('2024-01-01 00:00:00', no fraction) compares
    below the month's start as this blog writes it; the walk must still end."""
    save_settings({"sidebar_widgets": ["archives"]})
    make_post(published_at=datetime(2024, 2, 10, 12, 0, tzinfo=UTC))
    post = make_post()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("UPDATE posts SET published_at = '2024-01-01 00:00:00' WHERE id = :id"),
                           {"id": post.id})
    else:
        post.published_at = datetime(2024, 1, 1, tzinfo=UTC)
    db.session.commit()
    assert widget_texts(reader, ".widget_archive")[0] == "February 2024 (1)"


def test_tag_cloud_sizes_tags_by_count_in_name_order(app, reader):
    save_settings({"sidebar_widgets": ["tag_cloud"]})
    for name, count in (("python", 10), ("flask", 1), ("jinja", 5), ("unused", 0)):
        make_term("tag", name, count)
    links = sidebar(reader).select(".tagcloud a")
    assert [a.get_text() for a in links] == ["flask", "jinja", "python"]
    levels = [int(next(c for c in a["class"] if c.startswith("tag-size-")).rsplit("-", 1)[1]) for a in links]
    assert levels[0] == 0 and levels[2] == navigation.TAG_CLOUD_LEVELS - 1 and 0 < levels[1] < levels[2]
    assert links[2]["href"] == "/tag/python/"


def test_the_owner_chooses_which_widgets_show_and_in_what_order(app, reader):
    make_post()
    save_settings({"sidebar_widgets": ["archives", "search"]})
    db.session.commit()
    widgets = [w["class"][1] for w in sidebar(reader).select(".widget")]
    assert widgets == ["widget_archive", "widget_search"]
    save_settings({"sidebar_widgets": []})
    db.session.commit()
    assert sidebar(reader) is None


def test_a_new_comment_shows_in_the_cached_widgets_at_once(app, reader):
    post = make_post(title="Commented")
    assert sidebar(reader).select_one(".widget_recent_comments") is None
    make_comment(post, author_name="Cy")
    assert widget_texts(reader, ".widget_recent_comments") == ["Cy on Commented"]


def sidebar_statements(app, client, path: str = "/") -> list[str]:
    seen = statements_during(app, lambda: client.get(path))
    return [statement for statement, _ in seen]


def test_a_cached_sidebar_costs_one_primary_key_read_whatever_the_number_of_posts(app, reader):
    save_settings({"sidebar_widgets": ALL_WIDGETS})
    db.session.commit()
    post = make_post()
    reader.get(post_url(post))  # computes and caches
    statements = sidebar_statements(app, reader, post_url(post))
    assert sum(s.startswith("SELECT site_state.content_version \nFROM") for s in statements) == 1
    computing = ("menu_items", "max(posts.published_at)", "comments.author_name", "min(posts.published_at)")
    assert not [s for s in statements if any(mark in s for mark in computing)]


def test_computing_the_widgets_takes_as_many_statements_at_many_posts_as_at_few(app):
    save_settings({"sidebar_widgets": ALL_WIDGETS})
    db.session.commit()
    counts = []
    for size in (3, 60):
        start = datetime(2024, 1, 1, tzinfo=UTC)
        db.session.execute(sa.insert(Post), [
            {"title": f"Bulk {size}-{n}", "slug": f"bulk-{size}-{n}", "body": "Text", "status": "published",
             "published_at": start + timedelta(hours=n)} for n in range(size)])  # within two months
        db.session.commit()
        with app.app_context(), app.test_request_context():  # a fresh `g`: each run reads the settings
            seen = statements_during(app, navigation.compute_chrome)
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_templates_get_plain_values_not_database_rows(app):
    make_comment(make_post(), author_name="Ada")
    chrome = navigation.compute_chrome()
    for group in (chrome.menu, chrome.recent_posts, chrome.recent_comments, chrome.archives):
        assert all(isinstance(entry, tuple) for entry in group)
