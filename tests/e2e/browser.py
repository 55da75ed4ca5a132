"""What the browser tests watch in Chromium: requests leaving 127.0.0.1, console errors, failed
requests and error answers; plus screenshots at two widths and axe-core's accessibility check."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response, Route

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_SCRIPT = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = [(1280, 800), (390, 844)]  # desktop, phone

# Every URL that is not on 127.0.0.1 (http, https, ws, wss). Chromium's resolver rule already
# keeps DNS on the machine; this route is the second guard, and it tells which page tried.
OFF_MACHINE = re.compile(r"^(?!(?:https?|wss?)://127\.0\.0\.1(?::\d+)?(?:/|$))[a-z]+://")
# What a page loads for itself: the browser cancels these when the page navigates on, which is no fault.
SUBRESOURCES = frozenset({"script", "stylesheet", "image", "font", "fetch"})


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class BrowserProblems:
    """Collects what went wrong in the pages of every context it watches.

    `outside` are origins whose pages are not ours (the local stand-ins for Google, GitHub...):
    the login page of oidc-provider-mock links a CDN stylesheet, which is blocked like every
    request off the machine, but it is that page's business, not the blog's.
    """

    def __init__(self, outside: set[str]):
        self.outside = outside
        self.problems: list[str] = []
        self.blocked_outside: list[str] = []
        self.expected: list[tuple[int, str]] = []
        self.answered_as_expected: set[str] = set()
        self.contexts: list[BrowserContext] = []

    def watch(self, context: BrowserContext) -> None:
        self.contexts.append(context)
        context.route(OFF_MACHINE, self._block)
        context.on("console", self._console)
        context.on("requestfailed", self._failed)
        context.on("response", self._response)

    def expect_status(self, status: int, path: str) -> None:
        """The next answer with this status for this path is part of the test, not a problem."""
        self.expected.append((status, path))

    def report(self) -> list[str]:
        """Everything found, once the events still on their way from the browser have arrived."""
        open_pages = [p for c in self.contexts for p in c.pages if not p.is_closed()]
        if open_pages:
            open_pages[0].wait_for_timeout(100)
        return list(self.problems)

    def _ours(self, url: str) -> bool:
        return origin(url) not in self.outside

    def _page_url(self, request: Request) -> str:
        try:
            return request.frame.url
        except Exception:  # a service worker's or a detached frame's request
            return request.headers.get("referer", "")

    def _block(self, route: Route) -> None:
        request = route.request
        page_url = self._page_url(request)
        if self._ours(page_url):
            self.problems.append(f"request off 127.0.0.1 from {page_url}: {request.url}")
        else:
            self.blocked_outside.append(request.url)
        route.abort("blockedbyclient")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "") if message.location else ""
        page_url = message.page.url if message.page else source
        if not self._ours(page_url) or OFF_MACHINE.match(source or ""):
            return  # a provider page's own trouble, or a blocked request already judged above
        if (
            "Failed to load resource" in message.text
            and source.split("#")[0] in self.answered_as_expected
        ):
            return
        self.problems.append(f"console error on {page_url}: {message.text} ({source})")

    def _failed(self, request: Request) -> None:
        if OFF_MACHINE.match(request.url) or not self._ours(self._page_url(request)):
            return
        if not self._ours(request.url):
            return
        if request.failure == "net::ERR_ABORTED" and request.resource_type in SUBRESOURCES:
            return  # the browser cancelled it: the page navigated on (a click) before its scripts had loaded
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status < 400 or not self._ours(response.url):
            return
        key = (response.status, urlsplit(response.url).path)
        if key in self.expected:
            self.expected.remove(key)
            self.answered_as_expected.add(response.url)
            return
        self.problems.append(
            f"answer {response.status} to {response.request.method} {response.url}"
        )


def screenshot_both_widths(page: Page, name: str) -> list[Path]:
    """The page as it is now, at a desktop and a phone width (full page), into test-artifacts;
    at each width it must fit without scrolling sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px ({scroll_width}px)"
        path = SCREENSHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    page.set_viewport_size({"width": WIDTHS[0][0], "height": WIDTHS[0][1]})
    return saved


AXE_PATH = "/__e2e__/axe.min.js"
# WCAG 2.0-2.2 A and AA (2.2 brings target sizes) and axe's best practices (landmarks, one h1...).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is now; one line per violation and element.

    axe is loaded as a same-origin script whose request Playwright answers from node_modules, so
    the page's CSP (script-src 'self' + nonce) stays in force and is not bypassed, no nonce is
    borrowed, and the app carries no test-only route. An inline tag (add_script_tag(path=...))
    would be refused by that same CSP.
    """
    url = origin(page.url) + AXE_PATH
    page.route(url, lambda route: route.fulfill(path=AXE_SCRIPT, content_type="text/javascript"))
    page.add_script_tag(url=url)
    found = page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            const result = await axe.run(document, options);
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: {' '.join(node.split())}"
        for v in found
        for node in v["nodes"]
    ]
