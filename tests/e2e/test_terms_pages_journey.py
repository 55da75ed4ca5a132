"""The owner adds a category and a page in the admin and files a post under the category with tags
picked from the suggestions; the Categories, Tags and Pages screens and the editors are clean for
axe-core at desktop and phone widths, and reflow without sideways scrolling."""

from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner
from tests.e2e.test_accessibility import assert_no_violations


def test_owner_files_a_post_under_a_new_category_with_suggested_tags(live_app, owner, page, axe_script):
    log_in_as_owner(page, owner, "/admin/categories/")
    assert_no_violations(page)
    page.get_by_label("Name").fill("Interviews")
    page.get_by_role("button", name="Add New Category").click()
    expect(page.get_by_role("status").filter(has_text="Category “Interviews” added.")).to_be_visible()
    page.goto("/admin/tags/")
    page.get_by_label("Name").fill("Remote work")
    page.get_by_role("button", name="Add New Tag").click()
    expect(page.locator("tr.term-row .row-title").filter(has_text="Remote work")).to_have_count(1)
    assert_no_violations(page)

    page.goto("/admin/posts/new")
    expect(page.get_by_role("checkbox", name="Uncategorized")).to_be_checked()
    assert_no_violations(page)
    page.get_by_label("Title").fill("Answering the salary question")
    page.get_by_role("checkbox", name="Uncategorized").uncheck()
    page.get_by_role("checkbox", name="Interviews").check()
    tags = page.get_by_role("combobox", name="Tags")
    tags.press_sequentially("salary, ")
    expect(page.locator("#tag-suggestions option[value='salary, Remote work']")).to_have_count(1)  # typed ones kept
    expect(page.locator("#tag-suggestions option[value='Remote work']")).to_have_count(0)
    tags.fill("salary, Remote work")
    page.locator("#publish").click()
    expect(page.get_by_role("status").filter(has_text="Post published.")).to_be_visible()
    expect(page.get_by_role("combobox", name="Tags")).to_have_value("Remote work, salary")

    page.goto("/admin/categories/")
    row = page.locator("tr.term-row").filter(has_text="Interviews")
    expect(row.locator(".column-count")).to_have_text("1")


def test_owner_adds_a_subpage_from_the_pages_screen(live_app, owner, page, axe_script):
    log_in_as_owner(page, owner, "/admin/pages/new")
    assert_no_violations(page)
    page.get_by_label("Title").fill("Careers")
    page.locator("#publish").click()
    expect(page.get_by_role("status").filter(has_text="Page published.")).to_be_visible()
    page.goto("/admin/pages/new")
    page.get_by_label("Title").fill("Our team")
    page.get_by_label("Parent").select_option(label="Careers")
    page.locator("#publish").click()
    expect(page.get_by_role("link", name="View page")).to_have_attribute("href", "/careers/our-team/")
    page.goto("/admin/pages/")
    titles = page.locator("tr.page-row .row-title").all_inner_texts()
    assert titles[titles.index("Careers") + 1] == "— Our team"  # under its parent
    assert_no_violations(page)
