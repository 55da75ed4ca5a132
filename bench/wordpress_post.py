"""Guest comments sent to stock WordPress, as `bench/comment_load.py` sends them to the blog.

Each POST is a new guest (a name and email never seen), so WordPress holds it for moderation
(comment_previously_approved), with every rule on. Each comes from an address of its own on the
loopback network (127.x.y.z, a source address bound by the client; the server is still
127.0.0.1), as readers come from addresses of their own: WordPress's flood check (15 s per address)
stays on and passes. Prints one JSON line like comment_load.py: submissions, statuses, latencies.
"""

import argparse
import http.client
import json
import random
import re
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, like comment_load.py

from bench.comment_load import summary  # noqa: E402  (after the path it needs)

POST_ID = re.compile(r"""name=['"]comment_post_ID['"] value=['"](\d+)""")


def post_id_of(url: str) -> str:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    connection.request("GET", parts.path)
    return POST_ID.search(connection.getresponse().read().decode()).group(1)


def held_comment(parts, post_id: str, address: str) -> tuple[int, float]:
    """One POST from a new guest at `address`; its status and time, connection set-up included."""
    who = uuid.uuid4().hex[:8]
    body = urlencode({"comment_post_ID": post_id, "comment_parent": "0", "author": f"Bench Guest {who}",
                      "email": f"guest-{who}@example.com", "url": "", "comment": f"Benchmark comment {who}.",
                      "submit": "Post Comment"})
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30,
                                            source_address=(address, 0))
    connection.request("POST", "/wp-comments-post.php", body=body,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("post_url", help="a WordPress post on 127.0.0.1 whose comment form to use")
    parser.add_argument("--seconds", type=float, default=3)
    args = parser.parse_args()
    parts = urlsplit(args.post_url)
    post_id = post_id_of(args.post_url)
    first = random.randrange(1 << 22)  # a fresh block of addresses per run: flood control remembers
    results, started, n = [], time.perf_counter(), 0
    while time.perf_counter() < started + args.seconds:
        n += 1
        number = (first + n) % ((1 << 24) - 2) + 1
        results.append(held_comment(parts, post_id, f"127.{number >> 16}.{number >> 8 & 255}.{number & 255}"))
    print(json.dumps(summary(results, time.perf_counter() - started)))


if __name__ == "__main__":
    main()
