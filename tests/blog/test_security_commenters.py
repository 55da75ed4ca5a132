"""Who sees a held comment, who may use whose name, and where a comment's link leads (issue 19: 3, 4, 13)."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.commenters import KEYS_COOKIE, KEYS_KEPT
from blog.models import Comment
from blog.permalinks import post_url
from blog.settings import save_settings
from core.dbtypes import utcnow
from extensions import db
from tests.support.admin import admin_post
from tests.support.factories import make_comment, make_post
from tests.support.helpers import login_as, page_soup, submit_comment

VICTIM = {"author": "Vera Victim", "email": "vera@example.com"}
AWAITING = "Your comment is awaiting moderation."


def last_comment() -> Comment:
    db.session.expire_all()
    return db.session.scalars(sa.select(Comment).order_by(Comment.id.desc()).limit(1)).one()


def page_text(client, post) -> str:
    return client.get(post_url(post)).get_data(as_text=True)


# Item 3: a held comment is shown to the browser that wrote it and to its logged-in author only.

def test_victims_name_and_email_with_remember_me_show_none_of_their_held_comments(app, client, post):
    other_post = make_post()
    submit_comment(client, post, comment="Vera's private first words.", **VICTIM)
    submit_comment(client, other_post, comment="Vera again, elsewhere.", **VICTIM)
    attacker = app.test_client()
    submit_comment(attacker, post, comment="Pretending to be Vera.", remember="y", ip="198.51.100.66", **VICTIM)
    assert attacker.get_cookie("comment_author") is not None  # the form's "remember me" still works
    for page in (page_text(attacker, post), page_text(attacker, other_post)):
        assert "Vera's private first words." not in page and "Vera again, elsewhere." not in page
    assert "Pretending to be Vera." in page_text(attacker, post)  # its own held comment, by its own key


def test_the_browser_that_wrote_a_held_comment_still_sees_it_after_ten_minutes(client, post):
    response = submit_comment(client, post, comment="Still waiting, still mine.")
    comment = last_comment()
    assert comment.status == "pending"
    comment.created_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    client.delete_cookie("session")  # a browser restarted: only long-lived cookies remain
    own = page_soup(client.get(post_url(post))).select_one(f"#comment-{comment.id}")
    assert "Still waiting, still mine." in own.get_text() and AWAITING in own.get_text()
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{KEYS_COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie


def test_the_database_keeps_only_the_hash_of_a_comments_secret(client, post):
    submit_comment(client, post, comment="Keep my secret.")
    comment = last_comment()
    comment_id, secret = client.get_cookie(KEYS_COOKIE).value.split(":")
    assert int(comment_id) == comment.id and secret not in (comment.author_key_hash or "")
    assert comment.author_key_hash == hashlib.sha256(secret.encode()).hexdigest()


@pytest.mark.parametrize("tamper", ["altered secret", "another comment's secret", "made-up id", "huge id"])
def test_a_forged_or_altered_comment_key_shows_nothing(app, client, post, tamper):
    submit_comment(client, post, comment="Only for my browser.")
    victim = last_comment()
    other = app.test_client()
    submit_comment(other, post, comment="The attacker's own.", ip="198.51.100.7")
    comment_id, secret = client.get_cookie(KEYS_COOKIE).value.split(":")
    own_id, own_secret = other.get_cookie(KEYS_COOKIE).value.split(":")
    forged = {
        "altered secret": f"{comment_id}:{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}",
        "another comment's secret": f"{comment_id}:{own_secret}",
        "made-up id": f"{comment_id}:{'x' * 32}",
        "huge id": f"9999999999:{secret}.{'9' * 30}:{secret}",
    }[tamper]
    other.set_cookie(KEYS_COOKIE, forged)
    response = other.get(post_url(post))
    assert response.status_code == 200
    assert "Only for my browser." not in response.get_data(as_text=True)
    assert other.get(f"/comments/{victim.id}/").status_code == 404


def test_a_logged_in_author_sees_their_own_held_comment_in_any_browser(app, post, reader_user):
    held = make_comment(post, status="pending", body="Held, by my account.", user_id=reader_user.id,
                        author_name=reader_user.display_name, author_email=reader_user.email)
    browser = app.test_client()
    login_as(browser, reader_user)
    own = page_soup(browser.get(post_url(post))).select_one(f"#comment-{held.id}")
    assert own is not None and AWAITING in own.get_text()
    assert "Held, by my account." not in page_text(app.test_client(), post)


def test_the_keys_cookie_keeps_only_the_latest_comments(client, post):
    for n in range(KEYS_KEPT + 3):
        submit_comment(client, post, comment=f"Comment number {n}.", ip=f"198.51.100.{n + 1}")
    pairs = client.get_cookie(KEYS_COOKIE).value.split(".")
    assert len(pairs) == KEYS_KEPT and len(client.get_cookie(KEYS_COOKIE).value) < 1024
    assert pairs[-1].split(":")[0] == str(last_comment().id)
    page = page_text(client, post)
    assert f"Comment number {KEYS_KEPT + 2}." in page and "Comment number 0." not in page


def identicon_of(client, post, comment) -> str:
    return page_soup(client.get(post_url(post))).select_one(f"#comment-{comment.id} footer img")["src"]


def test_an_identicon_url_cannot_be_computed_from_an_email(app, app_factory, client, post):
    email = "Known@Example.com"
    url = identicon_of(client, post, make_comment(post, author_email=email))
    plain = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]
    assert url.startswith("/avatar/") and url != f"/avatar/{plain}.svg"
    assert client.get(url).status_code == 200
    other = app_factory(SECRET_KEY="another-site-secret")
    with other.app_context():
        other_post = make_post()
        other_url = identicon_of(other.test_client(), other_post, make_comment(other_post, author_email=email))
    assert other_url.startswith("/avatar/") and other_url != url


# Item 4: staff comments are marked; no guest passes for a registered user.

@pytest.mark.parametrize("claim", [
    {"author": "Blog Owner", "email": "owner@example.com"},
    {"author": "blog owner", "email": "someone@example.com"},
    {"author": "Somebody", "email": "OWNER@Example.com"},
])
def test_a_guest_using_a_registered_users_name_or_email_is_held_whatever_the_rules(
        app, admin_user, admin_client, admin_token, client, post, claim):
    parent = make_comment(post)
    admin_post(admin_client, f"/admin/comments/{parent.id}/reply", admin_token, body="The owner speaks.")
    save_settings({"comment_previously_approved": False})  # every guest would be approved at once
    db.session.commit()
    response = submit_comment(client, post, comment="Trust me, I am the owner.", **claim)
    assert response.status_code == 303
    comment = last_comment()
    assert (comment.status, comment.user_id) == ("pending", None)
    assert comment.status_reason == "a guest using the name or email of a registered user"
    assert "Trust me, I am the owner." not in page_text(app.test_client(), post)
    own = page_soup(client.get(post_url(post))).select_one(f"#comment-{comment.id}")
    assert own.select_one(".comment-author-badge") is None and "bypostauthor" not in own.get("class", [])


def test_the_owners_reply_is_marked_as_the_authors_and_a_guests_comment_is_not(
        admin_user, admin_client, admin_token, client, post, reader_user):
    post.author_id = admin_user.id  # the owner wrote the post
    db.session.commit()
    guest = make_comment(post, author_name="Blog Owner", author_email="owner@example.com")  # imported, say
    admin_post(admin_client, f"/admin/comments/{guest.id}/reply", admin_token, body="The real owner.")
    reply = last_comment()
    reader = make_comment(post, user_id=reader_user.id, author_name=reader_user.display_name)
    page = page_soup(client.get(post_url(post)))
    owner_item = page.select_one(f"li#comment-{reply.id}")
    assert {"byuser", "bypostauthor"} <= set(owner_item["class"])
    assert owner_item.select_one(".comment-author-badge").get_text() == "Author"
    guest_item = page.select_one(f"li#comment-{guest.id}")
    assert not {"byuser", "bypostauthor"} & set(guest_item["class"])
    assert guest_item.select_one(":scope > article .comment-author-badge") is None
    reader_item = page.select_one(f"li#comment-{reader.id}")
    # Third comment shown (even), second thread (thread-odd), as WordPress's get_comment_class counts.
    assert reader_item["class"] == ["comment", "byuser", "comment-author-plain-reader", "even", "thread-odd",
                                    "thread-alt", "depth-1"]
    assert reader_item.select_one(".comment-author-badge") is None


def test_an_administrators_comment_on_another_authors_post_is_not_marked_as_the_authors(
        admin_user, admin_client, admin_token, client, post, reader_user):
    post.author_id = reader_user.id
    db.session.commit()
    parent = make_comment(post)
    admin_post(admin_client, f"/admin/comments/{parent.id}/reply", admin_token, body="The owner, as a reader.")
    item = page_soup(client.get(post_url(post))).select_one(f"li#comment-{last_comment().id}")
    assert "byuser" in item["class"] and "bypostauthor" not in item["class"]
    assert item.select_one(".comment-author-badge") is None


def test_the_posts_author_is_marked_even_without_administrator_rights(client, reader_user):
    post = make_post(author_id=reader_user.id)
    own = make_comment(post, user_id=reader_user.id, author_name=reader_user.display_name)
    item = page_soup(client.get(post_url(post))).select_one(f"li#comment-{own.id}")
    assert "bypostauthor" in item["class"] and item.select_one(".comment-author-badge") is not None


def test_previously_approved_is_not_satisfied_by_a_registered_users_comment(client, post, reader_user):
    # Written under a name and email the account has since changed, so only the rule itself holds it.
    make_comment(post, user_id=reader_user.id, author_name="Old Name", author_email="old@example.com")
    submit_comment(client, post, comment="Same name, as a guest.", author="Old Name", email="old@example.com")
    comment = last_comment()
    assert (comment.status, comment.status_reason) == ("pending", "first comment from this author")


def test_previously_approved_still_counts_the_guests_own_approved_comment(client, post):
    make_comment(post, author_name="Gail Guest", author_email="gail@example.com")
    submit_comment(client, post, comment="Back again.", author="Gail Guest", email="gail@example.com")
    assert last_comment().status == "approved"


# Item 13: /comments/<id>/ leads only to a comment the reader may see.

@pytest.mark.parametrize("status", ["pending", "spam", "trash"])
def test_the_link_of_a_comment_not_shown_to_the_reader_is_a_404(app, post, status):
    comment = make_comment(post, status=status)
    response = app.test_client().get(f"/comments/{comment.id}/")
    assert response.status_code == 404
    assert "That page can’t be found" in page_soup(response).select_one("h1").get_text()


def test_the_link_of_an_approved_comment_on_a_visible_post_redirects_to_it(app, post):
    comment = make_comment(post)
    response = app.test_client().get(f"/comments/{comment.id}/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#comment-{comment.id}")
    draft = make_post(status="draft")
    assert app.test_client().get(f"/comments/{make_comment(draft).id}/").status_code == 404


def test_the_link_of_a_held_comment_leads_its_own_browser_and_account_to_it(app, client, post, reader_user):
    submit_comment(client, post, comment="My held words.")
    held = last_comment()
    assert client.get(f"/comments/{held.id}/").status_code == 302
    by_account = make_comment(post, status="pending", user_id=reader_user.id)
    browser = app.test_client()
    login_as(browser, reader_user)
    assert browser.get(f"/comments/{by_account.id}/").status_code == 302
    assert browser.get(f"/comments/{held.id}/").status_code == 404


@pytest.mark.parametrize("status", ["approved", "pending", "spam", "trash"])
def test_staff_follow_the_link_of_any_comment(admin_client, post, status):
    comment = make_comment(post, status=status)
    assert admin_client.get(f"/comments/{comment.id}/").status_code == 302
