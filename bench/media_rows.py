"""`make bench`'s media rows (pictures), on a blog of their own for each database kind:

- a `medium` image served through the app's /media/ route with the folder storage (development),
  through the app with the database storage (several app servers sharing one database), and by
  nginx from the media folder with an alias (the production proxy) when an nginx binary is installed;
- an upload of a photo-like 4000x3000 JPEG: until the upload answers, until all its sizes exist
  (POST /admin/media/upload, polling its JSON; library.upload in-process where that endpoint is not
  there), and the extra memory making the sizes of such a photo takes, in a fresh process;
- a post page with ten library images beside the same page without them, uncached (the comment
  cookie) and through the page cache, taken in turn, with the SQL statements of each request: the
  first one after a change and the next ones.

`python -m bench.media_rows` runs these rows alone (same options as `make bench`, plus --uploads).
Its child processes (the fill, the in-process upload, the memory of the sizes) are this module too.
"""

import json
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

import requests

from bench.media_children import (
    LIBRARY_IMAGES,
    MediaFolders,
    child_command,
    fill_media_blog,
    in_process,
    photo_jpeg,
    run_in_child,
)
from bench.media_serving import Nginx, fetch_image, nginx_binary, serve_rows
from bench.run import (
    UNCACHED,
    Server,
    alone_ms,
    blog_env,
    drop_database,
    prepare_database,
    wrk,
)

PHOTO_SIZE = (4000, 3000)  # a 12-megapixel camera's photo
# Uploads per storage: a worker's first loads Pillow, and with more uploads than workers the median
# is the answer of a worker that has.
UPLOADS = 5
UPLOAD_PATH = "/admin/media/upload"
POLL_SECONDS = 0.02  # how often an upload's JSON is asked for until its sizes exist
READY_TIMEOUT = 120
ROUNDS = 2  # runs of each post page, in turn with the other and in both orders (with, without, without, with)
ANSWER_TARGET_MS, MEMORY_TARGET_MB, SAME_RATE, EXTRA_QUERIES = 300.0, 100.0, 0.90, 1
WITH_IMAGES, WITHOUT_IMAGES = f"post, {LIBRARY_IMAGES} library images", "post, no images"


def _merged(runs: list[dict]) -> dict:
    return {"rps": statistics.median(r["rps"] for r in runs), "p50": statistics.median(r["p50"] for r in runs),
            "p99": max(r["p99"] for r in runs), "errors": sum(r["errors"] for r in runs)}


def post_rows(kind: str, blog_url: str, database_url: str, paths: dict, seconds: int,
              rounds: int = ROUNDS) -> list[dict]:
    """The post with the library images and the one without, uncached and through the page cache:
    under load and alone, in turn, each as often first as second; their statements per request; how
    many of the images carry a srcset."""
    from bench.archive_rows import _cache_hit

    pages = ((WITH_IMAGES, paths["with_images"]), (WITHOUT_IMAGES, paths["without_images"]))
    measured = in_process(database_url, [path for _label, path in pages], paths["warm_up"])
    rows = []
    for cached in (False, True):
        cookie = None if cached else UNCACHED
        runs, alone = {label: [] for label, _path in pages}, {label: [] for label, _path in pages}
        for n in range(rounds):
            for label, path in pages[::-1] if n % 2 else pages:
                runs[label].append(wrk(blog_url + path, seconds, cookie=cookie))
        for n in range(rounds):
            for label, path in pages[::-1] if n % 2 else pages:
                alone[label].append(alone_ms(blog_url + path, seconds, cookie))
        for label, path in pages:
            html = requests.get(blog_url + path, headers={"Cookie": cookie or ""}, timeout=30).text
            costs = measured[path]
            rows.append({"media": "post", "db": kind, "page": label + (", page cache" if cached else ", uncached"),
                         "cached": cached, "with_images": label == WITH_IMAGES, **_merged(runs[label]),
                         "alone_ms": statistics.median(alone[label]),
                         "html_kb": len(html.encode()) / 1000, "queries_first": costs["first"],
                         "queries_again": costs["again"], "in_process_ms": costs["ms"],
                         "images": len(re.findall(r'<img\b[^>]*src="/media/', html)),
                         "srcset": len(re.findall(r"<img\b[^>]*\bsrcset=", html)),
                         **({"cache_hit": _cache_hit(blog_url + path)} if cached else {})})
    return rows


