"""The privacy policy link beside the comment form, and the consent box the server enforces."""

import sqlalchemy as sa

from blog.models import Comment
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.factories import make_post
from tests.support.helpers import page_soup, submit_comment


def _policy_page(status: str = "published"):
    return make_post(kind="page", title="Privacy Policy", slug="privacy-policy", status=status)


def test_by_default_the_form_has_no_policy_link_and_no_consent_box(client, post):
    soup = page_soup(client.get(post_url(post)))
    assert soup.select_one(".comment-privacy-policy") is None
    assert soup.select_one("#privacy_consent") is None
    assert submit_comment(client, post).status_code == 303


def test_a_published_policy_page_is_linked_under_the_submit_button(client, post):
    page = _policy_page()
    save_settings({"privacy_policy_page_id": page.id})
    db.session.commit()
    soup = page_soup(client.get(post_url(post)))
    link = soup.select_one("#commentform .form-submit + .comment-privacy-policy a")
    assert link.get_text() == "Privacy Policy" and link["href"] == post_url(page)


def test_an_unpublished_policy_page_is_not_linked(client, post):
    page = _policy_page(status="draft")
    save_settings({"privacy_policy_page_id": page.id})
    db.session.commit()
    assert page_soup(client.get(post_url(post))).select_one(".comment-privacy-policy") is None


def test_with_consent_on_a_missing_tick_is_refused_and_the_text_kept(client, post):
    page = _policy_page()
    save_settings({"privacy_policy_page_id": page.id, "comment_privacy_consent": True})
    db.session.commit()
    box = page_soup(client.get(post_url(post))).select_one("#privacy_consent")
    assert box is not None and box.has_attr("required")

    refused = submit_comment(client, post, comment="My careful words.")
    assert refused.status_code == 400
    soup = page_soup(refused)
    assert "I agree to the privacy policy" in soup.select_one("#privacy_consent-error").get_text()
    assert soup.select_one("#comment").get_text().strip() == "My careful words."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0

    accepted = submit_comment(client, post, comment="My careful words.", privacy_consent="y")
    assert accepted.status_code == 303
    assert db.session.scalar(sa.select(Comment.body)) == "My careful words."
