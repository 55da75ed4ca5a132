"""`make bench`: the blog under gunicorn (production settings) on SQLite and PostgreSQL, driven by wrk.

Prints one table: requests per second, p50/p99 latency at 16 connections, each page's share of
the stack's ceiling (a minimal Flask app under the same gunicorn settings), SQL queries per page,
HTML size, and a worker's peak memory; the guest comment POST alone beside the stack's floor for
the same statements (bench/post_floor.py). Everything runs on 127.0.0.1 and stops by itself.
With --wordpress URL (the 200-comment post of ../shared/bench/wordpress, already running), that
post is driven right after the blog's own, and the targets' ratios are printed from the same run.
Then the archive and search pages on blogs of several sizes (bench/archive_rows.py, --posts), with
WordPress's search on the same posts given --wordpress-search, and the media rows (bench/media_rows.py).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
# The production command line (README, Production layout): `python -OO` drops docstrings and
# asserts, which saves every worker memory; the app has no assert, its tests run unoptimized.
GUNICORN_COMMAND = [PYTHON, "-OO", "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
UNCACHED = "comment_author=bench"  # any comment cookie makes a reader ineligible for the page cache
SEED_POST_ROW = "post, 200 comments (WordPress seed)"  # the row the WordPress targets compare
RESULTS = ROOT / "bench" / "results"  # each run's server logs, kept after it; ignored by git


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: installing it from Debian's packages", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk")


class Server:
    """A gunicorn serving one app on a free port of 127.0.0.1."""

    def __init__(self, app: str, env: dict, workers: int | None, log: Path):
        """workers None: as many as deploy/gunicorn.conf.py starts in production."""
        self.port = free_port()
        self.log = log
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | env | {"GUNICORN_BIND": f"127.0.0.1:{self.port}"} | \
            ({"GUNICORN_WORKERS": str(workers)} if workers else {})
        self.process = subprocess.Popen(
            [*GUNICORN_COMMAND, app], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=log.open("w"), start_new_session=True)
        self._wait()

    def _wait(self) -> None:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start: {self.log.read_text()[-2000:]}")

    def _worker_pids(self) -> list[str]:
        return [pid for child in Path(f"/proc/{self.process.pid}/task").glob("*/children")
                for pid in child.read_text().split()]

    def worker_memory_mb(self) -> tuple[float, float]:
        """The largest worker's peak resident memory, and its private part (not shared by fork)."""
        peak, private = 0.0, 0.0
        for pid in self._worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            peak = max(peak, int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
            private = max(private, private_mb(pid))
        return peak, private

    def print_log_lines(self, containing: tuple[str, ...], unless: str, limit: int = 10) -> None:
        """The first lines of its log that say what went wrong, to stderr (the log goes with the run)."""
        lines = [line for line in self.log.read_text(errors="replace").splitlines()
                 if any(text in line for text in containing) and unless not in line]
        print("\n".join([f"{self.log.name}, {len(lines)} lines like these:", *lines[:limit]]), file=sys.stderr)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


def private_mb(pid: int | str) -> float:
    """A process's private memory (not shared with its forked siblings), from smaps_rollup."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    return sum(int(n) for n in re.findall(r"Private_(?:Clean|Dirty):\s+(\d+) kB", rollup)) / 1024


def blog_env(database_url: str) -> dict:
    """The blog's production settings under the benchmark: one proxy hop trusted (the load's
    addresses come in X-Forwarded-For) and a comment rate limit the load never reaches."""
    return {"BLOG_ENV": "production", "SECRET_KEY": "bench-secret", "DATABASE_URL": database_url,
            "PROXY_FIX_HOPS": "1", "COMMENT_RATE_LIMIT": "1000000 per minute",
            "SESSION_COOKIE_SECURE": "0", "FLASK_DEBUG": "0",
            "OUTBOUND_ALLOWED_PRIVATE_HOSTS": "127.0.0.1"}  # the fediverse row's actor is served on 127.0.0.1


def wrk(url: str, seconds: int, connections: int = 16, cookie: str | None = None, timeout: str = "10s") -> dict:
    """Requests per second and latency percentiles from one bounded wrk run (with the requests that
    got no answer within `timeout`, which wrk leaves out of its latencies)."""
    command = [ensure_wrk(), f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", timeout]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    timeouts = re.search(r"Socket errors:.* timeout (\d+)", output)
    return {"rps": rate, "p50": _percentile(output, "50%"), "p99": _percentile(output, "99%"),
            "errors": int(non_2xx.group(1)) if non_2xx else 0, "timeouts": int(timeouts.group(1)) if timeouts else 0}


def alone_ms(url: str, seconds: int, cookie: str | None = UNCACHED) -> float:
    """Median latency of one connection, over a third of a load run of `seconds` (two at least)."""
    return wrk(url, max(2, seconds // 3), connections=1, cookie=cookie)["p50"]


def _percentile(output: str, label: str) -> float:
    value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


# WordPress's baseline reaches MariaDB over its Unix socket (DB_HOST localhost:<socket>): the blog
# reaches PostgreSQL the same way where the server has one, as a one-host install would.
POSTGRES_SOCKET_DIR = Path("/var/run/postgresql")


def prepare_database(kind: str, workdir: Path, name: str = "bench") -> str:
    """An empty database: `name`.sqlite in workdir, or a PostgreSQL database of a name of its own."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / name}.sqlite"
    database = f"{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                    f"CREATE DATABASE {database}"], check=True)
    return postgres_url(database)


