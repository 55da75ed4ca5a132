"""The spam defence's pages run a fixed number of SQL statements, however many comments, reports and
steps on the ladder there are: the report form, the queue by most likely spam, the Reported tab and
the commenter page."""

import sqlalchemy as sa

from blog.demo import make_commented_post
from blog.models import Comment
from blog.spam.models import CommenterAction, CommentReport
from extensions import db
from tests.support.helpers import statements_during

SIZES = (2, 20, 200)  # each leaves a held comment in the queue beside the approved first one


def statements_for(app, client, path: str) -> int:
    client.get(path)  # warm the per-process caches
    responses = []
    seen = statements_during(app, lambda: responses.append(client.get(path)))
    assert responses[0].status_code == 200, path
    return len(seen)


def reported_post(size: int) -> int:
    """A post of `size` comments by one author, each reported twice and held, with ladder steps on
    its author; the id of its first comment."""
    post = make_commented_post(f"reported-{size}", size, seed=size)
    ids = db.session.scalars(sa.select(Comment.id).where(Comment.post_id == post.id).order_by(Comment.id)).all()
    db.session.execute(sa.update(Comment).where(Comment.id.in_(ids)).values(
        author_email="same@example.com", status="pending", spam_score=0.5))
    db.session.add_all(CommentReport(comment_id=i, reason=reason, reporter_key=f"{i}-{reason}")
                       for i in ids for reason in ("spam", "abuse"))
    db.session.add_all(CommenterAction(kind="email", value="same@example.com", level="hold", note=f"step {n}")
                       for n in range(size))
    db.session.commit()
    return ids[0]


def test_the_spam_defence_pages_run_as_many_statements_at_every_size(app, admin_client):
    pages = {
        "report form": lambda first: f"/comments/{first}/report",
        "queue by likely spam": lambda first: "/admin/comments?comment_status=pending&orderby=spam_score",
        "Reported tab": lambda first: "/admin/comments/reported",
        "commenter page": lambda first: f"/admin/comments/{first}/commenter",
    }
    counts = {name: {} for name in pages}
    for size in SIZES:
        first = reported_post(size)
        db.session.execute(sa.update(Comment).where(Comment.id == first).values(status="approved"))
        db.session.commit()
        for name, path in pages.items():
            client = app.test_client() if name == "report form" else admin_client
            counts[name][size] = statements_for(app, client, path(first))
    for name, by_size in counts.items():
        assert len(set(by_size.values())) == 1, (name, by_size)
