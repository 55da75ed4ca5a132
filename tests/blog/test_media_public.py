"""What readers get of the media library: files at /media/, sized images in posts, featured images
on the post, in listings, in link previews and in feeds, and a content security policy to match."""

import feedparser
import pytest
import sqlalchemy as sa

from blog.media import library
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_post
from tests.support.helpers import page_soup, statements_during
from tests.support.images import photo


@pytest.fixture
def picture(app):
    return library.upload(photo(1600, 1200), "harbour.jpg", None, alt_text="Boats in the harbour at dawn")


def test_a_size_is_served_with_long_cache_headers_and_an_etag(client, picture):
    answer = client.get(picture.url("medium"))
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000"
    again = client.get(picture.url("medium"), headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/media/../config.py", "/media/2026/%2e%2e/secret_key", "/media/..%2fsecret",
                                  "/media/no/such/file.jpg", "/media/.upload-x"])
def test_nothing_outside_the_public_files_is_served(client, picture, path):
    assert client.get(path).status_code == 404


def test_the_original_upload_is_never_served(client, picture):
    assert client.get("/media/" + picture.original_key).status_code == 404


def test_the_database_storage_serves_the_same_files_with_etags(app_factory):
    app = app_factory(MEDIA_STORAGE="database")
    with app.test_request_context():
        media = library.upload(photo(1600, 1200), "harbour.jpg", None)
        client = app.test_client()
        answer = client.get(media.url("large"))
        assert answer.status_code == 200 and answer.headers["ETag"] and answer.content_length == len(answer.data)
        assert answer.data[:2] == b"\xff\xd8"
        assert client.get(media.url("large"), headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304
        assert client.get("/media/" + media.original_key).status_code == 404


def test_library_images_in_a_post_get_sizes_dimensions_and_lazy_loading_after_the_first(client, picture):
    body = f"![First]({picture.url()})\n\nText.\n\n![Second, smaller]({picture.url('medium')})\n\n" \
           "![Elsewhere](/static/img/avatar.svg)"
    post = make_post(body=body)
    images = page_soup(client.get(post_url(post))).select(".entry-content img")
    first, second, other = images
    assert (first["src"], first["width"], first["height"]) == (picture.url("large"), "1024", "768")
    assert "loading" not in first.attrs and first["fetchpriority"] == "high"
    assert f"{picture.url('medium')} 300w" in first["srcset"] and f"{picture.url('full')} 1600w" in first["srcset"]
    assert (second["src"], second["width"], second["loading"]) == (picture.url("medium"), "300", "lazy")
    assert second["alt"] == "Second, smaller"
    assert other.attrs == {"src": "/static/img/avatar.svg", "alt": "Elsewhere"}


def test_the_featured_image_shows_on_the_post_the_home_page_and_in_link_previews(client, picture):
    post = make_post(featured_media_id=picture.id, body="![Inline](" + picture.url() + ")")
    page = page_soup(client.get(post_url(post)))
    featured = page.select_one(".post-thumbnail img")
    assert featured["src"] == picture.url("large") and featured["alt"] == "Boats in the harbour at dawn"
    assert featured["fetchpriority"] == "high"
    assert page.select_one(".entry-content img")["loading"] == "lazy"  # the featured image came first
    assert page.select_one('meta[property="og:image"]')["content"] == "http://127.0.0.1:5000" + picture.url("full")
    assert page.select_one('meta[property="og:image:width"]')["content"] == "1600"
    assert page.select_one('meta[name="twitter:card"]')["content"] == "summary_large_image"
    listed = page_soup(client.get("/")).select_one(f"#post-{post.id} .post-thumbnail img")
    assert (listed["src"], listed["width"], listed["height"]) == (picture.url("thumbnail"), "150", "150")


def test_a_listing_of_posts_with_featured_images_loads_them_in_one_query(app, client):
    pictures = [library.upload(photo(400, 300), f"p{n}.jpg", None) for n in range(4)]
    for picture in pictures:
        make_post(featured_media_id=picture.id)
    client.set_cookie("comment_author", "not-cached")  # measure the uncached page
    client.get("/")  # warm caches
    with_images = statements_during(app, lambda: client.get("/"))
    assert sum("FROM media" in statement for statement, _ in with_images) == 1


def test_the_feed_carries_the_featured_image_and_absolute_image_addresses(client, picture):
    make_post(featured_media_id=picture.id, body=f"Boats at dawn.\n\n![Boats]({picture.url('medium')})")
    feed = feedparser.parse(client.get("/feed/").get_data())
    entry = feed.entries[0]
    assert entry.enclosures[0]["href"] == "http://127.0.0.1:5000" + picture.url("full")
    assert entry.enclosures[0]["type"] == "image/jpeg"
    assert f'src="http://127.0.0.1:5000{picture.url("medium")}"' in entry.content[0].value


def test_a_protected_posts_featured_image_stays_out_of_its_preview_and_feed(client, picture):
    post = make_post(featured_media_id=picture.id, password="secret")
    page = page_soup(client.get(post_url(post)))
    assert page.select_one('meta[property="og:image"]') is None and page.select_one(".post-thumbnail") is None
    assert not feedparser.parse(client.get("/feed/").get_data()).entries[0].get("enclosures")


def test_images_come_from_the_blog_itself_unless_the_owner_lists_other_hosts(client, app):
    post = make_post()
    policy = client.get(post_url(post)).headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy
    save_settings({"image_hosts": "images.example.com\n*.cdn.example.org\nbad host; script-src *"})
    db.session.commit()
    policy = client.get(post_url(post)).headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://images.example.com https://*.cdn.example.org;" in policy
    save_settings({"avatar_source": "gravatar"})
    db.session.commit()
    assert "img-src 'self' data: https:;" in client.get(post_url(post)).headers["Content-Security-Policy"]



def test_the_demo_content_shows_a_featured_picture(client):
    from blog.demo import load_demo_content
    from blog.models import Post

    load_demo_content()
    post = db.session.scalar(sa.select(Post).where(Post.slug == "coffee-chats-beat-mixers"))
    featured = page_soup(client.get(post_url(post))).select_one(".post-thumbnail img")
    assert featured["alt"].startswith("Two steaming mugs") and client.get(featured["src"]).status_code == 200