def postgres_url(name: str) -> str:
    """The database over the server's Unix socket when it accepts us there, else over 127.0.0.1."""
    import psycopg

    try:
        psycopg.connect(host=str(POSTGRES_SOCKET_DIR), user="postgres", dbname=name, connect_timeout=3).close()
    except psycopg.Error:
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    return f"postgresql+psycopg://postgres@/{name}?host={POSTGRES_SOCKET_DIR}"


def drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc",
                        f"DROP DATABASE IF EXISTS {make_url(url).database} WITH (FORCE)"], check=False)


def seed(database_url: str, big: int) -> dict:
    """Migrate and fill the database in a child process; returns the paths to measure."""
    env = os.environ | {"DATABASE_URL": database_url, "BLOG_ENV": "development", "SECRET_KEY": "bench"}
    subprocess.run([PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    output = subprocess.run([PYTHON, "-m", "bench.fill", str(big)], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout
    readers = subprocess.run([PYTHON, "-m", "bench.readers"], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
    os.sync()  # the fill's writes reach the disk before the measurements, not during them
    return json.loads(output.strip().splitlines()[-1]) | json.loads(readers.strip().splitlines()[-1])


def set_setting(database_url: str, **values) -> None:
    env = os.environ | {"DATABASE_URL": database_url, "BLOG_ENV": "development", "SECRET_KEY": "bench"}
    subprocess.run([PYTHON, "-m", "bench.fill", "--settings", json.dumps(values)], cwd=ROOT, env=env, check=True,
                   capture_output=True)


def run_database(kind: str, seconds: int, big: int, workers: int | None, wordpress: str | None = None,
                 sizes: tuple[int, ...] = (), wordpress_search: str | None = None, media: bool = True) -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix=f"blog-bench-{kind}-"))
    logs = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{kind}"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"[{kind}] server logs in {logs}", file=sys.stderr)
    database_url = prepare_database(kind, workdir)
    floor_url = None
    rows: list[dict] = []
    try:
        print(f"[{kind}] migrating and filling ({big:,} comments on the largest post) at {database_url}",
              file=sys.stderr)
        paths = seed(database_url, big)
        floor_url = prepare_database(kind, workdir, name="post-floor")
        ceiling = Server("bench.ceiling:create_app()", {}, workers, logs / "ceiling.log")
        floor = Server("bench.post_floor:create_app()", {"DATABASE_URL": floor_url, "SECRET_KEY": "bench-secret"},
                       workers, logs / "post-floor.log")
        blog = Server("app:create_app()", blog_env(database_url), workers, logs / "blog.log")
        try:
            rows = measure(kind, Servers(blog, ceiling, floor), paths, seconds, database_url, wordpress)
            from bench.archive_rows import archive_rows

            rows += archive_rows(kind, sizes, ceiling, seconds, workers, logs, workdir, wordpress_search)
            if media:
                from bench.media_rows import media_rows

                rows += media_rows(kind, seconds, workers, logs, workdir)
            peak, private = blog.worker_memory_mb()
            for row in rows:
                row["worker_mb"], row["worker_private_mb"] = peak, private
        finally:
            for server in (blog, ceiling, floor):
                server.stop()
    finally:
        for url in filter(None, (database_url, floor_url)):
            drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


@dataclass(frozen=True)
class Servers:
    blog: Server
    ceiling: Server  # bench/ceiling.py: a fixed string, the most requests a second the stack serves
    floor: Server  # bench/post_floor.py: the least time the stack takes for a guest comment POST


def measure(kind: str, servers: Servers, paths: dict, seconds: int, database_url: str,
            wordpress: str | None = None) -> list[dict]:
    from bench.queries import count_queries, sequential_scans

    blog, ceiling = servers.blog, servers.ceiling

    rows = [{"page": "ceiling: minimal Flask app", **wrk(ceiling.url + "/", seconds)}]
    set_setting(database_url, page_comments=False)  # all 200 on one page, as WordPress served them
    pages = [("home page", paths["home"], UNCACHED), ("post, 0 comments", paths["post_0"], UNCACHED),
             ("post, 10 comments", paths["post_10"], UNCACHED),
             (SEED_POST_ROW, paths["post_200"], UNCACHED),
             ("post, 200 comments, page cache", paths["post_200"], None),
             ("home page, page cache", paths["home"], None)]
    for label, path, cookie in pages:
        rows.append({"page": label, **wrk(blog.url + path, seconds, cookie=cookie),
                     "alone_ms": alone_ms(blog.url + path, seconds, cookie),
                     "queries": count_queries(database_url, path), "html_kb": _size_kb(blog.url + path)})
        if cookie is None:  # a page cache row: its target is a share of the ceiling, measured beside it
            rows[-1]["ceiling_rps"] = wrk(ceiling.url + "/", seconds)["rps"]
    if wordpress:
        rows += beside_wordpress(blog.url + paths["post_200"], wordpress, seconds)
    rows += logged_in_rows(blog.url, paths, seconds, database_url)
    set_setting(database_url, page_comments=True)
    paged = [("post, 10 comments (paged)", paths["post_10"]), ("post, 10,000 comments (paged)", paths["post_10k"]),
             (f"post, {paths['big']:,} comments (paged)", paths["post_big"])]
    alone = alone_interleaved([blog.url + path for _label, path in paged], seconds)
    for (label, path), latency in zip(paged, alone, strict=True):
        rows.append({"page": label, **wrk(blog.url + path, seconds, cookie=UNCACHED), "alone_ms": latency,
                     "queries": count_queries(database_url, path), "html_kb": _size_kb(blog.url + path)})
    rows.append({"page": "report a comment (form)", **wrk(blog.url + paths["report_page"], seconds, cookie=UNCACHED),
                 "alone_ms": alone_ms(blog.url + paths["report_page"], seconds, UNCACHED),
                 "queries": count_queries(database_url, paths["report_page"]), "html_kb": None})
    admin_cookie = log_in_as_admin(blog)
    admin_pages = [(f"admin comments screen ({paths['big'] + 10_210:,} comments)", "/admin/comments"),
                   ("admin queue, most likely spam first",
                    "/admin/comments?comment_status=pending&orderby=spam_score"),
                   ("admin Reported tab (20 reported)", "/admin/comments/reported"),
                   ("admin commenter page", paths["commenter_page"]),
                   ("admin Mentions & fediverse screen", "/admin/federation?tab=received"),
                   ("admin Mail screen", "/admin/mail")]
    for label, path in admin_pages:
        rows.append({"page": label, **wrk(blog.url + path, seconds, cookie=admin_cookie),
                     "alone_ms": alone_ms(blog.url + path, seconds, admin_cookie),
                     "queries": count_queries(database_url, path, admin=True), "html_kb": None})
    if kind == "postgres":
        scans = [scan for path, admin in ((paths["post_big"], False), ("/admin/comments", True))
                 for scan in sequential_scans(database_url, path, admin)]
        print(f"[{kind}] EXPLAIN of the hot comment queries at {paths['big']:,} comments: "
              + ("no sequential scan on comments" if not scans else "\n".join(scans)), file=sys.stderr)
    rows += comment_posts(servers, paths["post_0"], seconds, wordpress and wordpress_post_target(wordpress))
    rows += federation_receive_rows(blog, paths["post_10"], seconds)
    ceiling_rps = rows[0]["rps"]
    for row in rows:
        row["db"] = kind
        row["share"] = row["rps"] / row.get("ceiling_rps", ceiling_rps)
    return rows


WORDPRESS_ROW = "WordPress: the same post, 200 comments"
WORDPRESS_POST_ROW = "WordPress: guest POST (held), 1 connection"
POST_FLOOR_ROW = "stack floor: the POST's 4 statements only"
POST_FLOOR_PATH = "/posts/1/"  # bench/post_floor.py's post
# The post setup_and_bench.sh makes for comment POSTs: the 200-comment post keeps its comments as they are.
WORDPRESS_POST_TARGET = "/comment-post-target/"


def wordpress_post_target(wordpress: str) -> str | None:
    """WordPress's post for the POST comparison, on the same server, if it is there."""
    import requests

    url = urljoin(wordpress, WORDPRESS_POST_TARGET)
    if requests.get(url, timeout=30).status_code == 200:
        return url
    print(f"[wordpress] no {url}: comment POSTs are not compared (setup_and_bench.sh setup makes it)",
          file=sys.stderr)
    return None


def beside_wordpress(ours: str, wordpress: str, seconds: int) -> list[dict]:
    """WordPress's 200-comment post under the same load, just after the blog's own, and both
    latencies alone taken in turn: the 10x target is a ratio, so its two sides share one moment."""
    ours_alone, wordpress_alone = alone_interleaved([ours, wordpress], seconds)
    return [{"page": WORDPRESS_ROW, **wrk(wordpress, seconds, cookie=UNCACHED), "alone_ms": wordpress_alone,
             "queries": None, "html_kb": _size_kb(wordpress), "ours_alone_ms": ours_alone}]


def check_wordpress(url: str) -> str:
    """The --wordpress URL, refused unless it is a page on this machine that answers."""
    import requests

    if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
        sys.exit(f"--wordpress must be a URL on 127.0.0.1 (the benchmark sends nothing elsewhere): {url}")
    try:
        status = requests.get(url, timeout=30).status_code
    except requests.RequestException as error:
        sys.exit(f"--wordpress {url} does not answer ({error}); start it with "
                 "../shared/bench/wordpress/setup_and_bench.sh start")
    if status != 200:
        sys.exit(f"--wordpress {url} answered {status}, not 200")
    return url


def alone_interleaved(urls: list[str], seconds: int, rounds: int = 3) -> list[float]:
    """Each page's median latency alone, over rounds that take the pages in turn: the pages whose
    ratio is a target are measured side by side, not minutes apart on a machine whose speed drifts."""
    runs = [[] for _ in urls]
    for _ in range(rounds):
        for times, url in zip(runs, urls, strict=True):
            times.append(alone_ms(url, seconds))
    return [statistics.median(times) for times in runs]


def log_in_as_admin(blog: Server) -> str:
    """The Cookie header of an administrator's session on the running blog."""
    from bench.queries import BENCH_ADMIN
    from bench.readers import reader_cookie

    return reader_cookie(blog.url, BENCH_ADMIN)


OWNER_ROW = "post, 200 comments, owner logged in"
SOCIAL_ROW = "post, 200 comments, social log-in reader"


def logged_in_rows(blog_url: str, paths: dict, seconds: int, database_url: str) -> list[dict]:
    """The 200-comment post for the two logged-in readers (bench/readers.py), whom no page cache serves."""
    from bench.queries import BENCH_ADMIN, count_queries
    from bench.readers import SOCIAL_READER, reader_cookie

    url = blog_url + paths["post_200"]
    readers = [(OWNER_ROW, reader_cookie(blog_url, BENCH_ADMIN)),
               (SOCIAL_ROW, reader_cookie(blog_url, SOCIAL_READER, paths["identity_id"]))]
    return [{"page": label, **wrk(url, seconds, cookie=cookie), "alone_ms": alone_ms(url, seconds, cookie),
             "queries": count_queries(database_url, paths["post_200"], admin=True) if label == OWNER_ROW else None,
             "html_kb": _size_kb(url, cookie)} for label, cookie in readers]


def comment_posts(servers: Servers, path: str, seconds: int, wordpress_post: str | None = None) -> list[dict]:
    """Guest comment POSTs at 16 connections, then alone, in turn with the stack's floor for the
    same work (bench/post_floor.py) and, given a WordPress post to comment on, with WordPress's:
    three rounds, so that the ratios share one moment."""
    blog = servers.blog
    load = _posts([ROOT / "bench" / "comment_load.py", blog.url, path, "--threads", "16"], seconds)
    alone_seconds = max(2, seconds // 3)
    ours, floor, theirs = [], [], []
    for _ in range(3):
        ours.append(_posts([ROOT / "bench" / "comment_load.py", blog.url, path, "--threads", "1"], alone_seconds))
        floor.append(_posts([ROOT / "bench" / "comment_load.py", servers.floor.url, POST_FLOOR_PATH, "--threads", "1"],
                            alone_seconds))
        if wordpress_post:
            theirs.append(_posts([ROOT / "bench" / "wordpress_post.py", wordpress_post], alone_seconds))
    errors = _not(303, [load, *ours])
    if errors:
        blog.print_log_lines(('"method": "POST"', "Traceback", "ERROR"), unless='"status": 303')
    rows = [{"page": "guest comment POST (rules on, held)", "rps": load["per_second"], "p50": load["p50_ms"],
             "p99": load["p99_ms"], "alone_ms": statistics.median(run["p50_ms"] for run in ours),
             "errors": errors, "queries": None, "html_kb": None},
            _alone_post_row(POST_FLOOR_ROW, floor, 303)]
    if theirs:
        rows.append(_alone_post_row(WORDPRESS_POST_ROW, theirs, 302))
    return rows


def federation_receive_rows(blog: Server, path: str, seconds: int) -> list[dict]:
    """A Webmention and a signed fediverse reply as they arrive, one connection: only accepted (202)
    in the request, verified and stored by the worker (not running here)."""
    post_url = "http://127.0.0.1:5000" + path  # the production config's default SITE_URL, which the blog runs on
    rows = []
    for label, kind, path in (("Webmention received (202)", "webmention", "/webmention"),
                              ("fediverse reply to the inbox (202)", "inbox", "/ap/inbox")):
        runs = [_posts([ROOT / "bench" / "federation_receive.py", blog.url, post_url, post_url, "--kind", kind],
                       max(2, seconds // 3))]
        if _not(202, runs):
            blog.print_log_lines(('"method": "POST"', "Traceback", "ERROR"), unless='"status": 202')
        rows.append(_alone_post_row(label, runs, 202) | {"server_ms": _logged_median_ms(blog, path)})
    return rows


def _logged_median_ms(server: Server, path: str) -> float:
    """The median time the app itself took for POSTs to `path`, as its request log says (the time a
    client waits, less the connection, gunicorn and the client's own work)."""
    durations = [json.loads(line.partition(":blog.requests:")[2])["duration_ms"]
                 for line in server.log.read_text(errors="replace").splitlines()
                 if ":blog.requests:" in line and f'"path": "{path}"' in line and '"method": "POST"' in line]
    return statistics.median(durations) if durations else float("nan")


def _alone_post_row(label: str, runs: list[dict], expected_status: int) -> dict:
    alone = statistics.median(run["p50_ms"] for run in runs)
    return {"page": label, "rps": 1000 / alone, "p50": alone, "p99": max(run["p99_ms"] for run in runs),
            "alone_ms": alone, "errors": _not(expected_status, runs), "queries": None, "html_kb": None}


def _posts(command: list, seconds: int) -> dict:
    """The JSON line a POST driver (comment_load.py, wordpress_post.py) prints."""
    done = subprocess.run([PYTHON, *map(str, command), "--seconds", str(seconds)], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def _not(expected: int, runs: list[dict]) -> int:
    """How many answers were not `expected`; what they were goes to stderr, for the log of the run."""
    others = Counter()
    for run in runs:
        others.update({status: n for status, n in run["statuses"].items() if status != str(expected)})
    if others:
        print(f"answers other than {expected}: {dict(others)}", file=sys.stderr)
    return others.total()


def _size_kb(url: str, cookie: str = UNCACHED) -> float:
    import requests

    return len(requests.get(url, headers={"Cookie": cookie}, timeout=10).content) / 1000


def print_table(rows: list[dict]) -> None:
    from bench.archive_rows import print_archive_table
    from bench.media_rows import print_media_table

    media = [r for r in rows if "media" in r]  # bench/media_rows.py's, in tables of their own
    archive = [r for r in rows if "posts" in r]  # bench/archive_rows.py's, in a table of their own
    rows = [r for r in rows if "posts" not in r and "media" not in r]
    header = f"{'db':8} {'page':42} {'req/s':>8} {'share':>6} {'p50 ms':>7} {'p99 ms':>7} {'alone ms':>8} " \
             f"{'queries':>7} {'HTML KB':>7} {'errors':>6}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['db']:8} {r['page']:42} {r['rps']:8.0f} {r['share']:6.0%} {r['p50']:7.2f} {r['p99']:7.2f} "
              f"{_opt(r.get('alone_ms'), '8.2f')} {_opt(r.get('queries'), '7d')} {_opt(r.get('html_kb'), '7.1f')} "
              f"{r.get('errors', 0):6d}")
    print("share: of the ceiling's first run; the page cache rows, of a ceiling run just after their own")
    for kind in dict.fromkeys(r["db"] for r in rows):
        paged = [r for r in rows if r["db"] == kind and r["page"].endswith("(paged)")]
        print(f"{kind}: \"{paged[-1]['page']}\" alone takes {paged[-1]['alone_ms'] / paged[0]['alone_ms']:.2f}x "
              f"\"{paged[0]['page']}\" (same settings, measured in turn)")
    for kind in dict.fromkeys(r["db"] for r in rows):
        print_reader_ratios(kind, [r for r in rows if r["db"] == kind])
        print_wordpress_ratios(kind, [r for r in rows if r["db"] == kind])
        print_post_ratios(kind, [r for r in rows if r["db"] == kind])
        print_receive_times(kind, [r for r in rows if r["db"] == kind])
    for kind in dict.fromkeys(r["db"] for r in rows):
        row = next(r for r in rows if r["db"] == kind)
        print(f"worker memory ({kind}): peak resident {row['worker_mb']:.1f} MB, of which private "
              f"(not shared with the other workers) {row['worker_private_mb']:.1f} MB")
    print_archive_table(archive)
    print_media_table(media)


def print_wordpress_ratios(kind: str, rows: list[dict]) -> None:
    """The 200-comment post's targets, as ratios of one run (printed when --wordpress was given)."""
    wordpress = next((r for r in rows if r["page"] == WORDPRESS_ROW), None)
    if wordpress is None:
        return
    ours = next(r for r in rows if r["page"] == SEED_POST_ROW)
    print(f"{kind}: the 200-comment post uncached serves {ours['rps'] / wordpress['rps']:.1f}x WordPress's "
          f"requests per second (target 10x); alone {wordpress['ours_alone_ms']:.2f} ms against "
          f"{wordpress['alone_ms']:.2f} ms, measured in turn (target under 5 ms); HTML "
          f"{ours['html_kb'] / wordpress['html_kb']:.1%} of WordPress's (target 40% at most)")


def print_reader_ratios(kind: str, rows: list[dict]) -> None:
    """What a logged-in reader's 200-comment post costs beside a guest's uncached one (target 1.5x at most)."""
    guest = next(r for r in rows if r["page"] == SEED_POST_ROW)
    wordpress = next((r for r in rows if r["page"] == WORDPRESS_ROW), None)
    for row in (r for r in rows if r["page"] in (OWNER_ROW, SOCIAL_ROW)):
        line = (f"{kind}: {row['page']}: {guest['rps'] / row['rps']:.2f}x the guest's time under load "
                f"({row['rps']:.0f} against {guest['rps']:.0f} req/s), alone {row['alone_ms']:.2f} ms against "
                f"{guest['alone_ms']:.2f} ms")
        if wordpress:
            line += f"; {row['rps'] / wordpress['rps']:.1f}x WordPress's requests per second (target 10x)"
        print(line)


def print_post_ratios(kind: str, rows: list[dict]) -> None:
    """The guest POST alone: against the stack's floor for the same statements, and WordPress's."""
    ours = next(r for r in rows if r["page"].startswith("guest comment POST"))
    floor = next(r for r in rows if r["page"] == POST_FLOOR_ROW)
    line = (f"{kind}: a guest comment POST alone takes {ours['alone_ms']:.2f} ms; the stack's floor for its "
            f"statements {floor['alone_ms']:.2f} ms ({ours['alone_ms'] - floor['alone_ms']:+.2f} ms)")
    wordpress = next((r for r in rows if r["page"] == WORDPRESS_POST_ROW), None)
    if wordpress:
        line += (f"; WordPress's {wordpress['alone_ms']:.2f} ms (new guests, held; measured in turn): "
                 f"{wordpress['alone_ms'] / ours['alone_ms']:.1f}x faster (target 4x; the floor "
                 f"{wordpress['alone_ms'] / floor['alone_ms']:.1f}x)")
    print(line)


def print_receive_times(kind: str, rows: list[dict]) -> None:
    """How long the app takes to accept a Webmention and a fediverse reply (its own request log)."""
    accepted = [f"{row['page'].removesuffix(' (202)')} {row['server_ms']:.2f} ms" for row in rows if "server_ms" in row]
    if accepted:
        print(f"{kind}: accepted in (median, the app's request log): " + "; ".join(accepted))


def _opt(value, spec: str) -> str:
    width = int(spec.split(".")[0].rstrip("df"))
    return f"{value:{spec}}" if value is not None else " " * (width - 1) + "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--big", type=int, default=100_000, help="comments on the largest post")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers, for the blog and the ceiling (default: production's, one per core)")
    parser.add_argument("--wordpress", metavar="URL",
                        help="WordPress's 200-comment post on this machine, measured beside the blog's")
    parser.add_argument("--posts", default="10,10000,100000",
                        help="published posts of the archive and search rows' blogs, comma-separated ('none': no "
                             "such rows)")
    parser.add_argument("--wordpress-search", metavar="URL",
                        help="WordPress's home page with bench/wordpress_search.py's posts, its search measured "
                             "beside the blog's on the largest blog")
    parser.add_argument("--no-media", action="store_true", help="leave out the media rows (bench/media_rows.py)")
    args = parser.parse_args()
    from bench.archive_rows import parse_sizes

    wordpress = check_wordpress(args.wordpress) if args.wordpress else None
    wordpress_search = check_wordpress(args.wordpress_search) if args.wordpress_search else None
    try:
        sizes = parse_sizes(args.posts)
    except ValueError as error:
        parser.error(str(error))
    rows = []
    for kind in args.databases.split(","):
        rows += run_database(kind, args.seconds, args.big, args.workers, wordpress, sizes, wordpress_search,
                             not args.no_media)
    print_table(rows)


if __name__ == "__main__":
    main()
