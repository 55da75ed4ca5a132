"""The browser tests' own fence: what it must catch, so that a quiet journey means something."""

from tests.e2e.browser import BrowserProblems


def test_fence_blocks_and_reports_requests_off_the_machine_errors_and_failed_answers(
    browser, live_app, live_server
):
    watcher = BrowserProblems(outside=set())
    context = browser.new_context(base_url=live_server.url)
    watcher.watch(context)
    page = context.new_page()
    page.goto("/no-such-page/")
    page.evaluate("new Image().src = 'http://images.example.com/t.png'")  # refused by the CSP
    page.evaluate("console.error('something broke')")
    # A navigation: the CSP does not stop it, the fence does (the page then shows an error page).
    with page.expect_event("requestfailed"):
        page.evaluate("setTimeout(() => { location.href = 'http://news.example.com/' }, 0)")
    found = "\n".join(watcher.report())
    context.close()

    assert "request off 127.0.0.1 from http://127.0.0.1" in found and "news.example.com" in found
    assert "console error" in found and "something broke" in found
    assert "images.example.com/t.png' violates" in found
    assert "answer 404 to GET " + live_server.url + "/no-such-page/" in found


def test_fence_lets_the_test_declare_the_error_answer_it_expects(browser, live_app, live_server):
    watcher = BrowserProblems(outside=set())
    context = browser.new_context(base_url=live_server.url)
    watcher.watch(context)
    page = context.new_page()
    watcher.expect_status(404, "/no-such-page/")
    page.goto("/no-such-page/")
    first = watcher.report()
    page.goto("/no-such-page/")
    second = watcher.report()
    context.close()

    assert first == []
    assert second == [f"answer 404 to GET {live_server.url}/no-such-page/"]
