"""A reader browses the demo blog by category, tag, date, author and page in Chromium; every
listing passes axe-core at a desktop and a phone width."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import assert_no_violations

LISTINGS = ["/category/careers/", "/category/careers/networking/", "/tag/introverts/", "/2024/", "/2024/03/",
            "/author/owner/", "/about/", "/?s=coffee", "/search/no-such-word/", "/no-such-page/"]


@pytest.mark.parametrize("path", LISTINGS)
def test_listings_and_pages_have_no_accessibility_violations(live_app, page, axe_script, problems, path):
    if path == "/no-such-page/":
        problems.expect_status(404, path)
    page.goto(path)
    assert_no_violations(page)


def test_reader_goes_from_a_teaser_to_the_rest_and_on_through_terms_and_neighbours(live_app, page):
    page.goto("/")
    entry = page.locator("article.entry", has_text="Coffee Chats Beat Mixers")
    expect(entry).to_contain_text("name badges")
    expect(entry).not_to_contain_text("Why one person at a time works")
    entry.get_by_role("link", name="Continue reading").click()
    expect(page).to_have_url(re.compile(r"/coffee-chats-beat-mixers/#more-\d+$"))
    expect(page.locator(".entry-content")).to_contain_text("Why one person at a time works")

    page.locator(".cat-links").get_by_role("link", name="Networking").click()
    expect(page.locator("h1.page-title")).to_have_text("Category: Networking")
    expect(page.locator(".entry-title")).to_have_count(2)

    page.locator("#content").get_by_role("link", name="What Do You Do When You Hate to Network?", exact=True).click()
    page.locator(".nav-next").get_by_role("link").click()
    expect(page.locator("h1.entry-title")).to_have_text("Coffee Chats Beat Mixers")
    page.locator(".tags-links").get_by_role("link", name="coffee").click()
    expect(page.locator("h1.page-title")).to_have_text("Tag: coffee")
