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

import io
import json
import os
import pwd
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from bench.run import (
    PYTHON,
    ROOT,
    UNCACHED,
    Server,
    alone_ms,
    blog_env,
    drop_database,
    free_port,
    prepare_database,
    wrk,
)

PHOTO_SIZE = (4000, 3000)  # a 12-megapixel camera's photo
LIBRARY_IMAGES = 10  # on the post page
LIBRARY_IMAGE_SIZE = (1600, 1067)  # small enough to be made into its sizes within the upload
# Uploads per storage: a worker's first loads Pillow, and with more uploads than workers the median
# is the answer of a worker that has.
UPLOADS = 5
UPLOAD_PATH = "/admin/media/upload"
POLL_SECONDS = 0.02  # how often an upload's JSON is asked for until its sizes exist
READY_TIMEOUT = 120
IN_PROCESS_ROUNDS, IN_PROCESS_REQUESTS = 6, 50  # the post pages timed in process, in turn
ROUNDS = 2  # runs of each post page, in turn with the other and in both orders (with, without, without, with)
ANSWER_TARGET_MS, MEMORY_TARGET_MB, SAME_RATE, EXTRA_QUERIES = 300.0, 100.0, 0.90, 1
NOISE_SIGMA, NOISE_SHARE, PHOTO_QUALITY = 48, 0.22, 90  # compresses as a camera's photo does
SERVE_ROWS = (("medium image: app, folder storage", "folder"), ("medium image: app, database storage", "database"),
              ("medium image: nginx, alias", "nginx"))
NGINX_SKIPPED = "skipped: nginx not installed"
WITH_IMAGES, WITHOUT_IMAGES = f"post, {LIBRARY_IMAGES} library images", "post, no images"
PARAGRAPH = ("We left before dawn and walked along the river until the fog lifted over the bridge; "
             "by noon the market was full and the light on the old walls had turned the colour of honey. ")


