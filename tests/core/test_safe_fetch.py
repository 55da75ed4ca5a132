"""core.safe_fetch against a real local server: what it reads, and every address and answer it refuses."""

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.safe_fetch import FetchRefused, fetch


class _Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802  (http.server's name)
        self.hits.append(self.path)
        route = {
            "/page": (200, {"Content-Type": "text/html; charset=utf-8", "Link": '</wm>; rel="webmention"'},
                      "<p>héllo</p>".encode()),
            "/hop": (302, {"Location": "/page"}, b""),
            "/loop-a": (302, {"Location": "/loop-b"}, b""),
            "/loop-b": (302, {"Location": "/loop-a"}, b""),
            "/to-private": (302, {"Location": "http://10.0.0.1/secret"}, b""),
            "/to-malformed": (302, {"Location": "http://[::1/x"}, b""),
            "/big": (200, {"Content-Type": "text/html"}, b"x" * 300_000),
            "/bomb": (200, {"Content-Encoding": "gzip"}, gzip.compress(b"\0" * 5_000_000)),
            "/gone": (410, {}, b"gone"),
        }.get(self.path)
        if self.path == "/unsized":  # no Content-Length: the limit holds while reading
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"y" * 10_000)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path == "/slow":
            time.sleep(2)
        status, headers, body = route or (404, {}, b"none")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading, as it should
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_page_is_read_with_its_links_and_charset(app, site):
    with app.app_context():
        page = fetch(f"{site}/page")
    assert page.status == 200 and page.text == "<p>héllo</p>"
    assert page.links["webmention"]["url"] == f"{site}/wm"


def test_redirects_are_followed_and_the_final_address_kept(app, site):
    with app.app_context():
        page = fetch(f"{site}/hop")
    assert page.url == f"{site}/page" and page.status == 200


def test_an_error_status_is_returned_not_raised(app, site):
    with app.app_context():
        assert fetch(f"{site}/gone").status == 410


@pytest.mark.parametrize("url, reason", [
    ("http://10.0.0.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "private"),
    ("http://127.0.0.2/", "private"),  # loopback, yet not the listed 127.0.0.1
    ("http://[::1]/", "private"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://0.0.0.0/", "private"),
    ("ftp://127.0.0.1/", "http(s)"),
    ("http://user:pw@127.0.0.1/", "user name"),
    ("http://127.0.0.1:99999/", "port"),
])
def test_addresses_off_limits_are_refused_before_any_connection(app, url, reason):
    app.config["OUTBOUND_LISTED_ONLY"] = False  # as in production: public addresses may be reached
    with app.app_context(), pytest.raises(FetchRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        fetch(url)


@pytest.mark.parametrize("url", ["http://name.invalid/", "http://93.184.215.14/", "http://127.0.0.2/"])
def test_under_test_and_make_run_only_listed_addresses_are_reached_and_no_name_is_looked_up(app, url):
    with app.app_context(), pytest.raises(FetchRefused, match="OUTBOUND_LISTED_ONLY"):
        fetch(url)


def test_a_listed_address_with_another_port_is_refused(app, site):
    app.config["OUTBOUND_ALLOWED_PRIVATE_HOSTS"] = "127.0.0.1:1"
    app.config["OUTBOUND_LISTED_ONLY"] = False
    with app.app_context(), pytest.raises(FetchRefused, match="private"):
        fetch(f"{site}/page")


def test_a_redirect_to_a_private_address_is_refused(app, site):
    app.config["OUTBOUND_LISTED_ONLY"] = False
    with app.app_context(), pytest.raises(FetchRefused, match="private"):
        fetch(f"{site}/to-private")


def test_a_redirect_to_a_malformed_address_is_refused(app, site):
    with app.app_context(), pytest.raises(FetchRefused, match="malformed"):
        fetch(f"{site}/to-malformed")


def test_a_redirect_loop_is_refused(app, site):
    with app.app_context(), pytest.raises(FetchRefused, match="redirect loop"):
        fetch(f"{site}/loop-a")


def test_post_requests_do_not_follow_redirects(app, site):
    with app.app_context():
        assert fetch(f"{site}/hop", method="POST", body=b"a=1").status in (302, 501)


@pytest.mark.parametrize("path", ["/big", "/unsized", "/bomb"])
def test_answers_over_the_size_limit_are_refused(app, site, path):
    app.config["OUTBOUND_MAX_BYTES"] = 200_000
    with app.app_context(), pytest.raises(FetchRefused, match="larger than 200000 bytes"):
        fetch(f"{site}{path}")


def test_a_server_slower_than_the_timeout_is_given_up_on(app, site):
    app.config["OUTBOUND_TIMEOUT"] = 0.5
    with app.app_context(), pytest.raises(FetchRefused, match="could not connect|took too long"):
        fetch(f"{site}/slow")
