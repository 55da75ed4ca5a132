"""`make bench`'s archive and search rows: the same pages on blogs of several sizes (bench/posts_fill.py),
side by side in one run.

For each database kind, one database per size is migrated and filled, and a blog server started on
each; every page's latency alone (uncached: the comment cookie) is taken on the sizes in turn, three
rounds, so that the largest-to-smallest ratio shares one moment. The largest blog's pages are also
driven by wrk through the page cache (anonymous), each beside a ceiling run taken just after. With
--wordpress-search, WordPress's search on its copy of the largest blog (bench/wordpress_search.py)
is measured beside ours. `python -m bench.archive_rows` runs these rows alone (same options).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from bench import blog_content
from bench.run import (
    PYTHON,
    ROOT,
    UNCACHED,
    Server,
    _size_kb,
    alone_interleaved,
    alone_ms,
    blog_env,
    drop_database,
    prepare_database,
    wrk,
)

SIZES = (10, 10_000, 100_000)
# (row label, key of bench/posts_fill.py's paths)
PAGES = (("category archive (with children)", "category"), ("tag archive", "tag"), ("year archive", "year"),
         ("search, common word", "search_common"), ("search, rare word", "search_rare"))
SEARCHES = ("search_common", "search_rare")
DATABASE_NAME = "h_bench_posts"  # each size's database: this, its size and a random suffix
WORDPRESS_TIMEOUT = 300  # seconds: its search reads every post, and may have a queue to clear first
WORDPRESS_LOAD_SECONDS = 20  # as setup_and_bench.sh's runs
RATIO_TARGET, SEARCH_TARGET_MS, SHARE_TARGET, WORDPRESS_TARGET = 1.5, 10.0, 0.60, 20.0


def parse_sizes(text: str) -> tuple[int, ...]:
    """--posts: comma-separated sizes, smallest first; "" or "none" measures no archive rows."""
    if text.strip().lower() in ("", "none"):
        return ()
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",")})
    except ValueError:
        raise ValueError(f"--posts: comma-separated numbers of posts, not {text!r}") from None
    if sizes[0] < blog_content.PLANTED:
        raise ValueError(f"--posts: at least {blog_content.PLANTED} posts (a full first page of each archive)")
    return tuple(sizes)


def seed_posts(database_url: str, size: int) -> dict:
    """Migrate (as the other rows' database is) and fill in a child process; bench/posts_fill.py's JSON."""
    env = os.environ | {"DATABASE_URL": database_url, "BLOG_ENV": "development", "SECRET_KEY": "bench"}
    subprocess.run([PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    done = subprocess.run([PYTHON, "-m", "bench.posts_fill", str(size)], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)
    os.sync()
    return json.loads(done.stdout.strip().splitlines()[-1])


def archive_rows(kind: str, sizes: tuple[int, ...], ceiling: Server, seconds: int, workers: int | None,
                 logs: Path, workdir: Path, wordpress_search: str | None = None) -> list[dict]:
    """The rows of every page at every size, for one database kind."""
    if not sizes:
        return []
    if wordpress_search:
        from bench.wordpress_search import check

        check(wordpress_search, max(sizes))  # it holds the largest blog's posts, or the run stops here
    blogs, urls = {}, []
    try:
        for size in sizes:
            urls.append(prepare_database(kind, workdir, name=f"{DATABASE_NAME}_{size}"))
            print(f"[{kind}] migrating and filling {size:,} posts", file=sys.stderr)
            filled = seed_posts(urls[-1], size)
            print(f"[{kind}] {size:,} posts ({filled['post_terms']:,} post_terms rows) filled in "
                  f"{filled['fill_seconds']} s, then {filled['aftercare_seconds']} s of ANALYZE and checkpoint",
                  file=sys.stderr)
            blogs[size] = (urls[-1], filled, Server("app:create_app()", blog_env(urls[-1]), workers,
                                                    logs / f"blog-{size}-posts.log"))
        return measure_sizes(kind, blogs, ceiling, seconds, wordpress_search)
    finally:
        for _url, _filled, server in blogs.values():
            server.stop()
        for url in urls:
            drop_database(url)


def measure_sizes(kind: str, blogs: dict, ceiling: Server, seconds: int, wordpress_search: str | None) -> list[dict]:
    """blogs: size -> (database URL, the fill's JSON, its running Server)."""
    from bench.queries import count_queries

    rows = []
    largest = max(blogs)
    for label, key in PAGES:
        urls = {size: server.url + filled["paths"][key] for size, (_db, filled, server) in blogs.items()}
        statuses = {size: requests.get(url, headers={"Cookie": UNCACHED}, timeout=60).status_code
                    for size, url in urls.items()}
        broken = {size: status for size, status in statuses.items() if status != 200}
        if broken:
            print(f"[{kind}] {label}: answers {broken}, not measured", file=sys.stderr)
            rows += [{"db": kind, "posts": size, "page": label, "status": statuses[size]} for size in blogs]
            continue
        alone = alone_interleaved(list(urls.values()), seconds)
        for (size, url), latency in zip(urls.items(), alone, strict=True):
            database_url, filled = blogs[size][0], blogs[size][1]
            rows.append({"db": kind, "posts": size, "page": label, "status": 200, "alone_ms": latency,
                         "queries": count_queries(database_url, filled["paths"][key]), "html_kb": _size_kb(url),
                         "fill_seconds": filled["fill_seconds"]})
        cached = urls[largest]
        rows.append({"db": kind, "posts": largest, "page": label + ", page cache", "status": 200,
                     "cache_hit": _cache_hit(cached), **wrk(cached, seconds, cookie=None),
                     "ceiling_rps": wrk(ceiling.url + "/", seconds)["rps"], "html_kb": _size_kb(cached, cookie="")})
        if wordpress_search and key in SEARCHES:
            rows.append(beside_wordpress(kind, largest, label, urls[largest], wordpress_search, key, seconds))
    return rows


def beside_wordpress(kind: str, size: int, label: str, ours: str, wordpress: str, key: str, seconds: int) -> dict:
    """WordPress's search for the same word on the same posts: both alone in turn, then both under
    load, ours uncached as WordPress is (no page cache plugin)."""
    from bench.wordpress_search import search_url

    word = blog_content.COMMON_WORD if key == "search_common" else blog_content.RARE_WORD
    theirs = search_url(wordpress, word)
    html_kb = len(requests.get(theirs, timeout=WORDPRESS_TIMEOUT).content) / 1000
    ours_alone, wordpress_alone = [], []
    for _ in range(3):
        ours_alone.append(alone_ms(ours, seconds))
        wordpress_alone.append(_sequential_ms(theirs))
    ours_load = wrk(ours, seconds, cookie=UNCACHED)
    # Long enough for some of its answers to arrive at all: each takes longer than a short run.
    theirs_load = wrk(theirs, max(seconds, WORDPRESS_LOAD_SECONDS), timeout=f"{WORDPRESS_TIMEOUT}s")
    # php-fpm finishes the requests still queued when wrk stops; the next measurements wait for it.
    requests.get(theirs, timeout=WORDPRESS_TIMEOUT)
    return {"db": kind, "posts": size, "page": f"WordPress: {label}", "status": 200, **theirs_load,
            "alone_ms": statistics.median(wordpress_alone), "html_kb": html_kb,
            "ours_alone_ms": statistics.median(ours_alone),
            "ours_uncached_rps": ours_load["rps"], "word": word}


def _cache_hit(url: str, tries: int = 10) -> bool:
    """Whether the page cache answers one of a few anonymous requests for the page (without Redis,
    each worker keeps its own store, so the first request each worker gets is a miss)."""
    return any(requests.get(url, timeout=60).headers.get("X-Page-Cache") == "hit" for _ in range(tries))


def _sequential_ms(url: str, requests_per_round: int = 3) -> float:
    """The median time of a few requests one after the other: a page that takes seconds gives wrk's
    short alone run no answer to time."""
    times = []
    for _ in range(requests_per_round):
        started = time.perf_counter()
        requests.get(url, timeout=WORDPRESS_TIMEOUT).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def print_archive_table(rows: list[dict]) -> None:
    """The rows' table, then the issue's targets as ratios of this run."""
    if not rows:
        return
    header = (f"{'db':8} {'posts':>7} {'page':44} {'alone ms':>8} {'queries':>7} {'HTML KB':>7} {'req/s':>8} "
              f"{'share':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    print()
    print(header)
    print("-" * len(header))
    for r in rows:
        if r["status"] != 200:
            print(f"{r['db']:8} {r['posts']:7,} {r['page']:44} answered {r['status']}, not measured")
            continue
        load = (f"{r['rps']:8.1f} {_share(r)} {r['p50']:7.2f} {r['p99']:7.2f} {r['errors']:6d}" if "rps" in r
                else f"{'-':>8} {'-':>6} {'-':>7} {'-':>7} {'-':>6}")
        print(f"{r['db']:8} {r['posts']:7,} {r['page']:44} {_opt(r.get('alone_ms'), '8.2f')} "
              f"{_opt(r.get('queries'), '7d')} {_opt(r.get('html_kb'), '7.1f')} {load}")
    print("alone: uncached (a comment cookie); page cache rows: anonymous, share of a ceiling run just after")
    for kind in dict.fromkeys(r["db"] for r in rows):
        for line in target_lines([r for r in rows if r["db"] == kind]):
            print(f"{kind}: {line}")


def target_lines(rows: list[dict]) -> list[str]:
    """One database's targets: each page's largest size against its smallest, search alone, the page
    cache's share of the ceiling, and WordPress's search."""
    measured = [r for r in rows if r["status"] == 200 and "alone_ms" in r and not r["page"].startswith("WordPress")]
    lines = []
    for label, _key in PAGES:
        sizes = sorted((r for r in measured if r["page"] == label), key=lambda r: r["posts"])
        if len(sizes) < 2:
            continue
        small, big = sizes[0], sizes[-1]
        ratio = big["alone_ms"] / small["alone_ms"]
        queries = "/".join(str(r["queries"]) for r in sizes)
        lines.append(f"{label}: {big['posts']:,} posts alone {big['alone_ms']:.2f} ms, {ratio:.2f}x the "
                     f"{small['posts']:,}-post blog's {small['alone_ms']:.2f} ms (target {RATIO_TARGET}x at most; "
                     f"{_verdict(ratio <= RATIO_TARGET)}); queries {queries}"
                     f"{'' if len(set(queries.split('/'))) == 1 else ' (not constant)'}")
    for r in measured:
        if r["page"].startswith("search") and r["posts"] == max(m["posts"] for m in measured):
            lines.append(f"{r['page']} at {r['posts']:,} posts alone: {r['alone_ms']:.2f} ms (target under "
                         f"{SEARCH_TARGET_MS:.0f} ms; {_verdict(r['alone_ms'] < SEARCH_TARGET_MS)})")
    for r in rows:
        if r["page"].endswith(", page cache") and r["status"] == 200:
            share = r["rps"] / r["ceiling_rps"]
            lines.append(f"{r['page']} at {r['posts']:,} posts: {share:.0%} of the ceiling (target "
                         f"{SHARE_TARGET:.0%} at least; {_verdict(share >= SHARE_TARGET)})"
                         + ("" if r.get("cache_hit", True) else ": the page cache does not serve this page"))
    for r in rows:
        if r["page"].startswith("WordPress") and r["status"] == 200:
            faster = r["alone_ms"] / r["ours_alone_ms"]
            lines.append(f"search for {r['word']!r} at {r['posts']:,} posts alone: ours {r['ours_alone_ms']:.2f} ms, "
                         f"WordPress's {r['alone_ms']:.1f} ms (in turn): {faster:.0f}x faster (target "
                         f"{WORDPRESS_TARGET:.0f}x; {_verdict(faster >= WORDPRESS_TARGET)}); under load ours uncached "
                         f"{r['ours_uncached_rps']:.0f} req/s, WordPress's {r['rps']:.1f} req/s "
                         f"(p50 {r['p50']:.0f} ms{_unanswered(r)})")
    return lines


def _unanswered(row: dict) -> str:
    return f", {row['timeouts']} unanswered in {WORDPRESS_TIMEOUT} s" if row.get("timeouts") else ""


def _share(row: dict) -> str:
    return f"{row['rps'] / row['ceiling_rps']:6.0%}" if "ceiling_rps" in row else f"{'-':>6}"


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _opt(value, spec: str) -> str:
    width = int(spec.split(".")[0].rstrip("df"))
    return f"{value:{spec}}" if value is not None else " " * (width - 1) + "-"


def main() -> None:
    """These rows alone, without the rest of `make bench` (its options, for a shorter look)."""
    import argparse
    import shutil
    import tempfile

    from bench.run import RESULTS, check_wordpress

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--posts", default=",".join(map(str, SIZES)), help="comma-separated sizes")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--wordpress-search", metavar="URL")
    args = parser.parse_args()
    wordpress_search = check_wordpress(args.wordpress_search) if args.wordpress_search else None
    try:
        sizes = parse_sizes(args.posts)
    except ValueError as error:
        parser.error(str(error))
    rows = []
    for kind in args.databases.split(","):
        logs = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{kind}-archives"
        logs.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"blog-bench-{kind}-"))
        ceiling = Server("bench.ceiling:create_app()", {}, args.workers, logs / "ceiling.log")
        try:
            rows += archive_rows(kind, sizes, ceiling, args.seconds, args.workers, logs, workdir, wordpress_search)
        finally:
            ceiling.stop()
            shutil.rmtree(workdir, ignore_errors=True)
    print_archive_table(rows)


if __name__ == "__main__":
    main()
