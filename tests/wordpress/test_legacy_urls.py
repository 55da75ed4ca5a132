"""WordPress's other addresses for a post redirect with 301 to its permalink."""

from datetime import UTC, datetime

import pytest

from tests.support.factories import make_post
from tests.support.wxr import import_bytes

POST_4 = "/2024/03/04/what-do-you-do-when-you-hate-to-network/"


@pytest.fixture
def imported(wxr_app, sample_bytes):
    import_bytes(sample_bytes)
    return wxr_app.test_client()


@pytest.mark.parametrize(
    "url, target",
    [
        ("/?p=4", POST_4),
        ("/?p=6", "/2024/04/18/coffee-chats-beat-mixers/"),
        ("/?page_id=10", "/about/"),
        ("/what-do-you-do-when-you-hate-to-network/", POST_4),
        ("/colophon/", "/about/colophon/"),  # a child page by its own slug, as WordPress guesses it
    ],
)
def test_wordpress_urls_redirect_permanently_to_the_permalink(imported, url, target):
    response = imported.get(url)
    assert response.status_code == 301
    assert response.headers["Location"] == target
    assert imported.get(target).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/?p=7",  # draft
        "/?p=8",  # scheduled for 2030
        "/?p=9",  # private
        "/?p=999",
        "/?p=abc",
        "/?p=99999999999999999999999",  # beyond the database's integers
        "/no-such-post/",
        "/people-to-thank-this-quarter/",  # private
        "/2024/03/06/what-do-you-do-when-you-hate-to-network/",  # two days off: not a zone shift
    ],
)
def test_unknown_or_hidden_posts_are_404_not_redirects(imported, url):
    response = imported.get(url)
    assert response.status_code == 404
    assert "can’t be found" in response.get_data(as_text=True)


def test_home_without_p_is_the_post_list(imported):
    response = imported.get("/")
    assert response.status_code == 200
    assert "What Do You Do When You Hate to Network?" in response.get_data(as_text=True)


def test_permalink_dated_in_wordpress_time_zone_redirects_to_the_date_here(app):
    # 21:05 in New York on May 28 is May 29 in UTC, the zone this app uses.
    make_post(slug="late-evening", published_at=datetime(2024, 5, 29, 1, 5, tzinfo=UTC))
    client = app.test_client()
    response = client.get("/2024/05/28/late-evening/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/2024/05/29/late-evening/"
    assert client.get("/2024/05/29/late-evening/").status_code == 200


def test_p_id_of_a_post_written_here_redirects_to_it_as_its_guid_promises(app):
    with app.test_request_context():
        written_here = make_post(slug="written-here", published_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
        imported = make_post(slug="from-wordpress", wp_id=written_here.id + 1000)
        client = app.test_client()
        assert client.get(f"/?p={written_here.id}").headers["Location"] == "/2024/05/01/written-here/"
        # An imported post answers to its WordPress id only: its own id may be another post's there.
        assert client.get(f"/?p={imported.id}").status_code == 404


def test_imported_pages_answer_at_wordpress_page_addresses(imported):
    about = imported.get("/about/")
    assert about.status_code == 200 and "page-id-" in about.get_data(as_text=True)
    colophon = imported.get("/about/colophon/")
    assert colophon.status_code == 200
    assert imported.get("/colophon/about/").status_code == 404  # the parents must be the page's own