def admin_session(blog_url: str) -> requests.Session:
    """The bench administrator logged in on the running blog by password, in a session that keeps
    the cookies the blog sets, with the CSRF token of its admin pages in its headers."""
    from bench.queries import BENCH_ADMIN

    session = requests.Session()
    email, password = BENCH_ADMIN
    login = session.get(blog_url + "/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    session.post(blog_url + "/login", data={"csrf_token": token, "email": email, "password": password},
                 allow_redirects=False, timeout=30).raise_for_status()
    page = session.get(blog_url + "/admin/", timeout=30)
    session.headers["X-CSRFToken"] = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1)
    session.headers["Accept"] = "application/json"
    return session


def upload_endpoint(blog_url: str, session: requests.Session) -> bool:
    """Whether the blog has the upload endpoint (a route taking only POST answers a GET with 405)."""
    return session.get(blog_url + UPLOAD_PATH, timeout=30).status_code != 404


def upload_over_http(blog_url: str, session: requests.Session, data: bytes, runs: int) -> list[dict]:
    """Each run: POST the photo as the editor's upload does, time its answer, then poll its JSON
    until the image is ready (all its sizes stored) and fetch its thumbnail."""
    results = []
    for n in range(runs):
        started = time.perf_counter()
        answer = session.post(blog_url + UPLOAD_PATH, files={"file": (f"bench-upload-{n + 1}.jpg", data, "image/jpeg")},
                              timeout=READY_TIMEOUT)
        answered = time.perf_counter()
        if answer.status_code != 201:
            results.append({"status": f"answered {answer.status_code} ({_what_went_wrong(answer)})"})
            continue
        item = answer.json()
        while item["status"] in ("queued", "processing") and time.perf_counter() - started < READY_TIMEOUT:
            time.sleep(POLL_SECONDS)
            item = session.get(f"{blog_url}/admin/media/{item['id']}.json", timeout=30).json()
        ready = time.perf_counter()
        if item["status"] == "ready":
            fetch_image(blog_url + item["thumbnail"])
        results.append({"status": item["status"], "answer_ms": (answered - started) * 1000,
                        "ready_ms": (ready - started) * 1000})
    return results


def _what_went_wrong(answer: requests.Response) -> str:
    """The JSON error of a refused upload, or the title of the page that answered."""
    if answer.headers.get("Content-Type", "").startswith("application/json"):
        return str(answer.json().get("error"))[:200]
    title = re.search(r"<title>(.*?)</title>", answer.text, re.S)
    return title.group(1).strip()[:200] if title else answer.text[:200]


def upload_row(kind: str, storage: str, photo: Path, results: list[dict], via: str) -> dict:
    made = [r for r in results if r["status"] == "ready"]
    row = {"media": "upload", "db": kind, "storage": storage, "via": via, "runs": len(results),
           "page": f"upload {_dimensions(photo)} JPEG ({photo.stat().st_size / 1e6:.1f} MB), {storage} storage",
           "failed": [r["status"] for r in results if r["status"] != "ready"]}
    if made:
        row |= {"answer_ms": statistics.median(r["answer_ms"] for r in made),
                "answer_worst_ms": max(r["answer_ms"] for r in made), "answers_ms": [r["answer_ms"] for r in made],
                "ready_ms": statistics.median(r["ready_ms"] for r in made)}
    return row


def _dimensions(photo: Path) -> str:
    from PIL import Image

    with Image.open(photo) as image:
        return f"{image.width}x{image.height}"


def upload_rows(kind: str, blogs: dict, env: dict, photo: Path, admin_id: int, runs: int) -> list[dict]:
    """The photo's upload on each storage's blog (storage -> running Server): over HTTP when the
    endpoint is there, else in a child process beside it; the worker's peak memory after."""
    rows = []
    data = photo.read_bytes()
    for storage, server in blogs.items():
        session = admin_session(server.url)
        if upload_endpoint(server.url, session):
            results, via = upload_over_http(server.url, session, data, runs), f"POST {UPLOAD_PATH}"
        else:
            child_env = env[storage] | {"MEDIA_BACKGROUND_THREAD": "0"}
            results = run_in_child(["--upload-in-process", str(photo), str(admin_id), str(runs)], child_env)["runs"]
            via = f"in-process library.upload ({UPLOAD_PATH} not there yet)"
        rows.append(upload_row(kind, storage, photo, results, via) | {"worker_peak_mb": server.worker_memory_mb()[0]})
    return rows


def memory_row(kind: str, photo: Path) -> dict:
    found = run_in_child(["--sizes-memory", str(photo)], {})
    return {"media": "memory", "db": kind, "page": f"make_sizes of the {_dimensions(photo)} photo, fresh process",
            **found}


