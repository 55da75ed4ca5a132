"""Two copies of the blog, each on 127.0.0.1 with a database of its own, talk Webmention to each
other as two sites on the internet would: a post on one answers a post on the other, its owner
approves the mention and replies, and the reply arrives back as a comment on the first post."""

import sqlalchemy as sa

from blog.discussion import CommentInput, submit_comment
from blog.models import Comment
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.posts import PostDraft, save_post
from blog.remote_replies import comment_from_source
from blog.settings import get_settings, save_settings
from extensions import db
from tests.conftest import ON_POSTGRES
from tests.support.admin import make_user
from tests.support.live_blog import serve_blog
from webmention.models import Webmention
from webmention.worker import webmention_pass


def _publish(title: str, body: str):
    owner = make_user(True, f"Owner of {title}", f"owner-{title.lower()}@example.com")
    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    draft = PostDraft(title=title, slug=title.lower(), body=body, excerpt="", published_at=None, comments_open=True,
                      action="publish", status="published")
    post = save_post(None, draft, owner).post
    return owner, post, post_url(post, _external=True)


def _sent() -> list[Webmention]:
    return list(db.session.scalars(sa.select(Webmention).where(Webmention.direction == "sent")))


def test_a_post_answering_another_blog_arrives_there_and_the_owners_reply_comes_back(app_factory, tmp_path):
    with (serve_blog(app_factory, None if ON_POSTGRES else tmp_path / "first.sqlite") as first,
          serve_blog(app_factory, tmp_path / "second.sqlite") as second):
        with first.app.test_request_context():
            first_owner, original, original_url = _publish("Original", "Words worth answering.")
            original_id = original.id

        # The second blog's owner answers in a post of their own: publishing sends the mention.
        with second.app.test_request_context():
            _owner, answer, answer_url = _publish("Answer", f"About [that post]({original_url}): I agree.")
            answer_id = answer.id
            webmention_pass()
            [mention] = _sent()
            assert (mention.target, mention.status) == (original_url, "sent")
            assert mention.endpoint == f"{first.url}/webmention"  # discovered on the first blog's post page

        # The first blog verifies it by reading the answer, holds it, and its owner approves and replies.
        with first.app.test_request_context():
            webmention_pass()
            received = comment_from_source(answer_url)
            assert received is not None and received.post_id == original_id
            assert (received.status, received.comment_type) == ("pending", "webmention")
            assert "I agree." in received.body
            set_comment_status(received, "approved", first_owner)
            db.session.commit()
            owner = db.session.get(type(first_owner), first_owner.id)
            post = db.session.get(type(original), original_id)
            reply = submit_comment(post, CommentInput(body="Thank you for answering, neighbour.", user=owner,
                                                      author_name=owner.display_name, author_email=owner.email,
                                                      parent_id=received.id), get_settings()).comment
            assert reply.status == "approved"
            webmention_pass()
            back = next(row for row in _sent() if row.target == answer_url)
            assert back.status == "sent", back.last_error

        # The second blog verifies the reply against the first blog's page and shows it under the answer.
        with second.app.test_request_context():
            webmention_pass()
            arrived = db.session.scalars(sa.select(Comment).where(Comment.post_id == answer_id)).all()
            assert [(c.comment_type, c.status) for c in arrived] == [("webmention", "pending")]
            assert "Thank you for answering, neighbour." in arrived[0].body
            assert arrived[0].source_url.startswith(first.url)
