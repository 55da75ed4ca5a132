"""The benchmark's logged-in readers of the 200-comment post: the blog's owner (bench/queries.py's
BENCH_ADMIN) and a reader who came with a provider (a user with an Identity row).

Run in a child process after bench/fill.py (`python -m bench.readers`): adds the reader and makes
both like the post and a few of its comments, so their pages have state to show. reader_cookie()
then logs a reader in on the running blog and returns the Cookie header its requests carry.
"""

import json
import re

import requests

SOCIAL_READER = ("bench-reader@example.com", "bench-reader-password")
LIKED_COMMENTS = 5
BENCH_SECRET = "bench-secret"  # bench/run.py's SECRET_KEY for the blog it serves


def add_readers() -> dict:
    """The social reader and both readers' likes; returns the reader's identity id."""
    import sqlalchemy as sa

    from auth.models import Identity, User
    from bench.queries import BENCH_ADMIN
    from bench.seed import WORDPRESS_SEED
    from blog import likes
    from blog.models import Comment, Post
    from extensions import db

    email, password = SOCIAL_READER
    reader = User(email=email, display_name="Bench Reader", email_verified=True)
    reader.set_password(password)  # so the benchmark can log in without a provider; the session says which
    db.session.add(reader)
    db.session.flush()
    identity = Identity(user_id=reader.id, provider="google", subject="bench-reader", display_name="Bench Reader",
                        email=email, email_verified=True, avatar_url="https://example.com/bench-reader.png")
    db.session.add(identity)
    slug = json.loads(WORDPRESS_SEED.read_text())["post"]["slug"]
    post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
    some = db.session.scalars(sa.select(Comment).where(Comment.post_id == post.id).order_by(Comment.id)
                              .limit(LIKED_COMMENTS)).all()
    owner = db.session.scalar(sa.select(User).where(User.email == BENCH_ADMIN[0]))
    for user in (owner, reader):
        likes.like_post(user, post)
        for comment in some:
            likes.like_comment(user, comment)
    db.session.commit()
    return {"identity_id": identity.id}


def reader_cookie(blog_url: str, credentials: tuple[str, str], identity_id: int | None = None) -> str:
    """The Cookie header of a reader logged in on the running blog by password; with identity_id,
    the session also names the provider account, as the provider's callback leaves it."""
    session = requests.Session()
    page = session.get(blog_url + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    email, password = credentials
    session.post(blog_url + "/login", data={"csrf_token": token, "email": email, "password": password},
                 allow_redirects=False, timeout=10)
    cookies = dict(session.cookies.items())
    if identity_id is not None:
        cookies["blog_session"] = _with_identity(cookies["blog_session"], identity_id)
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _with_identity(cookie: str, identity_id: int) -> str:
    """The session cookie re-signed with the identity key auth.social sets after a provider log-in."""
    from flask import Flask

    from auth.services import IDENTITY_KEY

    signer = Flask(__name__)
    signer.secret_key = BENCH_SECRET
    serializer = signer.session_interface.get_signing_serializer(signer)
    return serializer.dumps(serializer.loads(cookie) | {IDENTITY_KEY: identity_id})


def main() -> None:
    from app import create_app

    app = create_app()
    with app.test_request_context():
        print(json.dumps(add_readers()))


if __name__ == "__main__":
    main()
