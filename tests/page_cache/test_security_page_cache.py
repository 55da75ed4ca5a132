"""The page cache stores only pages rendered for nobody in particular, and trusts no Host header."""


from auth.services import save_admin
from blog.permalinks import post_url
from tests.support.factories import make_post
from tests.support.helpers import page_soup
from tests.support.oauth import csrf_token_from

PASSWORD = "correct horse battery"
REMEMBER_COOKIE = "remember_token"  # Flask-Login's name; the blog does not change it


def _remember_token_of_owner(app) -> str:
    """Log the owner in with "remember me" and keep only the cookie a restarted browser still has."""
    save_admin("owner@example.com", PASSWORD)
    browser = app.test_client()
    browser.post("/login", data={"csrf_token": csrf_token_from(browser), "email": "owner@example.com",
                                 "password": PASSWORD, "remember": "y"})
    cookie = browser.get_cookie(REMEMBER_COOKIE)
    assert cookie is not None, "the log-in did not remember the owner"
    return cookie.value


def test_a_page_rendered_for_a_remembered_owner_is_never_served_to_guests(app, post):
    token = _remember_token_of_owner(app)
    restarted = app.test_client()
    restarted.set_cookie(REMEMBER_COOKIE, token)
    owners_page = restarted.get(post_url(post))
    assert "Logged in as" in owners_page.get_data(as_text=True)

    guest_page = app.test_client().get(post_url(post))
    form = page_soup(guest_page).select_one("form#commentform")
    assert "Logged in as" not in guest_page.get_data(as_text=True)
    assert form.select_one("input[name=author]") is not None and form.select_one("input[name=email]") is not None


def test_a_guest_page_is_still_cached_after_a_remembered_owner_visits(app, post):
    token = _remember_token_of_owner(app)
    restarted = app.test_client()
    restarted.set_cookie(REMEMBER_COOKIE, token)
    assert restarted.get(post_url(post)).headers.get("X-Page-Cache") != "hit"
    first, second = app.test_client().get(post_url(post)), app.test_client().get(post_url(post))
    assert (first.headers["X-Page-Cache"], second.headers["X-Page-Cache"]) == ("miss", "hit")


def test_an_unknown_host_is_refused_even_when_the_page_is_cached(app, post):
    assert app.test_client().get(post_url(post)).status_code == 200  # now stored
    response = app.test_client().get(post_url(post), headers={"Host": "evil.example"})
    assert response.status_code == 400 and "X-Page-Cache" not in response.headers
    assert "evil.example" not in response.get_data(as_text=True)


def test_x_forwarded_host_cannot_poison_the_feed_links_of_a_cached_page(app_factory):
    app = app_factory(PROXY_FIX_HOPS=1)
    with app.app_context():
        url = post_url(make_post())
        poisoner = app.test_client().get(url, headers={"X-Forwarded-Host": "evil.example",
                                                       "X-Forwarded-For": "198.51.100.9"})
        assert poisoner.status_code == 200
        for response in (poisoner, app.test_client().get(url)):
            links = [link["href"] for link in page_soup(response).select("link[href^=http]")]
            assert links and all(link.startswith(app.config["SITE_URL"]) for link in links), links


def test_absolute_urls_come_from_site_url_whatever_the_host(app_factory):
    app = app_factory(SITE_URL="https://blog.example.org", TRUSTED_HOSTS=["blog.example.org", "localhost"])
    with app.app_context():
        make_post()
        feed = app.test_client().get("/feed/", headers={"Host": "localhost"})
        robots = app.test_client().get("/robots.txt", headers={"Host": "localhost"})
    assert "https://blog.example.org/" in feed.get_data(as_text=True)
    assert "http://localhost" not in feed.get_data(as_text=True)
    assert "Sitemap: https://blog.example.org/sitemap.xml" in robots.get_data(as_text=True)
