"""Delivering a post to many fediverse followers: how fast, in how much memory, and whether the blog's
pages stay quick meanwhile.

Fills a temporary SQLite database with `--followers` remote followers spread over `--servers`
simulated servers that each have a shared inbox, plus `--personal` followers with a personal inbox
only, all pointing at local inbox servers on 127.0.0.1 (child processes, one path per simulated
server, answering 202 and counting what they receive). The blog runs under gunicorn as production
does. It publishes one post (the fan-out into deliveries), then runs the worker's delivery pass
until nothing is queued, while a child process GETs the post page; and prints the figures.
    .venv/bin/python bench/federation_delivery.py [--followers 10000] [--servers 200] [--personal 500]
"""

import argparse
import json
import multiprocessing
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

UNCACHED = "comment_author=bench"  # a comment cookie: the post page is built, not served from the page cache


def inbox_server(port_out, stop) -> None:
    """A child process: inboxes on a free port of 127.0.0.1 that answer 202 to any signed POST and
    count them by path; GET /counts answers the counts as JSON."""
    counts: dict[str, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            signed = "Signature" in self.headers
            with lock:
                counts[self.path] = counts.get(self.path, 0) + 1
            self._answer(202 if signed else 401, b"")

        def do_GET(self):
            with lock:
                body = json.dumps(counts).encode()
            self._answer(200, body)

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.request_queue_size = 128
    port_out.put(httpd.server_port)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    stop.wait()
    httpd.shutdown()


def probe(url: str, results, stop) -> None:
    """A child process: GET `url` one request after another until `stop`, putting each latency (ms)."""
    import requests

    with requests.Session() as session:
        while not stop.is_set():
            started = time.perf_counter()
            status = session.get(url, headers={"Cookie": UNCACHED}, timeout=30).status_code
            results.put(((time.perf_counter() - started) * 1000, status))
            time.sleep(0.05)


def start_inboxes(count: int, context) -> tuple[list[str], list, object]:
    """`count` inbox server processes; their base URLs, the processes, and the event that stops them."""
    stop = context.Event()
    ports = context.Queue()
    processes = [context.Process(target=inbox_server, args=(ports, stop), daemon=True) for _ in range(count)]
    for process in processes:
        process.start()
    return [f"http://127.0.0.1:{ports.get(timeout=20)}" for _ in processes], processes, stop


def fill_followers(bases: list[str], followers: int, servers: int, personal: int) -> None:
    """RemoteActor and Follower rows: `followers - personal` spread over `servers` with a shared inbox
    each, and `personal` with a personal inbox only; executemany, in one transaction."""
    import sqlalchemy as sa

    from activitypub.models import Follower, RemoteActor
    from core.dbtypes import utcnow
    from extensions import db

    now = utcnow()
    actors = []
    for n in range(followers):
        base = bases[n % len(bases)]
        if n < followers - personal:
            server = n % servers
            domain, shared = f"server{server}.test", f"{base}/server{server}/inbox"
        else:
            domain, shared = f"solo{n}.test", None
        actors.append({"uri": f"https://{domain}/users/u{n}", "key_id": f"https://{domain}/users/u{n}#main-key",
                       "public_key_pem": "", "inbox": f"{base}/{domain}/users/u{n}/inbox", "shared_inbox": shared,
                       "handle": f"@u{n}@{domain}", "name": f"U{n}", "profile_url": "", "avatar_url": "",
                       "domain": domain, "fetched_at": now})
    db.session.execute(sa.insert(RemoteActor), actors)
    ids = db.session.scalars(sa.select(RemoteActor.id)).all()
    db.session.execute(sa.insert(Follower), [{"remote_actor_id": i, "follow_activity_id": "", "created_at": now}
                                             for i in ids])
    db.session.commit()


def memory_kb(field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1))


