"""Listings at WordPress's addresses: home, categories, tags, authors and dates, paged, with feeds."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.models import Post, Term, post_terms
from blog.permalinks import post_url
from extensions import db
from tests.support.factories import make_post
from tests.support.helpers import page_soup


def titles(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [a.get_text() for a in page_soup(response).select(".entry-title a")]


def term(taxonomy: str, slug: str, parent: Term | None = None, **fields) -> Term:
    made = Term(taxonomy=taxonomy, slug=slug, name=fields.pop("name", slug.title()), parent_id=parent and parent.id,
                **fields)
    db.session.add(made)
    db.session.commit()
    return made


def tagged(post: Post, *terms: Term) -> Post:
    post.terms.extend(terms)
    db.session.commit()
    return post


@pytest.fixture
def author(app):
    user = User(display_name="Ada Writer", nicename="ada", role="author", email="ada@example.com")
    db.session.add(user)
    db.session.commit()
    return user


def test_category_archive_lists_its_posts_and_its_subcategories_newest_first(client):
    news = term("category", "news")
    local = term("category", "local", parent=news)
    other = term("category", "other")
    old = tagged(make_post(title="Old news"), news)
    new = tagged(make_post(title="Local news"), local)
    tagged(make_post(title="Elsewhere"), other)
    assert titles(client.get("/category/news/")) == [new.title, old.title]
    assert titles(client.get("/category/news/local/")) == [new.title]
    for elsewhere in ("/category/local/", "/category/other/local/"):  # a child lives under its parent's path
        response = client.get(elsewhere)
        assert response.status_code == 301 and response.headers["Location"] == "/category/news/local/"


def test_post_in_a_category_and_its_parent_is_listed_once(client):
    news = term("category", "news")
    local = term("category", "local", parent=news)
    both = tagged(make_post(title="In both"), news, local)
    assert titles(client.get("/category/news/")) == [both.title]


def test_tag_archive_and_its_feed(client):
    paris = term("tag", "paris", name="Paris")
    post = tagged(make_post(title="Croissants"), paris)
    make_post(title="Untagged")
    assert titles(client.get("/tag/paris/")) == [post.title]
    feed = client.get("/tag/paris/feed/")
    assert feed.status_code == 200 and feed.mimetype == "application/rss+xml"
    text = feed.get_data(as_text=True)
    assert "Croissants" in text and "Untagged" not in text and "Tag: Paris" in text


def test_drafts_future_and_private_posts_never_appear_in_archives(client):
    tag = term("tag", "t")
    shown = tagged(make_post(title="Shown"), tag)
    tagged(make_post(title="Draft", status="draft"), tag)
    tagged(make_post(title="Private", status="private"), tag)
    tagged(make_post(title="Future", published_at=datetime.now(UTC) + timedelta(days=3)), tag)
    assert titles(client.get("/tag/t/")) == [shown.title]
    assert titles(client.get("/2024/")) == [shown.title]


def test_unpublishing_a_post_takes_it_out_of_its_terms_archives(client):
    tag = term("tag", "t")
    post = tagged(make_post(title="Going away"), tag)
    assert titles(client.get("/tag/t/")) == [post.title]
    post.status = "draft"
    db.session.commit()
    assert titles(client.get("/tag/t/")) == []


def test_moving_a_post_date_moves_it_in_its_terms_archives(client):
    tag = term("tag", "t")
    first = tagged(make_post(title="First"), tag)
    second = tagged(make_post(title="Second"), tag)
    assert titles(client.get("/tag/t/")) == [second.title, first.title]
    first.published_at = second.published_at + timedelta(hours=1)
    db.session.commit()
    assert titles(client.get("/tag/t/")) == [first.title, second.title]


def test_post_terms_copy_follows_the_post(app):
    tag = term("tag", "t")
    post = tagged(make_post(), tag)
    row = db.session.execute(sa.select(post_terms.c.listed, post_terms.c.published_at)).one()
    assert row.listed and row.published_at == post.published_at
    post.kind = "page"
    db.session.commit()
    assert not db.session.scalar(sa.select(post_terms.c.listed))


def test_date_archives_list_the_period_and_empty_periods_are_404(client):
    march = make_post(title="March", published_at=datetime(2023, 3, 10, 12, tzinfo=UTC))
    april = make_post(title="April", published_at=datetime(2023, 4, 2, 12, tzinfo=UTC))
    make_post(title="Next year", published_at=datetime(2024, 1, 2, 12, tzinfo=UTC))
    assert titles(client.get("/2023/")) == [april.title, march.title]
    assert titles(client.get("/2023/03/")) == [march.title]
    assert titles(client.get("/2023/03/10/")) == [march.title]
    assert "Month: March 2023" in client.get("/2023/03/").get_data(as_text=True)
    for path in ("/2022/", "/2023/05/", "/2023/02/30/", "/2023/13/", "/0000/"):
        assert client.get(path).status_code == 404, path


def test_author_archive_lists_their_posts_and_hides_authors_without_any(client, author):
    mine = make_post(title="Mine", author_id=author.id)
    make_post(title="Someone else's")
    assert titles(client.get("/author/ada/")) == [mine.title]
    assert author_link(client.get("/author/ada/")) == "/author/ada/"
    assert "Ada Writer" in client.get("/author/ada/feed/").get_data(as_text=True)
    mine.status = "draft"
    db.session.commit()
    assert client.get("/author/ada/").status_code == 404
    assert client.get("/author/nobody/").status_code == 404


def author_link(response) -> str:
    return page_soup(response).select_one(".byline a")["href"]


@pytest.mark.parametrize("path", ["/page/0/", "/page/-1/", "/page/99999999999/", "/page/3/", "/tag/t/page/2/",
                                  "/2024/page/5/", "/category/none/", "/tag/none/", "/category/none/feed/"])
def test_bad_page_numbers_and_unknown_terms_are_styled_404s(client, path):
    tagged(make_post(), term("tag", "t"))
    response = client.get(path)
    assert response.status_code == 404
    assert "can’t be found" in response.get_data(as_text=True)


def test_pages_of_a_listing_follow_each_other_and_page_one_has_no_number(app, client):
    per_page = app.config["POSTS_PER_PAGE"]
    tag = term("tag", "t")
    posts = [tagged(make_post(), tag) for _ in range(per_page + 1)]
    first = client.get("/tag/t/")
    assert page_soup(first).select_one("a.next")["href"] == "/tag/t/page/2/"
    second = client.get("/tag/t/page/2/")
    assert titles(second) == [posts[0].title]
    assert page_soup(second).select_one("a.prev")["href"] == "/tag/t/"
    assert client.get("/tag/t/page/1/").status_code in (301, 308)


def test_sticky_posts_come_first_on_the_first_home_page_only(app, client):
    sticky = make_post(title="Pinned", sticky=True)
    newer = [make_post() for _ in range(app.config["POSTS_PER_PAGE"])]
    first = titles(client.get("/"))
    assert first[0] == sticky.title and first[1] == newer[-1].title
    assert "sticky" in page_soup(client.get("/")).select_one("article")["class"]
    assert titles(client.get("/page/2/")) == [sticky.title]  # in its own place after that, as WordPress


def test_more_tag_shows_the_teaser_and_continue_reading_to_the_rest(client):
    post = make_post(body="The teaser part.\n\n<!--more-->\n\nThe secret rest.")
    listing = client.get("/").get_data(as_text=True)
    assert "The teaser part." in listing and "The secret rest." not in listing
    link = page_soup(client.get("/")).select_one("a.more-link")["href"]
    assert link.endswith(f"#more-{post.id}")
    page = page_soup(client.get(link.split("#")[0]))
    assert page.select_one(f"#more-{post.id}") is not None
    assert "The secret rest." in page.get_text()


def test_post_page_says_where_it_is_posted_and_links_its_neighbours(client):
    news = term("category", "news", name="News")
    local = term("category", "local", parent=news, name="Local")
    tag = term("tag", "paris", name="Paris")
    before = make_post(title="Before")
    post = tagged(make_post(title="Middle"), local, tag)
    after = make_post(title="After")
    make_post(title="A draft", status="draft")
    soup = page_soup(client.get(post_url(post)))
    assert soup.select_one(".cat-links a")["href"] == "/category/news/local/"
    assert soup.select_one(".tags-links a")["href"] == "/tag/paris/"
    assert soup.select_one(".nav-previous .post-title").get_text() == before.title
    assert soup.select_one(".nav-next .post-title").get_text() == after.title


def test_home_page_redirects_wordpress_plain_paging(client):
    response = client.get("/?paged=3")
    assert response.status_code == 301 and response.headers["Location"] == "/page/3/"
    assert client.get("/?s=tea&paged=2").headers["Location"] == "/page/2/?s=tea"
    assert client.get("/?paged=0").headers["Location"] == "/"


def test_paged_listings_name_their_canonical_address_and_neighbours_on_site_url(app, client):
    tag = term("tag", "t")
    for _ in range(app.config["POSTS_PER_PAGE"] * 2 + 1):
        tagged(make_post(), tag)
    head = page_soup(client.get("/tag/t/page/2/"))
    site = app.config["SITE_URL"].rstrip("/")
    assert head.select_one("link[rel=canonical]")["href"] == f"{site}/tag/t/page/2/"
    assert head.select_one("link[rel=prev]")["href"] == f"{site}/tag/t/"
    assert head.select_one("link[rel=next]")["href"] == f"{site}/tag/t/page/3/"


def test_feeds_of_listings_whose_names_hold_control_characters_stay_valid_xml(client):
    from lxml import etree

    tagged(make_post(title="Odd"), term("tag", "odd", name="odd\x01name"))
    for path in ("/tag/odd/feed/", "/search/odd%01word/feed/"):
        response = client.get(path)
        assert response.status_code == 200, path
        etree.fromstring(response.get_data())  # parses: nothing XML 1.0 cannot hold
