"""A comment typed before a social log-in survives the round trip: held on the server, never in a URL."""

import hashlib
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
import sqlalchemy as sa

from auth.models import Identity, User
from auth.roles import EDITOR
from blog.comment_drafts import SESSION_KEY, purge_old_drafts
from blog.models import Comment, CommentDraft
from blog.permalinks import post_url
from blog.settings import save_settings
from core.dbtypes import utcnow
from extensions import db
from tests.auth.test_two_factor import _code, _code_step, _turn_on
from tests.support.factories import make_comment, make_post
from tests.support.helpers import form_fields, page_soup, submit_comment
from tests.support.oauth import consent, flashed, google_settings, log_in, rows, through_continue_page

TEXT = "My unsent reply about lighthouses & <keepers>."
CHOICES = {"subscribe_comments": "y", "comments_delivery": "daily"}


@pytest.fixture
def blog(social_app, oidc_provider):
    """A blog with Google log-in (the local OIDC provider), a post and a comment to reply to."""
    app = social_app(**google_settings(oidc_provider))
    with app.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        db.session.commit()
        post = make_post()
        parent = make_comment(post, author_name="Grace Keeper")
        return SimpleNamespace(app=app, url=post_url(post), post_id=post.id, parent_id=parent.id)


def press_log_in(client, blog, comment: str = TEXT, with_token: bool = True, **extra):
    """The reader types into the comment form and presses "Log in with Google" above it."""
    page = client.get(blog.url)
    _action, hidden = form_fields(page)
    button = page_soup(page).select_one("ul.social-logins button.social-login-google")
    assert (button["form"], button["formmethod"], button["type"]) == ("commentform", "post", "submit")
    data = hidden | {"comment": comment, "comment_parent": str(blog.parent_id)} | CHOICES | extra
    if not with_token:
        data.pop("csrf_token")
    return client.post(button["formaction"], data=data)


def to_provider(client, pressed) -> str:
    """Follow the button's answer to the page of ours that moves on to the provider; its address."""
    assert pressed.headers["Location"] == "/auth/continue/google"  # this site: the form's CSP
    return through_continue_page(client, pressed)


def shown_form(client, url: str) -> dict:
    """What the post page's comment form holds, as the reader sees it."""
    page = page_soup(client.get(url))
    form = page.select_one("form#commentform")
    delivery = form.select_one("select[name=comments_delivery] option[selected]")
    return {"comment": form.select_one("textarea[name=comment]").get_text().strip(),
            "parent": form.select_one("input[name=comment_parent]")["value"],
            "title": page.select_one("#reply-title-text").get_text(),
            "subscribe": form.select_one("input[name=subscribe_comments]").has_attr("checked"),
            "delivery": delivery["value"] if delivery else None}


def restored(blog) -> dict:
    return {"comment": TEXT, "parent": str(blog.parent_id), "title": "Leave a Reply to Grace Keeper",
            "subscribe": True, "delivery": "daily"}


def assert_not_in_url(*locations: str) -> None:
    for location in locations:
        assert "lighthouses" not in unquote_plus(location) and "keepers" not in unquote_plus(location)


def test_log_in_button_holds_the_draft_and_sends_the_reader_to_the_provider(blog, oidc_provider):
    client = blog.app.test_client()
    pressed = press_log_in(client, blog)
    location = to_provider(client, pressed)
    assert location.startswith(oidc_provider.url)
    assert_not_in_url(pressed.headers["Location"], location)
    (draft,) = rows(blog.app, CommentDraft)
    assert (draft.post_id, draft.parent_id, draft.body) == (blog.post_id, blog.parent_id, TEXT)
    assert draft.choices["subscribe_comments"] is True and draft.choices["comments_delivery"] == "daily"
    state = parse_qs(urlsplit(location).query)["state"][0]
    assert draft.state_hash == hashlib.sha256(state.encode()).hexdigest()
    with client.session_transaction() as session:
        assert hashlib.sha256(session[SESSION_KEY].encode()).hexdigest() == draft.key_hash


def test_after_logging_in_the_form_holds_the_text_reply_target_and_choices(blog):
    client = blog.app.test_client()
    started = to_provider(client, press_log_in(client, blog))
    callback = consent(started, sub="ada-sub")
    back = client.get(callback)
    assert back.headers["Location"] == blog.url + "#respond"
    assert_not_in_url(started, callback, back.headers["Location"])
    assert shown_form(client, blog.url) == restored(blog)
    assert "You are commenting using your Google account." in client.get(blog.url).get_data(as_text=True)


def test_a_refused_log_in_returns_to_the_form_with_the_draft(blog):
    client = blog.app.test_client()
    started = to_provider(client, press_log_in(client, blog))
    back = client.get(consent(started, action="deny"))
    assert back.headers["Location"] == blog.url + "#respond"
    assert flashed(client) == ["You did not allow the log-in with Google, so you are not logged in."]
    assert shown_form(client, blog.url) == restored(blog)


def test_the_draft_also_waits_through_the_second_log_in_step(blog):
    log_in(blog.app.test_client(), "google", sub="ada-sub")  # the account is made at its first log-in
    (identity,) = rows(blog.app, Identity)
    with blog.app.test_request_context():
        user = db.session.get(User, identity.user_id)
        user.role = EDITOR
        _turn_on(user)
    client = blog.app.test_client()
    second_step = client.get(consent(to_provider(client, press_log_in(client, blog)), sub="ada-sub"))
    assert second_step.headers["Location"].startswith("/login/two-factor?next=")
    finished = _code_step(client, _code(blog.app, identity.user_id), path=second_step.headers["Location"])
    assert finished.headers["Location"] == blog.url + "#respond"
    assert shown_form(client, blog.url) == restored(blog)


