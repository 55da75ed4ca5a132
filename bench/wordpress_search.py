"""WordPress's copy of the benchmark's blog, for the search comparison (`bench/run.py --wordpress-search`).

Loads the posts of bench/blog_content.py (the same titles, bodies and dates as the blog's fill of
that size) into the WordPress that ../shared/bench/wordpress/setup_and_bench.sh runs, by multi-row
INSERTs into wp_posts through the `mariadb` client (`wp post generate` takes hours at this size).
Run as root after `setup_and_bench.sh install start setup`:

    python -m bench.wordpress_search                 # 100,000 posts, WordPress's state in /var/tmp/wpbench
    python -m bench.wordpress_search --posts 10000 --run /var/tmp/wpbench

A second run replaces the posts of the first. Then checks that WordPress's search finds the rare
word's posts and prints the URL to give `bench/run.py --wordpress-search`.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import blog_content  # noqa: E402  (run as a script too)

GUID_PREFIX = "urn:bench-posts:"  # marks the posts loaded here, so that a second load replaces them
ROWS_PER_INSERT = 500
WORDPRESS_URL = "http://127.0.0.1:18080/"  # setup_and_bench.sh's WP_PORT
COLUMNS = ("post_author", "post_date", "post_date_gmt", "post_content", "post_title", "post_excerpt", "post_status",
           "comment_status", "ping_status", "post_password", "post_name", "to_ping", "pinged", "post_modified",
           "post_modified_gmt", "post_content_filtered", "post_parent", "guid", "menu_order", "post_type",
           "post_mime_type", "comment_count")


def block_markup(post: blog_content.GeneratedPost) -> str:
    """The body as WordPress's block editor stores paragraphs (as setup_and_bench.sh's posts are)."""
    return "\n\n".join(f"<!-- wp:paragraph -->\n<p>{paragraph}</p>\n<!-- /wp:paragraph -->"
                       for paragraph in post.paragraphs)


def sql_string(text: str) -> str:
    """A MySQL string literal (the client's default sql_mode, where backslash escapes)."""
    escaped = (text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
               .replace("\0", "\\0").replace("\x1a", "\\Z"))
    return f"'{escaped}'"


def _values(post: blog_content.GeneratedPost) -> str:
    date = post.published_at.strftime("%Y-%m-%d %H:%M:%S")
    values = (1, date, date, block_markup(post), post.title, "", "publish", "open", "open", "", post.slug, "", "",
              date, date, "", 0, f"{GUID_PREFIX}{post.number}", 0, "post", "", 0)
    return "(" + ",".join(str(v) if isinstance(v, int) else sql_string(v) for v in values) + ")"


def statements(count: int):
    """The SQL that replaces the loaded posts with `count` posts, in one transaction."""
    yield "SET autocommit = 0;"
    yield f"DELETE FROM wp_posts WHERE guid LIKE '{GUID_PREFIX}%';"
    batch = []
    for post in blog_content.generate(count):
        batch.append(_values(post))
        if len(batch) == ROWS_PER_INSERT:
            yield f"INSERT INTO wp_posts ({','.join(COLUMNS)}) VALUES {','.join(batch)};"
            batch = []
    if batch:
        yield f"INSERT INTO wp_posts ({','.join(COLUMNS)}) VALUES {','.join(batch)};"
    yield "COMMIT;"


def load(count: int, run: Path) -> float:
    """Load the posts into WordPress's database; returns the seconds it took."""
    started = time.perf_counter()
    client = subprocess.Popen(["mariadb", f"--defaults-file={run / 'my.cnf'}", "wordpress"], stdin=subprocess.PIPE,
                              text=True)
    for statement in statements(count):
        client.stdin.write(statement + "\n")
    client.stdin.close()
    if client.wait():
        sys.exit(f"mariadb failed ({client.returncode}) loading the posts")
    return time.perf_counter() - started


def search_url(base: str, word: str) -> str:
    return f"{base.rstrip('/')}/?s={quote(word)}"


def check(base: str, count: int) -> float:
    """WordPress's search finds the newest post with the rare word; returns that request's seconds."""
    import requests

    started = time.perf_counter()
    page = requests.get(search_url(base, blog_content.RARE_WORD), timeout=120)
    took = time.perf_counter() - started
    newest = max(number for number in range(count) if blog_content.has_rare_word(number))
    expected = next(blog_content.generate(count, newest, newest + 1))
    if page.status_code != 200 or expected.slug not in page.text:
        sys.exit(f"WordPress's search for {blog_content.RARE_WORD!r} did not find the posts of a {count:,}-post "
                 f"blog ({page.status_code}): load them with python -m bench.wordpress_search --posts {count}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--run", type=Path, default=Path("/var/tmp/wpbench"),
                        help="setup_and_bench.sh's RUN directory (its MariaDB's my.cnf)")
    parser.add_argument("--url", default=WORDPRESS_URL, help="WordPress's home page on this machine")
    args = parser.parse_args()
    seconds = load(args.posts, args.run)
    print(f"loaded {args.posts:,} posts into WordPress in {seconds:.0f} s", file=sys.stderr)
    took = check(args.url, args.posts)
    print(f"WordPress's search for {blog_content.RARE_WORD!r} answered in {took * 1000:.0f} ms", file=sys.stderr)
    print(f"bench/run.py --wordpress-search {args.url}")


if __name__ == "__main__":
    main()
