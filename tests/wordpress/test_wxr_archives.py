"""A WordPress export's categories, tags and pages answer at the addresses WordPress gave them,
worked out from the file itself (read here with lxml, not with the importer's reader)."""

from urllib.parse import urlsplit

import pytest
from lxml import etree

from blog.models import Post, Term
from extensions import db
from tests.support.helpers import page_soup
from tests.support.wxr import import_bytes
from wordpress.wxr.exporter import iter_wxr

WP = "{http://wordpress.org/export/1.2/}"


@pytest.fixture
def site(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    return wxr_app.test_client(), etree.fromstring(sample_bytes)


def published_items(root):
    for item in root.iter("item"):
        if item.findtext(f"{WP}status") == "publish":
            yield item


def category_paths(root) -> dict[str, str]:
    parents = {c.findtext(f"{WP}category_nicename"): c.findtext(f"{WP}category_parent") or None
               for c in root.iter(f"{WP}category")}

    def path(slug):
        return f"{path(parents[slug])}/{slug}" if parents.get(slug) else slug

    return {slug: path(slug) for slug in parents}


def listed_titles(client, path: str) -> set[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return {a.get_text() for a in page_soup(response).select(".entry-title a")}


def test_pages_answer_at_their_wordpress_links(site):
    client, root = site
    pages = [item for item in published_items(root) if item.findtext(f"{WP}post_type") == "page"]
    assert pages
    for item in pages:
        response = client.get(urlsplit(item.findtext("link")).path)
        assert response.status_code == 200, item.findtext("link")
        assert page_soup(response).select_one(".entry-title").get_text() == item.findtext("title")


def test_each_category_and_tag_lists_its_published_posts_at_wordpress_s_address(site):
    client, root = site
    paths = category_paths(root)
    expected: dict[str, set[str]] = {}
    for item in published_items(root):
        if item.findtext(f"{WP}post_type") != "post":
            continue
        for term in item.iter("category"):
            prefix = "/category/" + paths[term.get("nicename")] if term.get("domain") == "category" else (
                "/tag/" + term.get("nicename"))
            expected.setdefault(prefix + "/", set()).add(item.findtext("title"))
    assert any("/" in path for path in paths.values())  # the sample nests a category
    for path, titles in expected.items():
        shown = listed_titles(client, path)
        assert titles <= shown, path  # a parent category also lists its children's posts


def test_post_links_reach_the_post_and_counts_are_wordpress_s(site):
    client, root = site
    for item in published_items(root):
        if item.findtext(f"{WP}post_type") == "post":
            response = client.get(urlsplit(item.findtext("link")).path, follow_redirects=True)
            assert page_soup(response).select_one(".entry-title").get_text() == item.findtext("title")
    counts = {t.slug: t.post_count for t in db.session.query(Term)}
    assert counts["networking"] >= 1 and all(count >= 0 for count in counts.values())


def test_export_keeps_stickiness_page_order_and_lists_each_term_once(wxr_app, site):
    db.session.query(Post).filter(Post.kind == "page").update({"menu_order": 3})
    first_post = db.session.query(Post).filter(Post.kind == "post").first()
    first_post.sticky = True
    db.session.commit()
    text = "".join(iter_wxr())
    assert "<wp:is_sticky>1</wp:is_sticky>" in text and "<wp:menu_order>3</wp:menu_order>" in text
    root = etree.fromstring(text.encode())
    slugs = [c.findtext(f"{WP}category_nicename") for c in root.iter(f"{WP}category")]
    tags = [c.findtext(f"{WP}tag_slug") for c in root.iter(f"{WP}tag")]
    assert len(slugs) == len(set(slugs)) and len(tags) == len(set(tags))
    assert not list(root.iter(f"{WP}term"))  # WordPress 6.1 lists them a second time as wp:term