def media_rows(kind: str, seconds: int, workers: int | None, logs: Path, workdir: Path, uploads: int = UPLOADS,
               photo_size: tuple[int, int] = PHOTO_SIZE) -> list[dict]:
    """Every media row for one database kind, on a database and media folders of their own."""
    folders = MediaFolders.under(workdir / "bench-media")
    database_url = prepare_database(kind, workdir, name="bench_media")
    servers: dict = {}
    try:
        print(f"[{kind}] media rows: filling {LIBRARY_IMAGES} library images", file=sys.stderr)
        filled = fill_media_blog(database_url, folders)
        env = {storage: blog_env(database_url) | folders.env(storage) for storage in ("folder", "database")}
        for storage in env:
            servers[storage] = Server("app:create_app()", env[storage], workers, logs / f"blog-media-{storage}.log")
        binary = nginx_binary()
        if binary:
            servers["nginx"] = Nginx(binary, folders.public, workers, workdir / "nginx", logs / "nginx.log")
        else:
            print(f"[{kind}] media rows: nginx is not installed, its row is skipped", file=sys.stderr)
        rows = serve_rows(kind, {which: server.url for which, server in servers.items()}, filled["medium"], seconds)
        rows += post_rows(kind, servers["folder"].url, database_url, filled["paths"], seconds)
        photo = workdir / "bench-photo.jpg"
        photo.write_bytes(photo_jpeg(*photo_size))
        rows += upload_rows(kind, {s: servers[s] for s in ("folder", "database")}, env, photo, filled["admin_id"],
                            uploads)
        rows.append(memory_row(kind, photo))
        return rows
    finally:
        for server in servers.values():
            server.stop()
        drop_database(database_url)


def _opt(value, spec: str, width: int) -> str:
    return f"{value:{spec}}" if value is not None else f"{'-':>{width}}"


def print_media_table(rows: list[dict]) -> None:
    """The media rows, a small table per kind of row, then the targets as ratios of this run."""
    if not rows:
        return
    print()
    serve = [r for r in rows if r["media"] == "serve"]
    if serve:
        header = f"{'db':8} {'medium image':42} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'KB':>6}"
        print(header + "\n" + "-" * len(header))
        for r in serve:
            print(f"{r['db']:8} {r['page']:42} " + (r["skipped"] if "skipped" in r else
                  f"{r['rps']:8.0f} {r['p50']:7.2f} {r['p99']:7.2f} {r['errors']:6d} {r['kb']:6.1f}"))
    posts = [r for r in rows if r["media"] == "post"]
    if posts:
        header = (f"{'db':8} {'post page':42} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'alone ms':>8} "
                  f"{'in-proc ms':>10} {'HTML KB':>7} {'queries 1st/next':>16} {'srcset':>7}")
        print("\n" + header + "\n" + "-" * len(header))
        for r in posts:
            queries = "-" if r["cached"] else f"{r['queries_first']}/{r['queries_again']}"
            in_process_ms = _opt(None if r["cached"] else r["in_process_ms"], "10.2f", 10)
            print(f"{r['db']:8} {r['page']:42} {r['rps']:8.0f} {r['p50']:7.2f} {r['p99']:7.2f} {r['errors']:6d} "
                  f"{r['alone_ms']:8.2f} {in_process_ms} {r['html_kb']:7.1f} {queries:>16} "
                  f"{r['srcset']:3d}/{r['images']:<3d}"
                  + ("" if r.get("cache_hit", True) else "  (the page cache does not serve this page)"))
        print("uncached: a comment cookie; page cache: anonymous; each pair in turn, under load then alone, "
              f"{ROUNDS} rounds in both orders; in-proc (uncached, in process, no server or network) and queries (the "
              "first request after a change, then the next ones): on the uncached rows")
    uploads = [r for r in rows if r["media"] in ("upload", "memory")]
    if uploads:
        header = f"{'db':8} {'upload':42} {'answer ms':>9} {'worst':>7} {'all sizes ms':>12}  how"
        print("\n" + header + "\n" + "-" * len(header))
        for r in uploads:
            if r["media"] == "memory":
                print(f"{r['db']:8} {r['page']:42} {'-':>9} {'-':>7} {r['seconds'] * 1000:12.0f}  extra memory "
                      f"{r['extra_mb']:.1f} MB (peak {r['peak_mb']:.1f} MB, {r['method']})")
                continue
            failed = f"; not ready: {', '.join(r['failed'])}" if r["failed"] else ""
            print(f"{r['db']:8} {r['page']:42} {_opt(r.get('answer_ms'), '9.0f', 9)} "
                  f"{_opt(r.get('answer_worst_ms'), '7.0f', 7)} {_opt(r.get('ready_ms'), '12.0f', 12)}  "
                  f"{r['via']}, median of {r['runs']}{_in_order(r)}; worker peak {r['worker_peak_mb']:.0f} MB{failed}")
    for kind in dict.fromkeys(r["db"] for r in rows):
        for line in target_lines([r for r in rows if r["db"] == kind]):
            print(f"{kind}: {line}")


