"""The owner writes a post with a picture: Add Media uploads it, the editor asks for its alt text and
inserts it, the picture becomes the featured image, and the published post shows both (with srcset);
the editor and the Media Library pass axe-core. Once at desktop width, once on a phone."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.actions import log_in_as_owner
from tests.e2e.browser import axe_violations, screenshot_both_widths
from tests.support.media_files import image_bytes

SHOTS = Path("/tmp/work/shots")
ALT = "Fishing boats moored in the harbour at dusk"


def shoot(page, name: str, width: int) -> None:
    """The page at this width into /tmp/work/shots, for looking at the layout."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_owner_adds_a_picture_and_a_featured_image_and_readers_see_them(live_app, owner, browse, problems, axe_script,
                                                                        width):
    page = browse()
    page.set_viewport_size({"width": width, "height": 800 if width > 800 else 844})
    log_in_as_owner(page, owner, "/admin/posts/new")
    page.get_by_label("Title").fill("A morning at the harbour")
    body = page.get_by_label("Content (Markdown)")
    body.fill("We walked down before breakfast.\n\n")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add Media").click()
    chooser.value.set_files([{"name": "Harbour at dusk.jpg", "mimeType": "image/jpeg",
                              "buffer": image_bytes((1200, 800))}])

    dialog = page.get_by_role("dialog", name="Describe the image")
    expect(dialog).to_be_visible()
    expect(dialog.locator("img")).to_have_attribute("src", re.compile(r"^/media/.*-150x150\.jpg$"))
    shoot(page, "media-alt-dialog", width)
    dialog.get_by_label("Alternative text").fill(ALT)
    dialog.get_by_role("button", name="Insert into post").click()
    expect(dialog).to_be_hidden()
    expect(body).to_have_value(re.compile(r"!\[" + ALT + r"\]\(/media/\d{4}/\d{2}/harbour-at-dusk\.jpg\)"))
    expect(page.locator("#alt-notice")).to_be_hidden()
    body.press("End")
    body.type("![](/media/missing.jpg)")
    expect(page.locator("#alt-notice")).to_contain_text("1 image has no alt text")
    body.fill(body.input_value().replace("![](/media/missing.jpg)", ""))
    expect(page.locator("#alt-notice")).to_be_hidden()

    page.get_by_label("Set featured image").select_option(label="harbour at dusk")
    shoot(page, "media-editor", width)
    screenshot_both_widths(page, f"media-editor-{width}")  # and no sideways scrolling at either width
    page.set_viewport_size({"width": width, "height": 800 if width > 800 else 844})
    assert axe_violations(page) == []
    page.locator("#publish").click()
    expect(page.get_by_role("status").filter(has_text="Post published.")).to_be_visible()
    expect(page.locator("#featured-preview img")).to_have_attribute("alt", ALT)
    post_path = page.get_by_role("link", name="View post").get_attribute("href")

    reader = browse()
    reader.set_viewport_size({"width": width, "height": 800})
    reader.goto(post_path)
    featured = reader.locator(".post-thumbnail img")
    expect(featured).to_be_visible()
    in_body = reader.locator(".entry-content img")
    expect(in_body).to_have_attribute("alt", ALT)
    expect(in_body).to_have_attribute("srcset", re.compile(r"-300x200\.jpg 300w"))
    loaded = "[...document.querySelectorAll('.entry-content img')].every(i => i.complete && i.naturalWidth > 0)"
    assert reader.evaluate(loaded)
    shoot(reader, "media-post", width)

    page.goto("/admin/media")
    expect(page.locator(".media-item").filter(has_text="harbour at dusk")).to_have_count(1)
    shoot(page, "media-library", width)
    assert axe_violations(page) == []
    problems.expect_status(400, "/admin/media/upload")  # the file that is not an image, refused
    page.get_by_label("Select a file").set_input_files([
        {"name": "pier.png", "mimeType": "image/png", "buffer": image_bytes((400, 300), "PNG")},
        {"name": "notes.txt.jpg", "mimeType": "image/jpeg", "buffer": b"not an image at all"}])
    page.get_by_role("button", name="Upload").click()  # both sent by fetch, each with its own status
    status = page.locator("#media-upload-status")
    expect(status).to_contain_text("pier.png: uploaded.")
    expect(status.locator(".upload-failed")).to_contain_text("notes.txt.jpg: This file is not an image")
    status.get_by_role("link", name="Show the new images").click()
    expect(page.locator(".media-item").filter(has_text="pier")).to_have_count(1)
    page.goto("/admin/media?mode=list")
    shoot(page, "media-library-list", width)
    assert axe_violations(page) == []
    page.locator(".media-table .row-title", has_text="harbour at dusk").click()
    expect(page.get_by_label("Alternative text")).to_have_value(ALT)  # saved by the editor's question
    shoot(page, "media-edit", width)
    assert axe_violations(page) == []
    for shot in Path("test-artifacts/screenshots").glob(f"media-editor-{width}-*.png"):
        shutil.copy(shot, SHOTS / shot.name)
