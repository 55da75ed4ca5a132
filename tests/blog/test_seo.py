"""What search engines and link previews read (blog.seo): head tags, JSON-LD and the sitemap."""

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import render_template_string
from lxml import etree

from auth.models import User
from blog import seo
from blog.models import Post, Term, post_terms
from blog.permalinks import post_url
from extensions import db
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, statements_during

SITE = "http://127.0.0.1:5000"


def head(client, path: str):
    return page_soup(client.get(path)).head


def meta(soup, key: str) -> str | None:
    tag = soup.select_one(f'meta[property="{key}"]') or soup.select_one(f'meta[name="{key}"]')
    return tag["content"] if tag else None


def json_ld(soup) -> list[dict]:
    return [json.loads(s.string) for s in soup.select('script[type="application/ld+json"]')]


def author(name: str = "Ada Writer", nicename: str = "ada") -> User:
    user = User(display_name=name, email=f"{nicename}@example.com", nicename=nicename, role="author")
    db.session.add(user)
    db.session.commit()
    return user


def test_post_page_has_canonical_description_open_graph_twitter_and_blogposting(app, client):
    writer = author()
    post = make_post(title="Networking that works", author_id=writer.id, excerpt="Meet people before you need them.",
                     published_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC))
    make_comment(post)
    tags = head(client, post_url(post))
    url = f"{SITE}{post_url(post)}"
    assert tags.select_one("link[rel=canonical]")["href"] == url
    assert meta(tags, "description") == "Meet people before you need them."
    assert (meta(tags, "og:type"), meta(tags, "og:title"), meta(tags, "og:url")) == ("article", post.title, url)
    assert meta(tags, "og:site_name") == app.config["BLOG_TITLE"]
    assert meta(tags, "article:published_time") == "2024-05-06T07:08:09+00:00"
    assert meta(tags, "article:author") == f"{SITE}/author/ada/"
    assert meta(tags, "twitter:card") == "summary"
    [data] = json_ld(tags)
    assert data["@type"] == "BlogPosting" and data["headline"] == post.title
    assert data["author"] == {"@type": "Person", "name": "Ada Writer", "url": f"{SITE}/author/ada/"}
    assert data["datePublished"] == "2024-05-06T07:08:09+00:00" and data["dateModified"]
    assert data["commentCount"] == 1 and data["url"] == url and data["mainEntityOfPage"]["@id"] == url


def test_description_is_the_text_before_more_else_the_first_words_about_155_characters(app, client):
    teaser = make_post(body="The *teaser* part.\n\n<!--more-->\n\nThe rest, which stays out.")
    long = make_post(body=" ".join(f"word{n}" for n in range(200)))
    assert meta(head(client, post_url(teaser)), "description") == "The teaser part."
    described = meta(head(client, post_url(long)), "description")
    assert described.startswith("word0 word1") and described.endswith("…") and 100 < len(described) <= 155


def test_protected_post_head_tells_nothing_of_its_text(app, client):
    post = make_post(title="Locked", password="secret", body="The secret body.", excerpt="A secret excerpt.")
    html = client.get(post_url(post)).get_data(as_text=True)
    assert "secret" not in html
    assert seo.post_meta(post).description == "" and "description" not in seo.post_meta(post).json_ld[0]


def test_json_ld_cannot_close_its_script_element(app, client):
    post = make_post(title="</script><script>alert(1)</script> & 'quotes'")
    soup = head(client, post_url(post))
    html = client.get(post_url(post)).get_data(as_text=True)
    assert "</script><script>alert(1)" not in html
    assert json_ld(soup)[0]["headline"] == post.title


def test_absolute_urls_come_from_site_url_not_the_host_header(app_factory):
    app = app_factory(SITE_URL="https://blog.example.org", TRUSTED_HOSTS=["blog.example.org", "localhost"])
    with app.app_context(), app.test_request_context():
        post = make_post()
        path = post_url(post)
    client = app.test_client()
    soup = page_soup(client.get(path, headers={"Host": "localhost"}))
    assert soup.select_one("link[rel=canonical]")["href"] == f"https://blog.example.org{path}"
    assert meta(soup, "og:url") == f"https://blog.example.org{path}"


def test_home_page_describes_the_website_and_its_search(app, client):
    client.set_cookie("comment_author", "not-cached")
    tags = head(client, "/")
    assert tags.select_one("link[rel=canonical]")["href"] == f"{SITE}/"
    assert meta(tags, "og:type") == "website"
    website = next(d for d in json_ld(tags) if d["@type"] == "WebSite")
    assert website["url"] == f"{SITE}/"
    assert website["potentialAction"]["target"]["urlTemplate"] == f"{SITE}/?s={{search_term_string}}"


def test_listing_meta_links_the_neighbouring_pages(app):
    built = seo.listing_meta("Category: News", "All the news", "/category/news/page/2/",
                             "/category/news/", "/category/news/page/3/")
    assert built.canonical == f"{SITE}/category/news/page/2/"
    assert (built.prev_url, built.next_url) == (f"{SITE}/category/news/", f"{SITE}/category/news/page/3/")
    assert built.json_ld == ()