def photo_jpeg(width: int, height: int, seed: int = 1) -> bytes:
    """A photo-like JPEG: soft shapes on a sky-like gradient under sensor-like noise, so that it
    compresses as a camera's photo does (a flat picture would be a small fraction of the size)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    small = Image.new("RGB", (max(2, width // 16), max(2, height // 16)))
    draw = ImageDraw.Draw(small)
    for y in range(small.height):
        t = y / small.height
        draw.line([(0, y), (small.width, y)], fill=(int(90 + 120 * t), int(140 + 60 * t), int(210 - 120 * t)))
    for _ in range(40):
        x, y, r = rng.randrange(small.width), rng.randrange(small.height), rng.randrange(1, max(2, small.width // 4))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    scene = small.filter(ImageFilter.GaussianBlur(2)).resize((width, height), Image.Resampling.BICUBIC)
    noise = Image.merge("RGB", [Image.effect_noise((width, height), NOISE_SIGMA) for _ in range(3)])
    exif = Image.Exif()
    exif.update({0x010F: "Bench Camera", 0x0110: "Model 12", 0x0112: 1})  # make, model, orientation
    out = io.BytesIO()
    Image.blend(scene, noise, NOISE_SHARE).save(out, "JPEG", quality=PHOTO_QUALITY, exif=exif)
    return out.getvalue()


@dataclass(frozen=True)
class MediaFolders:
    public: Path
    originals: Path

    @classmethod
    def under(cls, workdir: Path) -> "MediaFolders":
        folders = cls(workdir / "media", workdir / "media-originals")
        folders.public.mkdir(parents=True, exist_ok=True)
        folders.originals.mkdir(parents=True, exist_ok=True)
        return folders

    def env(self, storage: str = "folder") -> dict:
        return {"MEDIA_STORAGE": storage, "MEDIA_ROOT": str(self.public), "MEDIA_ORIGINALS_ROOT": str(self.originals)}


def _child(arguments: list[str], env: dict) -> dict:
    """Run this module in a child process; the JSON of its last line."""
    done = subprocess.run([PYTHON, "-m", "bench.media_rows", *arguments], cwd=ROOT, env=os.environ | env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"bench.media_rows {' '.join(arguments)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def fill_media_blog(database_url: str, folders: MediaFolders, images: int = LIBRARY_IMAGES,
                    size: tuple[int, int] = LIBRARY_IMAGE_SIZE) -> dict:
    """Migrate the database, then fill it in a child process (fill()); its JSON."""
    env = os.environ | {"DATABASE_URL": database_url, "BLOG_ENV": "development", "SECRET_KEY": "bench",
                        "MEDIA_BACKGROUND_THREAD": "0"} | folders.env()
    subprocess.run([PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    filled = _child(["--fill", str(images), f"{size[0]}x{size[1]}"], env)
    os.sync()
    return filled


def fill(images: int, size: tuple[int, int]) -> dict:
    """The fill's child process, in a request context: the bench administrator, `images` library
    images uploaded as an editor would, and three posts of the same paragraphs: one showing every
    image (Markdown, the addresses the editor inserts), one without them, and one to warm caches on."""
    from auth.models import User
    from bench.queries import BENCH_ADMIN
    from blog.demo import publish_post
    from blog.media import library
    from blog.permalinks import post_url
    from extensions import db

    email, password = BENCH_ADMIN
    admin = User(email=email, display_name="Bench Admin", role="administrator", email_verified=True)
    admin.set_password(password)
    db.session.add(admin)
    db.session.commit()
    media = [library.upload(photo_jpeg(*size, seed=n), f"bench-photo-{n + 1}.jpg", admin.id,
                            alt_text=f"Photo {n + 1} of the walk") for n in range(images)]
    unready = [(m.path, m.status, m.error) for m in media if m.status != "ready"]
    if unready:
        raise RuntimeError(f"library images not made into their sizes: {unready}")
    paragraphs = [PARAGRAPH * 3] * images
    pictures = [f"![{m.alt_text}]({m.url()})" for m in media]
    with_images = "\n\n".join(part for pair in zip(paragraphs, pictures, strict=True) for part in pair)
    posts = {"with_images": publish_post("ten-pictures", "A walk by the river, with pictures", with_images),
             "without_images": publish_post("no-pictures", "A walk by the river, in words only",
                                            "\n\n".join(paragraphs)),
             "warm_up": publish_post("warm-up", "Another walk", "\n\n".join(paragraphs))}
    return {"admin_id": admin.id, "medium": media[0].file_key("medium"), "images": [m.path for m in media],
            "paths": {key: post_url(post) for key, post in posts.items()}}


def copy_to_database_storage(public: Path) -> int:
    """The fill's child process: the public files into the database storage too, so that one set of
    media rows is served by both storages. How many files."""
    from app import create_app
    from blog.media.storage import storage
    from config import config_for_environment
    from extensions import db

    app = create_app(type("BenchDatabaseMedia", (config_for_environment(),), {"MEDIA_STORAGE": "database"}))
    files = [file for file in sorted(public.rglob("*")) if file.is_file()]
    with app.app_context():
        for file in files:
            storage().save("public", file.relative_to(public).as_posix(), file.read_bytes())
        db.session.commit()
        db.engine.dispose()
    return len(files)


def nginx_binary() -> str | None:
    """nginx if installed (Debian puts it in /usr/sbin, which an ordinary user's PATH may lack)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def nginx_config(public: Path, port: int, workers: int, prefix: Path) -> str:
    """nginx serving the media folder at /media/ as the README's example does (a plain alias, long
    cache headers), on a port of 127.0.0.1, with its files under `prefix`."""
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""  # root's workers read
    temp = "\n".join(f"  {kind}_temp_path {prefix / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                          "scgi"))
    return f"""{user}daemon off;
worker_processes {workers};
pid {prefix / "nginx.pid"};
events {{ worker_connections 1024; }}
http {{
  access_log off;
{temp}
  types {{ image/jpeg jpg jpeg; image/png png; image/gif gif; image/webp webp; image/avif avif; }}
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  server {{
    listen 127.0.0.1:{port};
    location /media/ {{
      alias {public}/;
      expires 1y;
      add_header X-Content-Type-Options nosniff;
    }}
  }}
}}
"""


class Nginx:
    """nginx on a free port of 127.0.0.1 serving the media folder; stops with stop()."""

    def __init__(self, binary: str, public: Path, workers: int | None, prefix: Path, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        prefix.mkdir(parents=True, exist_ok=True)
        config = prefix / "nginx.conf"
        config.write_text(nginx_config(public, self.port, workers or os.cpu_count() or 1, prefix))
        self.process = subprocess.Popen([binary, "-p", str(prefix), "-c", str(config), "-e", str(log)], cwd=prefix,
                                        stdout=subprocess.DEVNULL, stderr=log.open("a"), start_new_session=True)
        wait_for_port(self.port, self.process, log)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=20)


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    import socket

    for _ in range(100):
        if process.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nginx did not start: {log.read_text(errors='replace')[-2000:]}")


def fetch_image(url: str) -> bytes:
    """One image as a browser gets it; refused unless it is a JPEG answered with 200."""
    answer = requests.get(url, timeout=30)
    if answer.status_code != 200 or answer.headers.get("Content-Type") != "image/jpeg":
        raise RuntimeError(f"{url} answered {answer.status_code} {answer.headers.get('Content-Type')}")
    return answer.content


def serve_rows(kind: str, servers: dict, key: str, seconds: int) -> list[dict]:
    """The `medium` image under load from each server (label -> base URL, None when not there)."""
    rows = []
    for label, which in SERVE_ROWS:
        base = servers.get(which)
        if base is None:
            rows.append({"media": "serve", "db": kind, "page": label, "skipped": NGINX_SKIPPED})
            continue
        url = f"{base}/media/{key}"
        size = len(fetch_image(url))
        rows.append({"media": "serve", "db": kind, "page": label, "storage": which, "kb": size / 1000,
                     **wrk(url, seconds)})
    return rows


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


def in_process(database_url: str, paths: list[str], warm_up: str, rounds: int = IN_PROCESS_ROUNDS,
               per_round: int = IN_PROCESS_REQUESTS) -> dict[str, dict]:
    """Per path, uncached, in a fresh app with no server or network between: the SQL statements of
    its first request (after one for warm_up has filled what every post page shares) and of the next
    one, then its median milliseconds per request over rounds taking the paths in turn, in both orders."""
    import logging

    import sqlalchemy as sa

    from app import create_app
    from config import ProductionConfig
    from extensions import db

    app = create_app(type("BenchMediaCount", (ProductionConfig,), {
        "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret", "SESSION_COOKIE_SECURE": False,
        "TRUSTED_HOSTS": ["localhost"]}))
    client = app.test_client()
    client.set_cookie("comment_author", "bench")
    with app.app_context():
        engine = db.engine
    seen: list[str] = []
    listener = lambda _c, _cur, statement, *_: seen.append(statement)  # noqa: E731
    found = {}
    if client.get(warm_up).status_code != 200:
        raise RuntimeError(f"{warm_up} does not answer 200")
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        for path in paths:
            per_request = []
            for _ in range(2):
                seen.clear()
                status = client.get(path).status_code
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                per_request.append(len(seen))
            found[path] = {"first": per_request[0], "again": per_request[1], "times": []}
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    logging.disable(logging.INFO)  # the request log line is the same for every page: leave it out
    try:
        for n in range(rounds):
            for path in paths[::-1] if n % 2 else paths:
                started = time.perf_counter()
                for _ in range(per_round):
                    client.get(path)
                found[path]["times"].append((time.perf_counter() - started) * 1000 / per_round)
    finally:
        logging.disable(logging.NOTSET)
        engine.dispose()
    return {path: {"first": f["first"], "again": f["again"], "ms": statistics.median(f["times"])}
            for path, f in found.items()}


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


def upload_in_process(path: Path, author_id: int, runs: int) -> list[dict]:
    """The in-process child: library.upload of the photo, then the processing the background thread
    would do (library.process), timed as the endpoint's answer and until the sizes exist."""
    from app import create_app
    from blog.media import library
    from blog.media.models import Media
    from extensions import db

    app = create_app()
    data = path.read_bytes()
    results = []
    with app.test_request_context():
        for n in range(runs):
            started = time.perf_counter()
            media = library.upload(data, f"bench-upload-{n + 1}.jpg", author_id)
            answered = time.perf_counter()
            media_id = media.id
            if media.status != "ready":
                library.process(media_id)
            db.session.expire_all()
            status = db.session.get(Media, media_id).status
            ready = time.perf_counter()
            results.append({"status": status, "answer_ms": (answered - started) * 1000,
                            "ready_ms": (ready - started) * 1000})
    return results


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
            results = _child(["--upload-in-process", str(photo), str(admin_id), str(runs)], child_env)["runs"]
            via = f"in-process library.upload ({UPLOAD_PATH} not there yet)"
        rows.append(upload_row(kind, storage, photo, results, via) | {"worker_peak_mb": server.worker_memory_mb()[0]})
    return rows


def sizes_memory(path: Path) -> dict:
    """The memory child, a fresh process: the extra memory make_sizes takes for the photo, its peak
    (VmHWM, reset through clear_refs) above the resident memory just before, Pillow already loaded."""
    data = path.read_bytes()
    from blog.media.images import make_sizes

    make_sizes(photo_jpeg(64, 48), "2026/12/warm-up.jpg")  # Pillow's codecs loaded, as after a first image
    try:
        Path("/proc/self/clear_refs").write_text("5")
        method = "VmHWM after clear_refs"
    except OSError:
        method = "ru_maxrss"
    before = _status_mb("VmRSS") if method.startswith("VmHWM") else _maxrss_mb()
    started = time.perf_counter()
    files = make_sizes(data, "2026/12/bench-photo.jpg")
    seconds = time.perf_counter() - started
    peak = _status_mb("VmHWM") if method.startswith("VmHWM") else _maxrss_mb()
    return {"before_mb": before, "peak_mb": peak, "extra_mb": peak - before, "seconds": seconds, "method": method,
            "sizes": {name: [file.width, file.height] for name, file in files.items()}}


def _status_mb(field: str) -> float:
    return int(re.search(rf"{field}:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_row(kind: str, photo: Path) -> dict:
    found = _child(["--sizes-memory", str(photo)], {})
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
        print(json.dumps(_run_child(sys.argv[1], sys.argv[2:])))
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


def _run_child(command: str, arguments: list[str]):
    if command == "--sizes-memory":
        return sizes_memory(Path(arguments[0]))
    if command == "--upload-in-process":
        return {"runs": upload_in_process(Path(arguments[0]), int(arguments[1]), int(arguments[2]))}
    from app import create_app

    width, height = map(int, arguments[1].split("x"))
    with create_app().test_request_context():
        filled = fill(int(arguments[0]), (width, height))
    return filled | {"database_files": copy_to_database_storage(Path(os.environ["MEDIA_ROOT"]))}


if __name__ == "__main__":
    main()
