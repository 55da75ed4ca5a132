"""Guest comment submissions against a running blog, from a process of its own.

Each thread is one browser: it opens the post page once for its session and CSRF token, then
posts comments as distinct authors (and distinct IPs through X-Forwarded-For, which the server
trusts with PROXY_FIX_HOPS=1), so flood control and the rate limit do not refuse them.
Prints one JSON line: submissions, statuses, rate and latency percentiles.

The client is http.client with a cookie jar of a few lines, as light as curl: python-requests
spends about a millisecond of its own on each request, which would be counted as the server's.
"""

import argparse
import http.client
import json
import random
import re
import statistics
import threading
import time
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ACTION = re.compile(r'<form id="commentform"[^>]*action="([^"]+)"')


class Browser:
    """One connection (reopened when the server closes it) and the cookies the server set."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or ():
            self._keep(header)
        return response.status, content

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or morsel["expires"].startswith("Thu, 01 Jan 1970"):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def browser(base: str, post_path: str, deadline: float, limit: int, results: list, worker: int) -> None:
    client = Browser(base)
    page = client.request("GET", post_path)[1].decode()
    token, action = TOKEN.search(page).group(1), ACTION.search(page).group(1)
    # A random block of addresses per browser and run: a run that follows another at once is not
    # refused by flood control for an address the previous run used seconds ago.
    first_address = random.randrange(1 << 24)
    n = 0
    while time.perf_counter() < deadline and n < limit:
        n += 1
        who = f"{worker}-{n}-{uuid.uuid4().hex[:6]}"
        data = {"csrf_token": token, "comment_parent": "0", "author": f"Bench Author {who}",
                "email": f"bench-{who}@example.com", "url": "", "comment": f"Benchmark comment {who}."}
        address = (first_address + n) % (1 << 24)
        ip = f"10.{address >> 16}.{address >> 8 & 255}.{address & 255}"
        started = time.perf_counter()
        status, _ = client.request("POST", action, urlencode(data), {"X-Forwarded-For": ip})
        results.append((status, time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("post_path")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--limit", type=int, default=100000, help="at most this many posts per thread")
    args = parser.parse_args()
    results: list = []
    deadline = time.perf_counter() + args.seconds
    started = time.perf_counter()
    threads = [threading.Thread(target=browser, args=(args.base, args.post_path, deadline, args.limit, results, w))
               for w in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(summary(results, time.perf_counter() - started)))


def summary(results: list[tuple[int, float]], elapsed: float) -> dict:
    """The JSON line of a POST driver (this one, wordpress_post.py): statuses, rate, latencies."""
    latencies = sorted(seconds for _, seconds in results) or [0.0]
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "submissions": len(results), "statuses": statuses, "per_second": len(results) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


if __name__ == "__main__":
    main()