def reset_peak_memory() -> None:
    """Make VmHWM start again from the current resident memory (Linux: /proc/self/clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


def latencies(queue, wanted: int | None = None, timeout: float = 30) -> list[tuple[float, int]]:
    got = []
    deadline = time.monotonic() + timeout
    while (wanted is None and not queue.empty()) or (wanted is not None and len(got) < wanted):
        if time.monotonic() > deadline:
            break
        got.append(queue.get(timeout=timeout))
    return got


def summary(samples: list[tuple[float, int]]) -> str:
    ms = sorted(latency for latency, _status in samples)
    bad = sum(status != 200 for _latency, status in samples)
    if not ms:
        return "no requests"
    return (f"{len(ms)} GETs, median {statistics.median(ms):.1f} ms, p90 {ms[int(len(ms) * 0.9)]:.1f} ms, "
            f"worst {ms[-1]:.1f} ms"
            + (f", {bad} not 200" if bad else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--servers", type=int, default=200, help="simulated servers with a shared inbox")
    parser.add_argument("--personal", type=int, default=500, help="followers with a personal inbox only")
    parser.add_argument("--inbox-processes", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16, help="ACTIVITYPUB_DELIVERY_CONCURRENCY")
    args = parser.parse_args()

    from app import create_app
    from bench.run import Server, blog_env
    from config import Config
    from extensions import db

    context = multiprocessing.get_context("spawn")
    workdir = Path(tempfile.mkdtemp(prefix="blog-bench-federation-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite'}"
    bases, inbox_processes, stop_inboxes = start_inboxes(args.inbox_processes, context)
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret",
                "OUTBOUND_ALLOWED_PRIVATE_HOSTS": "127.0.0.1", "ACTIVITYPUB_DELIVERY_CONCURRENCY": args.concurrency,
                "MAIL_BACKGROUND_THREAD": False}
    app = create_app(type("BenchConfig", (Config,), settings))
    blog = None
    try:
        with app.app_context():
            db.create_all()
            fill_followers(bases, args.followers, args.servers, args.personal)
            path = publish_path_ready()
        blog = Server("app:create_app()", blog_env(database_url), 1, workdir / "blog.log")
        run(app, blog.url + path, args, bases, context)
    finally:
        if blog is not None:
            blog.stop()
        stop_inboxes.set()
        for process in inbox_processes:
            process.join(5)
        shutil.rmtree(workdir, ignore_errors=True)  # figures are printed; nothing is kept


def publish_path_ready() -> str:
    """An administrator and an older published post (the page read during the delivery); its path."""
    from activitypub.keys import blog_key
    from auth.models import User
    from auth.roles import ADMINISTRATOR
    from blog.models import Post
    from blog.permalinks import post_url
    from core.dbtypes import utcnow
    from extensions import db

    blog_key()
    owner = User(display_name="Bench Owner", email="owner@example.com", email_verified=True, role=ADMINISTRATOR)
    db.session.add(owner)
    warm = Post(title="Already here", slug="already-here", body="A post readers read during the delivery.",
                status="published", published_at=utcnow() - timedelta(days=2), author_id=None)
    db.session.add(warm)
    db.session.commit()
    return urlsplit(post_url(warm)).path


def run(app, page_url: str, args, bases: list[str], context) -> None:
    """Publish, deliver until done, and print the figures."""
    import sqlalchemy as sa

    from activitypub.delivery import delivery_pass
    from activitypub.models import Delivery
    from auth.models import User
    from blog.posts import PostDraft, save_post
    from extensions import db

    results, stop_probe = context.Queue(), context.Event()
    prober = context.Process(target=probe, args=(page_url, results, stop_probe), daemon=True)
    prober.start()
    latencies(results, 5)  # the worker's first requests load what it needs
    before = latencies(results, 20)
    with app.app_context():
        owner = db.session.scalars(sa.select(User)).first()
        draft = PostDraft(title="To all my followers", slug="", body="Hello, fediverse.", excerpt="",
                          published_at=None, comments_open=True, action="publish")
        started = time.perf_counter()
        save_post(None, draft, owner)
        publish_ms = (time.perf_counter() - started) * 1000
        inboxes = db.session.scalar(sa.select(sa.func.count()).select_from(Delivery))
        latencies(results)  # leave out what was measured while publishing
        rss_before = memory_kb("VmRSS")
        reset_peak_memory()
        started = time.perf_counter()
        reports = []
        while db.session.scalar(sa.select(sa.func.count()).where(Delivery.status == "queued")):
            reports.append(delivery_pass())
        seconds = time.perf_counter() - started
        peak_growth_mb = (memory_kb("VmHWM") - rss_before) / 1024
        during = latencies(results)
        states = dict(db.session.execute(sa.select(Delivery.status, sa.func.count()).group_by(Delivery.status))
                      .tuples().all())
    stop_probe.set()
    prober.join(10)
    received = sum(sum(count_inbox(base).values()) for base in bases)
    delivered = states.get("delivered", 0)
    print(f"followers        {args.followers:,} ({args.servers} servers with a shared inbox, "
          f"{args.personal} with a personal inbox only)")
    print(f"inboxes          {inboxes:,} deliveries queued by the publish ({publish_ms:.0f} ms, fan-out included)")
    print(f"deliveries       {delivered:,} delivered, {states.get('failed', 0):,} failed; "
          f"the inbox servers received {received:,} POSTs")
    print(f"seconds          {seconds:.2f} in {len(reports)} pass(es): {'; '.join(str(r) for r in reports)}")
    print(f"deliveries/s     {delivered / seconds:,.0f} at concurrency {args.concurrency}")
    print(f"peak RSS growth  {peak_growth_mb:.1f} MB (VmHWM during the delivery above VmRSS before it)")
    print(f"post page before {summary(before)}")
    print(f"post page during {summary(during)}")


def count_inbox(base: str) -> dict[str, int]:
    import requests

    return requests.get(base + "/counts", timeout=10).json()


if __name__ == "__main__":
    main()
