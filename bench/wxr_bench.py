"""Generate a large WXR export, import it, export it again; print peak memory and rates.

    python bench/wxr_bench.py                       # 20,000 posts, 200,000 comments (~200 MB)
    python bench/wxr_bench.py --posts 2000 --comments-per-post 10
    python bench/wxr_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/NAME

Each phase runs in its own process so that its peak RSS (getrusage ru_maxrss) is its own.
The database must be one you can wipe: the benchmark drops and creates every table in it.
"""

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "<!-- wp:paragraph -->\n<p>Networking starts with people sharing information that could "
    "prove helpful to all parties involved. In the longer term it becomes the process of "
    'establishing and maintaining <a href="https://example.org/">mutually beneficial</a> '
    "relationships – café, 日本語, emoji 🙂.</p>\n<!-- /wp:paragraph -->\n\n"
)
STATUSES = ["1"] * 8 + ["0", "trash"]


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def generate(path: Path, posts: int, per_post: int, seed: int = 7) -> None:
    """Write a WXR 1.2 file with threaded comments, streaming, as WordPress would lay it out."""
    rng = random.Random(seed)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    next_comment = 1
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0"\n'
            '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:wp="http://wordpress.org/export/1.2/"\n>\n<channel>\n'
            "\t<title>Bench</title>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n"
        )
        for n in range(1, 6):
            out.write(
                f"\t<wp:author><wp:author_id>{n}</wp:author_id><wp:author_login>"
                f"{cdata(f'author{n}')}</wp:author_login><wp:author_email>"
                f"{cdata(f'author{n}@example.com')}</wp:author_email><wp:author_display_name>"
                f"{cdata(f'Author {n}')}</wp:author_display_name></wp:author>\n"
            )
        for n in range(1, 21):
            parent = f"cat-{(n - 1) // 4}" if n > 4 else ""
            out.write(
                f"\t<wp:category><wp:term_id>{n}</wp:term_id><wp:category_nicename>cat-{n}"
                f"</wp:category_nicename><wp:category_parent>{parent}</wp:category_parent>"
                f"<wp:cat_name>{cdata(f'Category {n}')}</wp:cat_name></wp:category>\n"
            )
        for post_id in range(1, posts + 1):
            when = start + timedelta(hours=3 * post_id)
            body = PARAGRAPH * rng.randint(3, 10)
            out.write(
                f"\t<item>\n\t\t<title>{cdata(f'Post number {post_id}')}</title>\n"
                f"\t\t<dc:creator>{cdata(f'author{post_id % 5 + 1}')}</dc:creator>\n"
                f'\t\t<guid isPermaLink="false">http://127.0.0.1/?p={post_id}</guid>\n'
                f"\t\t<content:encoded>{cdata(body)}</content:encoded>\n"
                f"\t\t<excerpt:encoded>{cdata('')}</excerpt:encoded>\n"
                f"\t\t<wp:post_id>{post_id}</wp:post_id>\n"
                f"\t\t<wp:post_date>{when - timedelta(hours=5):%Y-%m-%d %H:%M:%S}</wp:post_date>\n"
                f"\t\t<wp:post_date_gmt>{when:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt>\n"
                "\t\t<wp:comment_status>open</wp:comment_status>\n"
                f"\t\t<wp:post_name>post-number-{post_id}</wp:post_name>\n"
                f"\t\t<wp:status>{'publish' if post_id % 10 else 'draft'}</wp:status>\n"
                "\t\t<wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>\n"
                f'\t\t<category domain="category" nicename="cat-{post_id % 20 + 1}">'
                f"{cdata(f'Category {post_id % 20 + 1}')}</category>\n"
                f'\t\t<category domain="post_tag" nicename="tag-{post_id % 50}">'
                f"{cdata(f'tag {post_id % 50}')}</category>\n"
            )
            ids: list[int] = []
            for k in range(per_post):
                comment_id, next_comment = next_comment, next_comment + 1
                parent = rng.choice(ids) if ids and rng.random() < 0.4 else 0
                ids.append(comment_id)
                at = when + timedelta(minutes=7 * (k + 1))
                out.write(
                    f"\t\t<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{cdata(f'Reader {comment_id % 997}')}</wp:comment_author>"
                    f"<wp:comment_author_email>{cdata(f'r{comment_id % 997}@example.com')}"
                    "</wp:comment_author_email><wp:comment_author_url>https://example.net/"
                    "</wp:comment_author_url><wp:comment_author_IP>203.0.113.9"
                    f"</wp:comment_author_IP><wp:comment_date_gmt>{at:%Y-%m-%d %H:%M:%S}"
                    f"</wp:comment_date_gmt><wp:comment_content>"
                    f"{cdata('A thoughtful comment about networking. ' * rng.randint(1, 12))}"
                    f"</wp:comment_content><wp:comment_approved>{rng.choice(STATUSES)}"
                    "</wp:comment_approved><wp:comment_type>comment</wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
                )
            out.write("\t</item>\n")
        out.write("</channel>\n</rss>\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def make_app(database_url: str):
    from app import create_app
    from config import Config

    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", "TESTING": True}
    return create_app(type("BenchConfig", (Config,), settings))


def run_import(path: str, database_url: str) -> None:
    from extensions import db
    from wordpress.wxr.importer import import_wxr

    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        baseline = peak_rss_mb()
        with open(path, "rb") as source:
            report = import_wxr(source)
        items = report.items_read + report.comments_read
        print(
            f"import: {report.items_read:,} posts and {report.comments_read:,} comments "
            f"in {report.seconds:.1f} s = {items / report.seconds:,.0f} items/s "
            f"({report.comments_read / report.seconds:,.0f} comments/s)"
        )
        print(
            f"import: peak RSS {peak_rss_mb():.0f} MB (process before reading: {baseline:.0f} "
            f"MB) for a {os.path.getsize(path) / 2**20:.0f} MB file"
        )


def run_export(path: str, database_url: str) -> None:
    from wordpress.wxr.exporter import write_wxr

    app = make_app(database_url)
    with app.app_context(), app.test_request_context(base_url="http://127.0.0.1:5000"):
        baseline = peak_rss_mb()
        started = time.perf_counter()
        with open(path, "wb") as out:
            report = write_wxr(out)
        seconds = time.perf_counter() - started
        items = report.posts + report.pages + report.comments
        print(
            f"export: {items:,} posts and comments in {seconds:.1f} s = {items / seconds:,.0f} "
            f"items/s; peak RSS {peak_rss_mb():.0f} MB (before: {baseline:.0f} MB), "
            f"{os.path.getsize(path) / 2**20:.0f} MB written"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--comments-per-post", type=int, default=10)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temp folder")
    parser.add_argument("--phase", choices=["import", "export"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "import":
        return run_import(args.file, args.database_url)
    if args.phase == "export":
        return run_export(args.file, args.database_url)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "bench.xml"
        database_url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        started = time.perf_counter()
        generate(source, args.posts, args.comments_per_post)
        print(
            f"generated {source.stat().st_size / 2**20:.0f} MB: {args.posts:,} posts, "
            f"{args.posts * args.comments_per_post:,} comments "
            f"in {time.perf_counter() - started:.1f} s"
        )
        for phase in ("import", "export"):
            target = source if phase == "import" else Path(folder) / "out.xml"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--phase",
                    phase,
                    "--file",
                    str(target),
                    "--database-url",
                    database_url,
                ],
                check=True,
                cwd=ROOT,
            )


if __name__ == "__main__":
    main()