def _in_order(row: dict) -> str:
    return f" ({', '.join(f'{ms:.0f}' for ms in row['answers_ms'])} ms in turn)" if row.get("answers_ms") else ""


def target_lines(rows: list[dict]) -> list[str]:
    """One database's targets and ratios, every figure from this run."""
    lines = []
    serve = {r["storage"]: r for r in rows if r["media"] == "serve" and "storage" in r}
    if "folder" in serve:
        others = [f"{label} {serve[which]['rps'] / serve['folder']['rps']:.2f}x" for which, label in
                  (("database", "the database storage"), ("nginx", "nginx")) if which in serve]
        if others:
            lines.append(f"medium image, requests a second against the app's with the folder storage: "
                         f"{', '.join(others)}")
    for r in rows:
        if r["media"] == "upload" and "answer_ms" in r:
            lines.append(f"upload ({r['storage']} storage) answers in {r['answer_ms']:.0f} ms (median; target under "
                         f"{ANSWER_TARGET_MS:.0f} ms; {_verdict(r['answer_ms'] < ANSWER_TARGET_MS)}); all sizes "
                         f"after {r['ready_ms']:.0f} ms")
        elif r["media"] == "upload":
            lines.append(f"upload ({r['storage']} storage): no upload was made into its sizes "
                         f"({'; '.join(r['failed'])}): MISSED")
        elif r["media"] == "memory":
            lines.append(f"making the sizes of a 12-megapixel photo takes {r['extra_mb']:.1f} MB of extra memory "
                         f"(target under {MEMORY_TARGET_MB:.0f} MB; {_verdict(r['extra_mb'] < MEMORY_TARGET_MB)})")
    for cached in (False, True):
        pair = {r["with_images"]: r for r in rows if r["media"] == "post" and r["cached"] == cached}
        if len(pair) < 2:
            continue
        ratio = pair[True]["rps"] / pair[False]["rps"]
        lines.append(f"post page {'through the page cache' if cached else 'uncached'}, with {LIBRARY_IMAGES} "
                     f"images / without: {ratio:.2f}x the requests a second ({pair[True]['rps']:.0f} against "
                     f"{pair[False]['rps']:.0f}; target the same within noise, {SAME_RATE:.2f}x at least; "
                     f"{_verdict(ratio >= SAME_RATE)}); alone {pair[True]['alone_ms']:.2f} ms against "
                     f"{pair[False]['alone_ms']:.2f} ms ({pair[True]['alone_ms'] / pair[False]['alone_ms']:.2f}x)"
                     + ("" if cached else f"; in process {pair[True]['in_process_ms']:.2f} ms against "
                        f"{pair[False]['in_process_ms']:.2f} ms "
                        f"({pair[True]['in_process_ms'] / pair[False]['in_process_ms']:.2f}x)"))
        if not cached:
            first = pair[True]["queries_first"] - pair[False]["queries_first"]
            again = pair[True]["queries_again"] - pair[False]["queries_again"]
            lines.append(f"queries per post page, with images / without: first request {pair[True]['queries_first']}"
                         f"/{pair[False]['queries_first']}, next ones {pair[True]['queries_again']}/"
                         f"{pair[False]['queries_again']} (target +{EXTRA_QUERIES} at most, not one per image; "
                         f"{_verdict(max(first, again) <= EXTRA_QUERIES)}); srcset on {pair[True]['srcset']} of "
                         f"{pair[True]['images']} images")
    return lines


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def main() -> None:
    """These rows alone, or (with a leading --fill, --upload-in-process or --sizes-memory) one of its
    child processes, which print one JSON line."""
    if len(sys.argv) > 1 and sys.argv[1] in ("--fill", "--upload-in-process", "--sizes-memory"):
        print(json.dumps(child_command(sys.argv[1], sys.argv[2:])))
        return
    import argparse
    import tempfile

    from bench.run import RESULTS

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--uploads", type=int, default=UPLOADS, help="uploads of the photo per storage")
    args = parser.parse_args()
    rows = []
    for kind in args.databases.split(","):
        logs = RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{kind}-media"
        logs.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"blog-bench-{kind}-"))
        try:
            rows += media_rows(kind, args.seconds, args.workers, logs, workdir, args.uploads)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print_media_table(rows)


if __name__ == "__main__":
    main()
