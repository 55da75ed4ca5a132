"""What a hostile client sends at the edge: out-of-range numbers and oversized bodies."""

import sqlalchemy as sa

from blog.models import Comment
from blog.permalinks import post_url
from core.dbtypes import utcnow
from extensions import db
from notify.links import manage_url
from notify.models import Subscription
from tests.support.helpers import form_fields, page_soup, submit_comment
from tests.support.oauth import csrf_token_from


def _comment_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Comment.id)))


def test_an_out_of_range_reply_target_with_another_bad_field_is_a_400_not_a_500(client, post):
    response = submit_comment(client, post, comment_parent="2147483648", email="not an address")
    assert response.status_code == 400
    assert "Please enter a valid email address." in response.get_data(as_text=True)
    assert _comment_count() == 0


def test_an_out_of_range_reply_target_alone_is_refused_and_the_text_kept(client, post):
    response = submit_comment(client, post, comment_parent="99999999999999999999", comment="Keep me.")
    assert response.status_code == 400
    assert page_soup(response).select_one("#comment").get_text().strip() == "Keep me."
    assert _comment_count() == 0


def test_an_out_of_range_subscription_id_on_the_manage_page_is_a_400(app, client, post):
    db.session.add(Subscription(email="sub@example.com", scope="blog", delivery="instant", confirmed_at=utcnow()))
    db.session.commit()
    with app.test_request_context():
        manage = manage_url("sub@example.com")
    path = manage.split("5000", 1)[1]
    token = csrf_token_from(client, path)
    response = client.post(path + "/cancel", data={"csrf_token": token, "subscription_id": "999999999999"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Subscription.id))) == 1


def test_a_comment_body_over_the_request_limit_is_a_styled_413_and_nothing_is_saved(client, post):
    action, hidden = form_fields(client.get(post_url(post)))
    huge = "x" * (2 * 1024 * 1024)
    response = client.post(action, data=hidden | {"author": "Ada", "email": "ada@example.com", "comment": huge},
                           environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 413
    assert "larger than this site accepts" in page_soup(response).select_one("main").get_text()
    assert _comment_count() == 0


def test_the_request_limit_is_a_setting(app_factory):
    assert app_factory().config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert app_factory(MAX_CONTENT_LENGTH=4096).config["MAX_CONTENT_LENGTH"] == 4096
