"""`bench/run.py --wordpress`: the URL is checked before any load, and the ratios come from one run."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests

from bench.run import (
    POST_FLOOR_ROW,
    SEED_POST_ROW,
    WORDPRESS_POST_ROW,
    WORDPRESS_ROW,
    Server,
    check_wordpress,
    print_post_ratios,
    print_wordpress_ratios,
    wordpress_post_target,
)

ROOT = Path(__file__).resolve().parents[2]


class Answer(BaseHTTPRequestHandler):
    """A stand-in for WordPress: a post with its comment form, and wp-comments-post.php."""

    posts: list = []

    def do_GET(self):  # noqa: N802  (http.server's name)
        found = self.path in ("/post/", "/comment-post-target/")
        self.send_response(200 if found else 404)
        self.end_headers()
        if found:
            self.wfile.write(b"<input type='hidden' name='comment_post_ID' value='4' id='comment_post_ID' />")

    def do_POST(self):  # noqa: N802
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        Answer.posts.append((self.client_address[0], form))
        self.send_response(302)
        self.send_header("Location", "/comment-post-target/?unapproved=1")
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


def test_wordpress_posts_come_from_new_guests_at_addresses_of_their_own(local_site):
    Answer.posts.clear()
    target = local_site + "/comment-post-target/"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "wordpress_post.py"), target, "--seconds", "0.5"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(done.stdout)
    assert result["statuses"] == {"302": len(Answer.posts)} and len(Answer.posts) >= 5
    addresses = [address for address, _form in Answer.posts]
    assert len(set(addresses)) == len(addresses) and all(a.startswith("127.") for a in addresses)
    emails = [form["email"][0] for _address, form in Answer.posts]
    assert len(set(emails)) == len(emails)
    assert {form["comment_post_ID"][0] for _address, form in Answer.posts} == {"4"}


def test_the_post_comparison_uses_the_setup_scripts_target_post_when_it_is_there(local_site):
    assert wordpress_post_target(local_site + "/post/") == local_site + "/comment-post-target/"


def test_the_post_ratios_are_printed_from_the_same_run(capsys):
    rows = [{"page": "guest comment POST (rules on, held)", "alone_ms": 3.0},
            {"page": POST_FLOOR_ROW, "alone_ms": 2.5},
            {"page": WORDPRESS_POST_ROW, "alone_ms": 12.3}]
    print_post_ratios("sqlite", rows)
    line = capsys.readouterr().out
    assert "takes 3.00 ms; the stack's floor for its statements 2.50 ms (+0.50 ms)" in line
    assert "WordPress's 12.30 ms" in line and "4.1x faster (target 4x; the floor 4.9x)" in line


def test_without_wordpress_the_post_is_compared_with_the_floor_alone(capsys):
    print_post_ratios("postgres", [{"page": "guest comment POST (rules on, held)", "alone_ms": 3.0},
                                   {"page": POST_FLOOR_ROW, "alone_ms": 2.0}])
    line = capsys.readouterr().out
    assert "floor for its statements 2.00 ms (+1.00 ms)" in line and "WordPress" not in line


def test_without_wordpress_nothing_is_printed(capsys):
    print_wordpress_ratios("sqlite", [{"page": SEED_POST_ROW, "rps": 630.0}])
    assert capsys.readouterr().out == ""


def test_a_run_with_failed_posts_shows_the_servers_own_lines_about_them(tmp_path, capsys):
    log = tmp_path / "blog.log"
    log.write_text('{"method": "POST", "status": 303}\n{"method": "POST", "status": 503}\n'
                   "Traceback (most recent call last):\n{\"method\": \"GET\", \"status\": 200}\n")
    server = Server.__new__(Server)  # its log only: no gunicorn is started
    server.log = log
    server.print_log_lines(('"method": "POST"', "Traceback"), unless='"status": 303')
    assert capsys.readouterr().err.splitlines() == [
        "blog.log, 2 lines like these:", '{"method": "POST", "status": 503}', "Traceback (most recent call last):"]
