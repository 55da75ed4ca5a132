"""A gunicorn worker's peak memory after it served the benchmark's pages (production settings).

Fills a database (SQLite or PostgreSQL), starts the blog as bench/run.py does, drives the pages
that grow a worker (the 200-comment post, pages of the biggest thread, the admin comments screen,
feeds, comment POSTs) a bounded number of times, then prints each worker's VmHWM and private part.
    python -m bench.memory [--db sqlite|postgres] [--big 100000] [--rounds 100]
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.run import (
    PYTHON,
    ROOT,
    UNCACHED,
    Server,
    blog_env,
    drop_database,
    log_in_as_admin,
    prepare_database,
    private_mb,
    seed,
    set_setting,
)


def status_kb(pid: int) -> dict[str, int]:
    text = Path(f"/proc/{pid}/status").read_text()
    return {key: int(value) for key, value in re.findall(r"(VmRSS|VmHWM|RssAnon|RssFile):\s+(\d+) kB", text)}


def print_workers(label: str, server: Server) -> None:
    master = status_kb(server.process.pid)
    print(f"{label}: master VmRSS {master['VmRSS'] / 1024:.1f} MB, VmHWM {master['VmHWM'] / 1024:.1f} MB")
    for pid in server._worker_pids():
        kb = status_kb(int(pid))
        print(f"  worker {pid}: VmHWM {kb['VmHWM'] / 1024:6.1f} MB  VmRSS {kb['VmRSS'] / 1024:6.1f} MB "
              f"(anonymous {kb['RssAnon'] / 1024:5.1f}, files {kb['RssFile'] / 1024:5.1f})  "
              f"private {private_mb(pid):6.1f} MB")
    peak, private = server.worker_memory_mb()
    print(f"  largest: peak {peak:.1f} MB, private {private:.1f} MB (what bench/run.py reports)")


def page_paths(server: Server, paths: dict, rounds: int) -> list[str]:
    """Pages spread over the biggest thread, the feeds and the home page; `rounds` requests of each kind."""
    first = requests.get(server.url + paths["post_big"], headers={"Cookie": UNCACHED}, timeout=60).text
    big_pages = max(int(n) for n in re.findall(r"comment-page-(\d+)/", first))
    thread_pages = [f"{paths['post_big']}comment-page-{1 + (n * 97) % big_pages}/" for n in range(rounds)]
    feeds = ["/feed/", "/feed/atom/", "/comments/feed/", "/comments/feed/atom/",
             f"{paths['post_200']}feed/", f"{paths['post_big']}feed/atom/", "/sitemap.xml"]
    return thread_pages + feeds * max(1, rounds // len(feeds)) + [paths["home"]] * rounds


def get_all(server: Server, paths: list[str], cookie: str, threads: int = 8) -> dict[int, int]:
    def one(path: str) -> int:
        return requests.get(server.url + path, headers={"Cookie": cookie}, timeout=60).status_code

    statuses: dict[int, int] = {}
    with ThreadPoolExecutor(threads) as pool:
        for status in pool.map(one, paths):
            statuses[status] = statuses.get(status, 0) + 1
    return statuses


def drive(server: Server, paths: dict, database_url: str, rounds: int) -> None:
    set_setting(database_url, page_comments=False)  # the 200 comments on one page, as in bench/run.py
    print("post, 200 comments:", get_all(server, [paths["post_200"]] * rounds, UNCACHED), file=sys.stderr)
    set_setting(database_url, page_comments=True)
    print("thread pages, feeds, home:", get_all(server, page_paths(server, paths, rounds), UNCACHED), file=sys.stderr)
    admin = log_in_as_admin(server)
    admin_pages = [f"/admin/comments?paged={1 + n % 50}" for n in range(rounds)] + ["/admin/comments"] * rounds
    print("admin comments:", get_all(server, admin_pages, admin), file=sys.stderr)
    posts = subprocess.run([PYTHON, str(ROOT / "bench" / "comment_load.py"), server.url, paths["post_0"],
                            "--threads", "8", "--seconds", "30", "--limit", str(max(1, rounds // 8))],
                           capture_output=True, text=True, check=True)
    print("comment POSTs:", posts.stdout.strip(), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None, help="default: production's, one per core")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix=f"blog-memory-{args.db}-"))
    database_url = prepare_database(args.db, workdir)
    try:
        paths = seed(database_url, args.big)
        server = Server("app:create_app()", blog_env(database_url), args.workers, workdir / "blog.log")
        try:
            print_workers("started", server)
            drive(server, paths, database_url, args.rounds)
            print_workers(f"after {args.rounds} rounds ({args.db})", server)
        finally:
            server.stop()
    finally:
        drop_database(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
