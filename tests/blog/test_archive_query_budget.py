"""Archive pages run a fixed number of SQL statements, whatever the number of posts."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.models import Post, Term, post_terms
from extensions import db
from tests.blog.test_query_budget import statements_for
from tests.support.factories import make_post

DAY = datetime(2024, 3, 4, 12, tzinfo=UTC)
PATHS = ("/", "/page/2/", "/category/news/", "/category/news/local/", "/tag/paris/", "/2024/", "/2024/03/",
         "/2024/03/04/", "/author/ada/", "/category/news/feed/", "/about/team/")


@pytest.fixture
def reader(app):
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")  # measure the uncached page
    return client


def add_posts(count: int, terms: list[Term], author: User) -> None:
    for n in range(count):  # all on March 4th 2024, for the day archive
        post = make_post(author_id=author.id, published_at=DAY + timedelta(seconds=n))
        db.session.execute(sa.insert(post_terms), [{"post_id": post.id, "term_id": t.id} for t in terms])
    db.session.commit()


def test_archive_pages_cost_the_same_with_more_posts(app, reader):
    news = Term(taxonomy="category", slug="news", name="News")
    db.session.add(news)
    db.session.flush()
    local = Term(taxonomy="category", slug="local", name="Local", parent_id=news.id)
    paris = Term(taxonomy="tag", slug="paris", name="Paris")
    ada = User(display_name="Ada", nicename="ada", role="author")
    db.session.add_all([local, paris, ada])
    db.session.flush()
    about = Post(kind="page", slug="about", title="About", status="published", published_at=DAY)
    db.session.add(about)
    db.session.flush()
    db.session.add(Post(kind="page", slug="team", title="Team", status="published", parent_id=about.id,
                        published_at=about.published_at))
    db.session.commit()
    counts, added = {}, 0
    for size in (12, 40):
        add_posts(size - added, [news, local, paris], ada)
        added = size
        counts[size] = {path: len(statements_for(app, reader, path)) for path in PATHS}
    assert counts[12] == counts[40], counts
    assert max(counts[40].values()) <= 6, counts[40]


def test_a_subcategory_link_costs_no_statement_once_the_categories_are_cached(app, reader):
    news = Term(taxonomy="category", slug="news", name="News")
    db.session.add(news)
    db.session.flush()
    local = Term(taxonomy="category", slug="local", name="Local", parent_id=news.id)
    plain, nested = Term(taxonomy="tag", slug="plain", name="Plain"), Term(taxonomy="tag", slug="nested", name="Nested")
    db.session.add_all([local, plain, nested])
    db.session.commit()
    first, second = make_post(published_at=DAY), make_post(published_at=DAY)
    first.terms.extend([news, plain])
    second.terms.extend([local, nested])
    db.session.commit()
    reader.get("/tag/plain/")  # the first page after a change reads the categories once
    assert len(statements_for(app, reader, "/tag/nested/")) == len(statements_for(app, reader, "/tag/plain/"))
    assert "/category/news/local/" in reader.get("/tag/nested/").get_data(as_text=True)
