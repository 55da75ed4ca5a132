"""Fill a migrated database for the benchmark (run by bench/run.py in a child process)."""

import json
import sys

import sqlalchemy as sa

from app import create_app
from auth.models import User
from bench import seed
from bench.queries import BENCH_ADMIN
from blog.models import Comment
from blog.permalinks import post_url
from blog.settings import save_settings
from blog.spam.models import CommentReport
from extensions import db


def fill(big: int) -> dict:
    email, password = BENCH_ADMIN
    admin = User(email=email, display_name="Bench Admin", role="administrator", email_verified=True)
    admin.set_password(password)
    db.session.add(admin)
    for n in range(30):
        seed.make_post(f"older-post-{n}", f"An older post, number {n}", "Some words.\n\n" * 5,
                       seed.START.replace(year=2023, day=1 + n % 28))
    posts = {
        "post_0": seed.make_post("quiet-post", "A post nobody answered yet", "Nothing to see.\n\n" * 3),
        "post_10": seed.make_commented_post("ten-comments", 10, seed=10),
        "post_200": seed.load_wordpress_seed(),
        "post_10k": seed.make_commented_post("ten-thousand-comments", 10_000, seed=20),
        "post_big": seed.make_commented_post("the-biggest-thread", big, seed=30),
    }
    paths = {"home": "/", "big": big} | {key: post_url(post) for key, post in posts.items()}
    paths |= reported_comments(posts["post_200"])
    seed.write_out()
    return paths


def reported_comments(post) -> dict:
    """Readers' reports on every tenth comment of the 200-comment post, for the Reported tab; the
    report page's and commenter page's paths of its first comment."""
    comments = db.session.scalars(sa.select(Comment.id).where(Comment.post_id == post.id).order_by(Comment.id)).all()
    db.session.add_all(CommentReport(comment_id=comment_id, reason=reason, reporter_key=f"bench-{n}-{reason}",
                                     explanation="Reported by the benchmark.")
                       for n, comment_id in enumerate(comments[::10]) for reason in ("spam", "abuse"))
    first = comments[0]
    return {"report_page": f"/comments/{first}/report", "commenter_page": f"/admin/comments/{first}/commenter"}


def main() -> None:
    app = create_app()
    with app.test_request_context():
        if sys.argv[1] == "--settings":
            save_settings(json.loads(sys.argv[2]))
            db.session.commit()
            return
        print(json.dumps(fill(int(sys.argv[1]))))


if __name__ == "__main__":
    main()
