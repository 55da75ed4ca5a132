"""Which language each person gets: readers the site's (BLOG_LANGUAGE), staff their profile's in the
admin, and every mail its recipient's, whoever's request writes it. Expected words are read from the
compiled catalogues, so the tests hold whatever the translators chose, as long as they translated."""

import pytest
import sqlalchemy as sa

from auth.models import User
from blog.models import Comment
from blog.moderation import set_comment_status
from blog.settings import save_settings
from core.i18n import LANGUAGES, in_language, language_choices
from extensions import db
from notify.models import Subscription
from notify.sender import run_pass
from tests.support.admin import csrf_token_from, make_user
from tests.support.factories import make_post
from tests.support.helpers import login_as, page_soup, submit_comment
from tests.support.i18n import translated


def _language_of(user: User) -> str | None:
    return db.session.scalar(sa.select(User.language).where(User.id == user.id))  # as stored now


@pytest.fixture
def german_blog(app_factory, smtp_server):
    app = app_factory(BLOG_LANGUAGE="de", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        yield app


def test_every_shipped_language_is_offered_named_in_itself():
    assert set(LANGUAGES) == {"en", "de", "fr", "es", "ja", "ar"}
    assert dict(language_choices())["de"] == "Deutsch" and dict(language_choices())["ja"] == "日本語"


def test_the_admin_follows_the_profile_language_and_the_blog_the_sites(german_blog):
    owner = make_user(True, "Owner", "owner@example.com")
    owner.language = "ja"
    db.session.commit()
    client = german_blog.test_client()
    login_as(client, owner)
    admin = client.get("/admin/")
    assert admin.status_code == 200 and '<html lang="ja"' in admin.get_data(as_text=True)
    assert translated("ja", "Dashboard") in admin.get_data(as_text=True)
    reader_page = client.get("/").get_data(as_text=True)
    assert '<html lang="de"' in reader_page and translated("de", "Skip to content") in reader_page


def test_choosing_a_language_in_the_profile_switches_the_admin_at_once(german_blog):
    owner = make_user(True, "Owner", "owner@example.com")
    client = german_blog.test_client()
    login_as(client, owner)
    page = client.get("/admin/profile")
    choices = [o["value"] for o in page_soup(page).select("select#language option")]
    assert choices == ["", "en", "de", "fr", "es", "ja", "ar"]
    data = {"csrf_token": csrf_token_from(page), "display_name": "Ada Owner", "language": "fr"}
    answer = client.post("/admin/profile", data=data, follow_redirects=True)
    assert _language_of(owner) == "fr"
    assert translated("fr", "Profile updated.") in answer.get_data(as_text=True)
    refused = client.post("/admin/profile", data=data | {"language": "xx"})
    assert refused.status_code == 400 and _language_of(owner) == "fr"
    data["language"] = ""
    client.post("/admin/profile", data=data | {"csrf_token": csrf_token_from(client.get("/admin/profile"))})
    assert _language_of(owner) is None  # the site's again


def test_each_mail_is_in_its_recipients_language_whoever_causes_it(german_blog, smtp_server):
    owner = make_user(True, "Owner", "owner@example.com")
    owner.language = "ja"
    db.session.commit()
    post = make_post(title="Sprachen")
    reader = german_blog.test_client()
    submit_comment(reader, post, comment="Erster Kommentar.", subscribe_comments="y", comments_delivery="instant")
    assert db.session.query(Subscription).one().language == "de"  # the site's when the reader subscribed
    # The owner, working in Japanese, approves a comment: the subscriber's mail stays German.
    other = Comment(post_id=post.id, author_name="Bob", author_email="bob@example.com", body="Noch einer",
                    status="pending")
    db.session.add(other)
    db.session.flush()
    other.root_id = other.id
    db.session.query(Subscription).update({"confirmed_at": other.created_at})
    with in_language("ja"):
        set_comment_status(other, "approved", owner)
    db.session.commit()
    run_pass()
    subjects = {(m["To"], str(m["Subject"])) for m in smtp_server.wait_for(3)}
    blog = german_blog.config["BLOG_TITLE"]
    assert ("ada@example.com", translated("de", "Confirm your subscription to %(blog)s", blog=blog)) in subjects
    assert ("ada@example.com", translated("de", "New comment on “%(title)s”", title="Sprachen")) in subjects
    assert ("owner@example.com", translated("ja", "[%(blog)s] Please moderate: “%(title)s”", blog=blog,
                                            title="Sprachen")) in subjects
    owner_mail = next(m for m in smtp_server.messages if m["To"] == "owner@example.com")
    assert '<html lang="ja"' in owner_mail.get_body(("html",)).get_content()
