"""Library images cost a post page at most one statement, never one per image: the images' rows
come in one query, kept per content version, and a featured image comes with the post."""

import io

import pytest
from PIL import Image, ImageDraw

from blog.media import library
from blog.permalinks import post_url
from tests.support.factories import make_post
from tests.support.helpers import page_soup, statements_during

IMAGES = 10
PARAGRAPH = "We walked along the river until the fog lifted over the bridge.\n\n"


def jpeg(n: int) -> bytes:
    """A small JPEG of its own for each n (each upload is a different library image)."""
    image = Image.new("RGB", (400, 300), (40 + n * 20, 120, 200 - n * 15))
    ImageDraw.Draw(image).ellipse([n * 10, 20, 200 + n * 10, 220], fill=(250, 200 - n * 10, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@pytest.fixture
def library_images(app):
    made = [library.upload(jpeg(n), f"walk-{n}.jpg", None, alt_text=f"The walk, view {n}") for n in range(IMAGES)]
    assert [m.status for m in made] == ["ready"] * IMAGES
    assert len({m.path for m in made}) == IMAGES
    return made


@pytest.fixture
def reader(app):
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")  # measure the uncached page
    return client


def words_only() -> str:
    return PARAGRAPH * IMAGES


def with_pictures(images) -> str:
    """The same paragraphs with an image after each, as the editor inserts them."""
    return "".join(f"{PARAGRAPH}![{m.alt_text}]({m.url()})\n\n" for m in images)


def first_and_next(app, client, path: str) -> tuple[list, list, object]:
    """The statements of the first request for `path` and of the next one, and the next one's page."""
    pages = []
    first = statements_during(app, lambda: pages.append(client.get(path)))
    again = statements_during(app, lambda: pages.append(client.get(path)))
    assert [page.status_code for page in pages] == [200, 200], path
    return first, again, pages[-1]


def test_post_page_with_ten_library_images_costs_at_most_one_statement_more(app, reader, library_images):
    warm_up, plain, pictured = make_post(body=words_only()), make_post(body=words_only()), \
        make_post(body=with_pictures(library_images))
    assert reader.get(post_url(warm_up)).status_code == 200  # what every post page shares, read once
    plain_first, plain_again, _ = first_and_next(app, reader, post_url(plain))
    first, again, page = first_and_next(app, reader, post_url(pictured))

    assert len(first) <= len(plain_first) + 1, (len(first), len(plain_first))
    assert len(again) <= len(plain_again) + 1, (len(again), len(plain_again))
    assert sum("FROM media" in statement for statement, _ in first) == 1  # all ten images in one statement
    assert sum("FROM media" in statement for statement, _ in again) <= 1
    shown = page_soup(page).select(".entry-content img")
    assert [img["src"] for img in shown] == [m.url() for m in library_images]
    assert [img["alt"] for img in shown] == [m.alt_text for m in library_images]
    for img, media in zip(shown, library_images, strict=True):
        assert (img["width"], img["height"]) == ("400", "300")
        assert media.url("medium") in img["srcset"]
    assert [img.get("loading") for img in shown] == [None] + ["lazy"] * (IMAGES - 1)


def test_a_featured_image_comes_with_the_post_without_a_statement_of_its_own(app, reader, library_images):
    featured = library_images[0]
    warm_up, plain = make_post(body=words_only()), make_post(body=words_only())
    with_featured = make_post(body=words_only(), featured_media_id=featured.id)
    assert reader.get(post_url(warm_up)).status_code == 200
    plain_first, plain_again, _ = first_and_next(app, reader, post_url(plain))
    first, again, page = first_and_next(app, reader, post_url(with_featured))

    assert (len(first), len(again)) == (len(plain_first), len(plain_again))
    shown = page_soup(page).select(f'img[src="{featured.url("large")}"]')
    assert len(shown) == 1 and (shown[0]["width"], shown[0]["height"]) == ("400", "300")
