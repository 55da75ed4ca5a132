"""`bench/run.py --wordpress`: the URL is checked before any load, and the ratios come from one run."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bench.run import SEED_POST_ROW, WORDPRESS_ROW, check_wordpress, print_wordpress_ratios


class Answer(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802  (http.server's name)
        self.send_response(200 if self.path == "/post/" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_url_off_this_machine_is_refused_before_anything_is_sent(monkeypatch):
    def no_traffic(*args, **kwargs):
        raise AssertionError("a request left for another machine")

    monkeypatch.setattr(requests, "get", no_traffic)
    with pytest.raises(SystemExit, match="must be a URL on 127.0.0.1"):
        check_wordpress("http://wordpress.example/what-do-you-do-when-you-hate-to-network/")


def test_a_local_page_that_answers_is_taken_and_one_that_does_not_is_refused(local_site):
    assert check_wordpress(local_site + "/post/") == local_site + "/post/"
    with pytest.raises(SystemExit, match="answered 404"):
        check_wordpress(local_site + "/missing/")
    with pytest.raises(SystemExit, match="does not answer"):
        check_wordpress("http://127.0.0.1:9/post/")  # the discard port: nothing listens there


def test_the_ratios_are_printed_from_the_rows_of_one_run(capsys):
    rows = [{"page": SEED_POST_ROW, "rps": 630.0, "alone_ms": 3.1, "html_kb": 151.4},
            {"page": WORDPRESS_ROW, "rps": 36.0, "alone_ms": 52.8, "ours_alone_ms": 3.08, "html_kb": 380.8}]
    print_wordpress_ratios("sqlite", rows)
    line = capsys.readouterr().out
    assert "17.5x WordPress's requests per second" in line
    assert "alone 3.08 ms against 52.80 ms" in line
    assert "HTML 39.8% of WordPress's" in line


def test_without_wordpress_nothing_is_printed(capsys):
    print_wordpress_ratios("sqlite", [{"page": SEED_POST_ROW, "rps": 630.0}])
    assert capsys.readouterr().out == ""
