"""A comment is shown only when every comment above it is shown, as WordPress does (issue 20)."""

import pytest
import sqlalchemy as sa

from blog.models import Comment
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_comment
from tests.support.helpers import page_soup, submit_comment


def shown(client, post) -> dict[int, int | None]:
    """Each comment on the page and the comment it is nested under (None at the top level)."""
    page = page_soup(client.get(post_url(post)))
    items = page.select("ol.comment-list li[id^=comment-]")
    return {int(li["id"].split("-")[1]): _parent_id(li) for li in items}


def _parent_id(li) -> int | None:
    parent = li.find_parent("li", id=lambda value: value and value.startswith("comment-"))
    return int(parent["id"].split("-")[1]) if parent else None


def approve(comment: Comment) -> None:
    set_comment_status(comment, "approved", None)
    db.session.commit()


@pytest.mark.parametrize("paged", [True, False])
@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_approved_replies_under_a_hidden_comment_are_not_shown_until_it_is_approved(app, client, post, status, paged):
    save_settings({"page_comments": paged})
    db.session.commit()
    top = make_comment(post, body="Approved thread.")
    hidden_reply = make_comment(post, parent=top, status=status)
    under_reply = make_comment(post, parent=hidden_reply, body="Under a hidden reply.")
    deeper = make_comment(post, parent=under_reply)
    hidden_root = make_comment(post, status=status)
    under_root = make_comment(post, parent=hidden_root, body="Under a hidden thread.")

    page = client.get(post_url(post)).get_data(as_text=True)
    assert "Under a hidden reply." not in page and "Under a hidden thread." not in page
    assert shown(client, post) == {top.id: None}

    approve(hidden_reply)
    approve(hidden_root)
    assert shown(client, post) == {
        top.id: None,
        hidden_reply.id: top.id,
        under_reply.id: hidden_reply.id,
        deeper.id: under_reply.id,
        hidden_root.id: None,
        under_root.id: hidden_root.id,
    }


def test_the_writer_of_a_held_comment_sees_approved_replies_under_it_and_others_do_not(app, client, post):
    submit_comment(client, post, comment="My first words, held.")
    held = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc()).limit(1)).one()
    assert held.status == "pending"
    reply = make_comment(post, parent=held, body="An approved answer to held words.")

    assert shown(client, post) == {held.id: None, reply.id: held.id}
    stranger = app.test_client()
    assert shown(stranger, post) == {}
    assert "An approved answer to held words." not in stranger.get(post_url(post)).get_data(as_text=True)
