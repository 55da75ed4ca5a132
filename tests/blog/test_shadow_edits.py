"""A shadow-banned commenter edits and deletes their own comment as if it were published: it stays in
the spam, nobody else ever sees it, and nobody else may change it."""

import pytest
import sqlalchemy as sa

from blog.comment_edits import Proof, check_may_change
from blog.discussion import CommentRefused
from blog.models import Comment, CommentRevision
from blog.permalinks import post_url
from blog.settings import get_settings, save_settings
from blog.spam.standings import set_standing
from core.dbtypes import utcnow
from extensions import db
from tests.support.admin import make_user
from tests.support.factories import make_comment
from tests.support.helpers import form_fields, login_as, page_soup, submit_comment


@pytest.fixture
def shadowed(app, post):
    """Ada's address is shadow-banned; guests' first comments would otherwise appear at once."""
    save_settings({"comment_previously_approved": False})
    set_standing("email", "ada@example.com", "shadow", None, "Sock puppet", None)
    db.session.commit()
    return post


def shadow_comment(client, post, text="Only I read this.") -> Comment:
    assert submit_comment(client, post, comment=text).status_code == 303
    comment = db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()
    assert (comment.status, comment.shadow) == ("spam", True)
    return comment


def fresh(comment_id: int) -> Comment | None:
    db.session.expire_all()
    return db.session.get(Comment, comment_id)


def edit(client, comment_id: int, text: str, json: bool = False):
    action, hidden = form_fields(client.get(f"/comments/{comment_id}/edit"), "form#comment-edit-form")
    headers = {"Accept": "application/json"} if json else {}
    return client.post(action, data=hidden | {"comment": text}, headers=headers)


def delete(client, comment_id: int):
    action, hidden = form_fields(client.get(f"/comments/{comment_id}/delete"), "form#comment-delete-form")
    return client.post(action, data=hidden)


def seen_by_others(app, post, text: str) -> bool:
    return any(text in reader.get(post_url(post)).get_data(as_text=True)
               for reader in (app.test_client(), app.test_client()))


def test_the_author_sees_edit_and_delete_links_on_their_shadow_comment(app, shadowed, client):
    comment = shadow_comment(client, shadowed)
    mine = page_soup(client.get(post_url(shadowed))).select_one(f"#comment-{comment.id}")
    assert mine.select_one("a.comment-edit-own")["href"].endswith(f"/comments/{comment.id}/edit")
    assert mine.select_one("a.comment-delete-own")["href"].endswith(f"/comments/{comment.id}/delete")
    assert "unapproved" not in mine["class"]
    stranger = page_soup(app.test_client().get(post_url(shadowed)))
    assert stranger.select_one(f"#comment-{comment.id}") is None


def test_the_author_edits_their_shadow_comment_and_it_stays_in_the_spam_unseen(app, shadowed, client):
    comment = shadow_comment(client, shadowed, "Frist words.")
    assert not seen_by_others(app, shadowed, "Frist words.")
    response = edit(client, comment.id, "First words, fixed.")
    assert response.status_code == 303
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert "Your edit was saved." in page.get_data(as_text=True)
    assert "awaiting moderation" not in page.get_data(as_text=True)
    edited = fresh(comment.id)
    assert (edited.body, edited.status, edited.shadow) == ("First words, fixed.", "spam", True)
    assert edited.status_reason == "shadow-banned commenter"
    assert db.session.scalars(sa.select(CommentRevision.body)).all() == ["Frist words."]
    mine = page_soup(client.get(post_url(shadowed))).select_one(f"#comment-{comment.id}")
    assert "First words, fixed." in mine.get_text() and "Edited" in mine.get_text()
    assert not seen_by_others(app, shadowed, "First words, fixed.")
    assert app.test_client().get(f"/comments/{comment.id}/").status_code == 404


def test_an_edit_the_rules_would_hold_keeps_the_shadow_comment_in_the_spam_and_says_nothing(app, shadowed, client):
    save_settings({"disallowed_keys": "casino"})
    db.session.commit()
    comment = shadow_comment(client, shadowed, "Harmless.")
    response = edit(client, comment.id, "Visit my casino https://a.example/1 https://b.example/2", json=True)
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] and data["message"] == "Your edit was saved." and data["status"] == "approved"
    edited = fresh(comment.id)
    assert (edited.status, edited.shadow, edited.status_reason) == ("spam", True, "shadow-banned commenter")
    assert not seen_by_others(app, shadowed, "Visit my casino")


def test_the_author_deletes_their_shadow_comment(app, shadowed, client):
    comment_id = shadow_comment(client, shadowed, "Regrets.").id
    assert delete(client, comment_id).status_code == 303
    assert fresh(comment_id) is None
    assert "Regrets." not in client.get(post_url(shadowed)).get_data(as_text=True)


def test_a_logged_in_shadow_banned_author_edits_from_another_browser(app, shadowed):
    user = make_user(False, "Sock Puppet", "sock@example.com")
    set_standing("account", str(user.id), "shadow", None, "", None)
    db.session.commit()
    comment = make_comment(shadowed, user_id=user.id, author_name=user.display_name, status="spam", shadow=True,
                           body="Account's shadow words.")
    phone = app.test_client()
    login_as(phone, user)
    assert f"/comments/{comment.id}/edit" in phone.get(post_url(shadowed)).get_data(as_text=True)
    assert edit(phone, comment.id, "Edited from my phone.").status_code == 303
    assert (fresh(comment.id).body, fresh(comment.id).status) == ("Edited from my phone.", "spam")
    assert not seen_by_others(app, shadowed, "Edited from my phone.")


def test_nobody_else_can_edit_or_delete_a_shadow_comment(app, shadowed, client):
    comment = shadow_comment(client, shadowed, "Mine alone.")
    action, hidden = form_fields(client.get(f"/comments/{comment.id}/edit"), "form#comment-edit-form")
    other = app.test_client()
    token = page_soup(other.get(post_url(shadowed))).select_one("input[name=csrf_token]")["value"]
    for path in (f"/comments/{comment.id}/edit", f"/comments/{comment.id}/delete"):
        assert other.get(path).status_code == 404  # as for any comment they cannot see
    response = other.post(action, data={"comment": "Hijacked.", "seen": hidden["seen"], "csrf_token": token})
    assert response.status_code == 404
    stranger = make_user(False, "Other Reader", "other@example.com")
    login_as(other, stranger)
    assert other.get(f"/comments/{comment.id}/edit").status_code == 404
    assert fresh(comment.id).body == "Mine alone."


def test_spam_that_is_not_a_shadow_comment_stays_the_moderators(app, shadowed):
    user = make_user(False, "Caught Reader", "caught@example.com")
    comment = make_comment(shadowed, user_id=user.id, status="spam", body="Caught.")  # a moderator's Spam click
    with app.test_request_context():
        with pytest.raises(CommentRefused) as refused:
            check_may_change(comment, shadowed, Proof(user, {}), get_settings(), utcnow())
    assert refused.value.status == 403
    assert "with the moderators now" in refused.value.message
