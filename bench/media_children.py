"""The media rows' child processes and in-process runs against the app: the fill, the upload, the sizes' memory."""

import io
import json
import os
import random
import re
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench.run import PYTHON, ROOT

LIBRARY_IMAGES = 10  # on the post page
LIBRARY_IMAGE_SIZE = (1600, 1067)  # small enough to be made into its sizes within the upload
IN_PROCESS_ROUNDS, IN_PROCESS_REQUESTS = 6, 50  # the post pages timed in process, in turn
NOISE_SIGMA, NOISE_SHARE, PHOTO_QUALITY = 48, 0.22, 90  # compresses as a camera's photo does
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


def run_in_child(arguments: list[str], env: dict) -> dict:
    """Run `python -m bench.media_rows <arguments>` in a child process (its main() hands them to
    child_command()); the JSON of its last line."""
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
    filled = run_in_child(["--fill", str(images), f"{size[0]}x{size[1]}"], env)
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


def child_command(command: str, arguments: list[str]):
    """One child process's work (--fill, --upload-in-process or --sizes-memory), for main() to print as JSON."""
    if command == "--sizes-memory":
        return sizes_memory(Path(arguments[0]))
    if command == "--upload-in-process":
        return {"runs": upload_in_process(Path(arguments[0]), int(arguments[1]), int(arguments[2]))}
    from app import create_app

    width, height = map(int, arguments[1].split("x"))
    with create_app().test_request_context():
        filled = fill(int(arguments[0]), (width, height))
    return filled | {"database_files": copy_to_database_storage(Path(os.environ["MEDIA_ROOT"]))}