def test_paged_listing_renders_prev_and_next_links(app):
    built = seo.listing_meta("Older", "", "/page/2/", "/", "/page/3/")
    html = render_template_string('{% include "blog/_seo_head.html" %}', seo=built, blog_title="Blog")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("link[rel=prev]")["href"] == f"{SITE}/"
    assert soup.select_one("link[rel=next]")["href"] == f"{SITE}/page/3/"


def test_page_meta_describes_a_static_page(app):
    page = make_post(kind="page", title="About", slug="about", body="Who writes here.")
    built = seo.page_meta(page)
    assert built.canonical == f"{SITE}/about/" and built.og_type == "article"
    assert built.json_ld[0]["@type"] == "WebPage" and built.description == "Who writes here."


def sitemap_locations(client, path: str = "/sitemap.xml") -> dict[str, str | None]:
    root = etree.fromstring(client.get(path).data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)
            for u in root.findall("s:url", ns)}


def test_sitemap_lists_posts_pages_terms_with_posts_and_authors_with_lastmod(app, client):
    writer = author()
    post = make_post(author_id=writer.id, published_at=datetime(2024, 6, 1, 12, tzinfo=UTC))
    make_post(title="Draft", status="draft", author_id=writer.id)
    make_post(title="Locked", password="x")
    make_post(kind="page", title="About", slug="about")
    make_post(kind="page", title="Hidden", slug="hidden", status="draft")
    news = Term(taxonomy="category", name="News", slug="news", post_count=1)
    empty = Term(taxonomy="tag", name="Empty", slug="empty", post_count=0)
    flask_tag = Term(taxonomy="tag", name="Flask", slug="flask", post_count=1)
    db.session.add_all([news, empty, flask_tag])
    db.session.commit()
    db.session.execute(sa.insert(post_terms), [{"post_id": post.id, "term_id": t.id} for t in (news, flask_tag)])
    db.session.commit()
    found = sitemap_locations(client)
    assert f"{SITE}{post_url(post)}" in found
    assert found[f"{SITE}/about/"]
    assert found[f"{SITE}/category/news/"] == "2024-06-01T12:00:00Z"
    assert found[f"{SITE}/tag/flask/"] == "2024-06-01T12:00:00Z"
    assert found[f"{SITE}/author/ada/"] == "2024-06-01T12:00:00Z"
    assert not [loc for loc in found if "hidden" in loc or "empty" in loc or "draft" in loc or "locked" in loc]


def test_sitemap_runs_the_same_statements_at_many_posts_as_at_few(app, client):
    counts = []
    for size in (2, 40):
        db.session.execute(sa.insert(Post), [
            {"title": f"S{size}-{n}", "slug": f"s{size}-{n}", "body": "x", "status": "published",
             "published_at": datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=n)} for n in range(size)])
        db.session.commit()
        counts.append(len(statements_during(app, lambda: client.get("/sitemap.xml"))))
    assert counts[0] == counts[1], counts


def sitemap_index(client) -> list[str]:
    root = etree.fromstring(client.get("/sitemap.xml").data)
    assert etree.QName(root).localname == "sitemapindex"
    return [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]


def test_a_blog_with_more_posts_than_one_sitemap_holds_gets_an_index_of_monthly_sitemaps(app_factory):
    app = app_factory(SITEMAP_MAX_URLS=3, BLOG_TIMEZONE="America/New_York")
    client = app.test_client()
    with app.app_context():
        dates = [datetime(2024, 3, 1, 3, tzinfo=UTC), datetime(2024, 2, 10, tzinfo=UTC),
                 datetime(2024, 2, 11, tzinfo=UTC), datetime(2023, 12, 24, tzinfo=UTC)]
        posts = [make_post(published_at=moment) for moment in dates]
        make_post(kind="page", title="About", slug="about")
        with app.test_request_context():
            addresses = {post.id: f"{SITE}{post_url(post)}" for post in posts}
    assert sitemap_index(client) == [f"{SITE}/sitemap-site.xml", f"{SITE}/sitemap-posts-2024-02.xml",
                                     f"{SITE}/sitemap-posts-2023-12.xml"]
    february = sitemap_locations(client, "/sitemap-posts-2024-02.xml")  # March 1, 03:00 UTC is February there
    assert set(february) == {addresses[posts[0].id], addresses[posts[1].id], addresses[posts[2].id]}
    site = sitemap_locations(client, "/sitemap-site.xml")
    assert f"{SITE}/" in site and f"{SITE}/about/" in site
    assert client.get("/sitemap-posts-2024-13.xml").status_code == 404
    assert sitemap_locations(client, "/sitemap-posts-2020-01.xml") == {}


def test_monthly_sitemaps_run_the_same_statements_at_many_posts_as_at_few(app_factory):
    app = app_factory(SITEMAP_MAX_URLS=1)
    client = app.test_client()
    counts = []
    with app.app_context():
        for size in (2, 40):
            db.session.execute(sa.insert(Post), [
                {"title": f"M{size}-{n}", "slug": f"m{size}-{n}", "body": "x", "status": "published",
                 "published_at": datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=n)} for n in range(size)])
            db.session.commit()
            counts.append([len(statements_during(app, lambda path=path: client.get(path)))
                           for path in ("/sitemap.xml", "/sitemap-posts-2024-01.xml", "/sitemap-site.xml")])
    assert counts[0] == counts[1], counts