def test_another_browser_never_sees_the_draft_even_with_the_callback(blog):
    reader, stranger = blog.app.test_client(), blog.app.test_client()
    callback = consent(to_provider(reader, press_log_in(reader, blog)), sub="ada-sub")
    stranger.get(callback)  # a replayed callback: Authlib refuses it, and no draft follows it
    assert shown_form(stranger, blog.url)["comment"] == ""
    assert shown_form(blog.app.test_client(), blog.url)["comment"] == ""
    assert len(rows(blog.app, CommentDraft)) == 1


def test_the_log_in_button_needs_the_forms_csrf_token(blog):
    client = blog.app.test_client()
    response = press_log_in(client, blog, with_token=False)
    assert response.status_code == 400 and "The CSRF token is missing." in response.get_data(as_text=True)
    assert rows(blog.app, CommentDraft) == []


def test_an_empty_comment_box_just_starts_the_log_in(blog, oidc_provider):
    client = blog.app.test_client()
    assert to_provider(client, press_log_in(client, blog, comment="   ")).startswith(oidc_provider.url)
    assert rows(blog.app, CommentDraft) == []


def test_an_unknown_provider_or_post_is_not_found(blog):
    client = blog.app.test_client()
    _action, hidden = form_fields(client.get(blog.url))
    data = hidden | {"comment": TEXT}
    assert client.post(f"/posts/{blog.post_id}/login/nowhere", data=data).status_code == 404
    assert client.post(f"/posts/{blog.post_id + 1000}/login/google", data=data).status_code == 404
    assert rows(blog.app, CommentDraft) == []


def test_the_accepted_comment_discards_its_draft(blog):
    client = blog.app.test_client()
    client.get(consent(to_provider(client, press_log_in(client, blog)), sub="ada-sub"))
    page = client.get(blog.url)
    action, hidden = form_fields(page)
    response = client.post(action, data=hidden | {"comment": TEXT} | CHOICES)
    assert response.status_code == 303
    assert [c.body for c in rows(blog.app, Comment)][-1] == TEXT
    assert rows(blog.app, CommentDraft) == []
    assert shown_form(client, blog.url)["comment"] == ""
    with client.session_transaction() as session:
        assert SESSION_KEY not in session


def test_back_from_the_provider_page_returns_to_the_post_with_the_draft(blog):
    client = blog.app.test_client()
    pressed = press_log_in(client, blog)
    to_provider(client, pressed)
    back = client.get(pressed.headers["Location"])  # the Back button, from the provider's page
    assert (back.status_code, back.headers["Location"]) == (302, blog.url + "#respond")
    assert shown_form(client, blog.url) == restored(blog)


def test_a_refused_comment_keeps_its_draft(blog):
    client = blog.app.test_client()
    to_provider(client, press_log_in(client, blog))  # abandoned at the provider: back as a guest
    action, hidden = form_fields(client.get(blog.url))
    refused = client.post(action, data=hidden | {"comment": TEXT, "author": "", "email": "not an address"})
    assert refused.status_code == 400
    assert TEXT in page_soup(refused).select_one("textarea[name=comment]").get_text()
    assert len(rows(blog.app, CommentDraft)) == 1


def test_drafts_older_than_a_day_expire_and_are_purged(blog):
    client = blog.app.test_client()
    press_log_in(client, blog)
    with blog.app.app_context():
        now = utcnow()
        db.session.add(CommentDraft(key_hash="f" * 64, post_id=blog.post_id, body="fresh", created_at=now))
        db.session.execute(sa.update(CommentDraft).where(CommentDraft.body == TEXT)
                           .values(created_at=now - timedelta(days=1, minutes=1)))
        db.session.commit()
    assert shown_form(client, blog.url)["comment"] == ""  # expired: no longer shown
    with client.session_transaction() as session:
        assert SESSION_KEY not in session  # and the reader's pages may be cached again
    with blog.app.app_context():
        assert purge_old_drafts(utcnow()) == 1
    assert [d.body for d in rows(blog.app, CommentDraft)] == ["fresh"]


def test_a_page_with_a_draft_is_never_stored_or_served_from_the_cache(blog):
    reader, stranger = blog.app.test_client(), blog.app.test_client()
    to_provider(reader, press_log_in(reader, blog))  # its first look at the post, as anyone's, was stored
    for _visit in range(2):  # back from the provider's page without logging in, then a reload
        own = reader.get(blog.url)
        assert "X-Page-Cache" not in own.headers
        assert TEXT in page_soup(own).select_one("textarea[name=comment]").get_text()
    cached = stranger.get(blog.url)
    assert cached.headers["X-Page-Cache"] == "hit"
    assert "lighthouses" not in cached.get_data(as_text=True), "the page with the draft was stored"


def kept_text(response) -> str:
    return page_soup(response).select_one("form#commentform textarea[name=comment]").get_text().strip()


def test_a_duplicate_comment_is_refused_with_its_text_shown_again(client, post):
    submit_comment(client, post, comment="Said once already.")
    again = submit_comment(client, post, comment="Said once already.", comment_parent="0", ip="198.51.100.3")
    assert again.status_code == 409 and kept_text(again) == "Said once already."


def test_a_comment_refused_by_flood_control_is_shown_again_with_its_text(client, post):
    save_settings({"comment_flood_seconds": 60})
    db.session.commit()
    submit_comment(client, post, comment="First words.")
    too_soon = submit_comment(client, post, comment="Second words, too soon.")
    assert too_soon.status_code == 429 and kept_text(too_soon) == "Second words, too soon."
