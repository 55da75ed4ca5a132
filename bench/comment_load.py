"""Guest comment submissions against a running blog, from a process of its own.

Each thread is one browser: it opens the post page once for its session and CSRF token, then
posts comments as distinct authors (and distinct IPs through X-Forwarded-For, which the server
trusts with PROXY_FIX_HOPS=1), so flood control and the rate limit do not refuse them.
Prints one JSON line: submissions, statuses, rate and latency percentiles.
"""

import argparse
import json
import re
import statistics
import threading
import time
import uuid

import requests

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ACTION = re.compile(r'<form id="commentform"[^>]*action="([^"]+)"')


def browser(base: str, post_path: str, deadline: float, limit: int, results: list, worker: int) -> None:
    session = requests.Session()
    page = session.get(base + post_path, timeout=10).text
    token, action = TOKEN.search(page).group(1), ACTION.search(page).group(1)
    n = 0
    while time.perf_counter() < deadline and n < limit:
        n += 1
        who = f"{worker}-{n}-{uuid.uuid4().hex[:6]}"
        data = {"csrf_token": token, "comment_parent": "0", "author": f"Bench Author {who}",
                "email": f"bench-{who}@example.com", "url": "", "comment": f"Benchmark comment {who}."}
        ip = f"10.{worker % 250}.{n // 250 % 250}.{n % 250 + 1}"
        started = time.perf_counter()
        response = session.post(base + action, data=data, headers={"X-Forwarded-For": ip},
                                allow_redirects=False, timeout=30)
        results.append((response.status_code, time.perf_counter() - started))


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
    elapsed = time.perf_counter() - started
    latencies = sorted(r[1] for r in results) or [0.0]
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    print(json.dumps({
        "submissions": len(results), "statuses": statuses, "per_second": len(results) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }))


if __name__ == "__main__":
    main()
