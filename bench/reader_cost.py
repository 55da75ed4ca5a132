"""What a logged-in reader's post page costs beside a guest's, in process (no server, no network).

Seeds a SQLite database in a temporary directory with WordPress's 200-comment post, the blog's
owner and a reader who logged in with a provider (an Identity row), each with a few likes; then
GETs the post, all comments on one page, as a guest whom the page cache does not serve, as the
owner and as the social reader, in turn, and prints each one's median time per request, its ratio
to the guest's, and the templates it renders. Run: .venv/bin/python -m bench.reader_cost
"""

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask import template_rendered

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from config import ProductionConfig  # noqa: E402
from extensions import db  # noqa: E402

LIKED_COMMENTS = 5  # each logged-in reader likes this many of the post's comments, and the post


def make_app(database_url: str):
    config = type("ReaderCost", (ProductionConfig,), {
        "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret", "SESSION_COOKIE_SECURE": False,
        "TRUSTED_HOSTS": ["localhost"], "SITE_URL": "http://localhost"})
    return create_app(config)


def seed_readers(app) -> tuple[str, dict[str, dict]]:
    """The 200-comment post's path, and the session each reader's requests carry."""
    from auth.models import Identity, User
    from bench import seed
    from blog import likes
    from blog.models import Comment
    from blog.permalinks import post_url
    from blog.settings import save_settings

    with app.test_request_context():
        db.create_all()
        post = seed.load_wordpress_seed()
        save_settings({"page_comments": False})  # all 200 on one page, as WordPress serves them
        owner = User(email="owner@example.com", display_name="Blog Owner", role="administrator", email_verified=True)
        social = User(email="reader@example.com", display_name="Social Reader", email_verified=True)
        db.session.add_all([owner, social])
        db.session.flush()
        identity = Identity(user_id=social.id, provider="google", subject="bench-reader", display_name="Social Reader",
                            email="reader@example.com", email_verified=True,
                            avatar_url="https://example.com/avatar.png")
        db.session.add(identity)
        post.author_id = owner.id
        some = db.session.scalars(sa.select(Comment).where(Comment.post_id == post.id)
                                  .order_by(Comment.id).limit(LIKED_COMMENTS)).all()
        for user in (owner, social):
            likes.like_post(user, post)
            for comment in some:
                likes.like_comment(user, comment)
        db.session.commit()
        sessions = {"guest": {}, "owner": {"_user_id": owner.get_id(), "_fresh": True},
                    "social reader": {"_user_id": social.get_id(), "_fresh": True, "identity_id": identity.id}}
        return post_url(post), sessions


def client_for(app, session: dict):
    client = app.test_client()
    client.set_cookie("comment_author", "bench")  # a guest the page cache does not serve
    if session:
        with client.session_transaction() as stored:
            stored.update(session)
    return client


def templates_and_statements(app, client, path: str) -> tuple[int, int]:
    """How many templates one GET renders (render_template calls, not the includes within them),
    and how many SQL statements it runs."""
    rendered, statements = [], []
    with app.app_context():
        engine = db.engine
    listener = lambda *_: statements.append(1)  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        with template_rendered.connected_to(lambda _app, template, **_: rendered.append(template.name), app):
            assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(rendered), len(statements)


def measure(app, path: str, sessions: dict[str, dict], rounds: int, per_round: int) -> dict[str, dict]:
    """Each reader's median milliseconds per GET over rounds taken in turn, and templates per GET."""
    clients = {name: client_for(app, session) for name, session in sessions.items()}
    times: dict[str, list[float]] = {name: [] for name in clients}
    counts = {name: templates_and_statements(app, client, path) for name, client in clients.items()}
    for _ in range(rounds):
        for name, client in clients.items():
            start = time.perf_counter()
            for _ in range(per_round):
                client.get(path)
            times[name].append((time.perf_counter() - start) * 1000 / per_round)
    return {name: {"ms": statistics.median(times[name]), "templates": counts[name][0], "queries": counts[name][1]}
            for name in clients}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the request log line is the same for every reader: leave it out
    with tempfile.TemporaryDirectory(prefix="reader-cost-") as workdir:
        app = make_app(f"sqlite:///{workdir}/bench.sqlite")
        path, sessions = seed_readers(app)
        results = measure(app, path, sessions, args.rounds, args.per_round)
    guest = results["guest"]["ms"]
    print(f"{'reader':16} {'ms/request':>10} {'x guest':>8} {'templates':>9} {'queries':>7}")
    for name, result in results.items():
        print(f"{name:16} {result['ms']:10.3f} {result['ms'] / guest:8.2f} {result['templates']:9d} "
              f"{result['queries']:7d}")


if __name__ == "__main__":
    main()
