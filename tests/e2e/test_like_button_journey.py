"""The Like button in Chromium: a logged-out reader is told to log in beside it, and its label
stays readable in every state."""

import re

from playwright.sync_api import expect

from tests.e2e.browser import screenshot_both_widths
from tests.e2e.seed import demo_post

READ_COLORS = """el => { const s = getComputedStyle(el); return [s.color, s.backgroundColor]; }"""


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(color: str, background: str) -> float:
    """WCAG's contrast ratio of two computed `rgb(...)` colors (both opaque here)."""
    lighter, darker = sorted((_luminance(color), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _label_contrasts(page, button) -> dict[str, float]:
    """The label's contrast at rest, under the mouse and with keyboard focus."""
    page.mouse.move(0, 0)
    shown = {"rest": button.evaluate(READ_COLORS)}
    button.hover()
    shown["hover"] = button.evaluate(READ_COLORS)
    page.mouse.move(0, 0)
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus from the keyboard, so :focus-visible applies
    expect(button).to_be_focused()
    shown["focus"] = button.evaluate(READ_COLORS)
    return {state: contrast(*colors) for state, colors in shown.items()}


def test_logged_out_reader_pressing_like_is_told_to_log_in_beside_the_button_without_a_jump(
    live_app, page, problems, providers
):
    post = demo_post(live_app)
    page.goto(post.path)
    page.wait_for_load_state("load")  # likes.js (deferred) is attached before the click
    likes = page.locator(f"#likes-post-{post.id}")
    button = likes.get_by_role("button", name="Like", exact=True)
    button.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    page.evaluate("window.stillThisPage = true")
    problems.expect_status(401, f"/posts/{post.id}/like")

    button.click()

    note = likes.get_by_role("status").filter(has_text="Log in to like this")
    expect(note).to_be_visible()
    expect(note.get_by_role("link", name="Google")).to_be_visible()
    assert page.evaluate("window.stillThisPage") is True
    assert page.evaluate("window.scrollY") == scrolled
    assert "#" not in page.url
    beside, at = note.bounding_box(), button.bounding_box()
    assert beside["x"] > at["x"] and abs(beside["y"] - at["y"]) < at["height"]
    expect(button).to_be_focused()
    screenshot_both_widths(page, "likes-logged-out-note")

    field, user, _shown = providers.logins["google"]
    note.get_by_role("link", name="Google").click()
    page.locator(f"input[name={field}]").fill(user)
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(re.compile(re.escape(post.path) + f"#likes-post-{post.id}$"))
    page.wait_for_load_state("load")
    likes.get_by_role("button", name="Like", exact=True).click()
    liked = likes.get_by_role("button", name="Liked", exact=True)
    expect(liked).to_have_attribute("aria-pressed", "true")
    for state, ratio in _label_contrasts(page, liked).items():
        assert ratio >= 4.5, f"the Liked label at {state} has contrast {ratio:.2f}"


def test_like_button_label_keeps_aa_contrast_at_rest_on_hover_and_on_focus(live_app, page):
    post = demo_post(live_app)
    page.goto(post.path)
    page.wait_for_load_state("load")
    button = page.locator(f"#likes-post-{post.id} button")
    for state, ratio in _label_contrasts(page, button).items():
        assert ratio >= 4.5, f"the Like label at {state} has contrast {ratio:.2f}"
