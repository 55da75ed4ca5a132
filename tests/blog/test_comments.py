"""Leaving a reply as a guest: the form, threads, and WordPress's discussion rules."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blog.demo import make_commented_post
from blog.models import Comment, text_hash
from blog.moderation import set_comment_status
from blog.permalinks import post_url
from blog.settings import save_settings
from core.dbtypes import utcnow
from extensions import db
from tests.conftest import ON_POSTGRES
from tests.support.factories import make_comment, make_post
from tests.support.helpers import form_fields, login_as, page_soup, query_plan, statements_during, submit_comment
from tests.support.mail import make_user


def stored(**where) -> list[Comment]:
    return list(db.session.scalars(sa.select(Comment).filter_by(**where).order_by(Comment.id)))


def approve(comment: Comment) -> None:
    set_comment_status(comment, "approved", None)
    db.session.commit()


def test_first_time_guest_comment_is_held_and_shown_only_to_its_author(app, client, post):
    response = submit_comment(client, post, comment="My first words here.")
    assert response.status_code == 303
    (comment,) = stored()
    assert comment.status == "pending"
    assert comment.status_reason == "first comment from this author"
    assert comment.root_id == comment.id and comment.depth == 0  # heads its own thread
    assert response.headers["Location"].endswith(post_url(post, _anchor=f"comment-{comment.id}"))
    own_view = page_soup(client.get(post_url(post)))
    assert "My first words here." in own_view.select_one(f"#comment-{comment.id}").get_text()
    assert "Your comment is awaiting moderation." in own_view.get_text()
    stranger_view = app.test_client().get(post_url(post)).get_data(as_text=True)
    assert "My first words here." not in stranger_view
    assert "0 Responses to" in stranger_view


def test_once_approved_the_same_authors_next_comment_is_approved_at_once(client, post):
    submit_comment(client, post, comment="First.")
    approve(stored()[0])
    response = submit_comment(client, post, comment="Second.", ip="203.0.113.8")
    second = stored()[-1]
    assert second.status == "approved" and second.status_reason == ""
    page = page_soup(client.get(response.headers["Location"]))
    assert page.select_one("#comments h2").get_text().startswith("2 Responses to")


def test_other_name_with_the_same_email_is_not_previously_approved(client, post):
    submit_comment(client, post, comment="First.")
    approve(stored()[0])
    submit_comment(client, post, author="Someone Else", comment="Me too.", ip="203.0.113.9")
    assert stored()[-1].status == "pending"


def test_reply_nests_under_its_parent(client, post):
    parent = make_comment(post, body="Parent says hi")
    make_comment(post, body="Approved author", author_email="ada@example.com", author_name="Ada Reader")
    response = submit_comment(client, post, comment="A reply.", comment_parent=str(parent.id))
    reply = stored()[-1]
    assert (reply.parent_id, reply.root_id, reply.depth, reply.status) == (parent.id, parent.id, 1, "approved")
    page = page_soup(client.get(response.headers["Location"]))
    nested = page.select_one(f"li#comment-{parent.id} > ol.children > li#comment-{reply.id}")
    assert nested is not None


def test_replies_past_the_depth_limit_attach_at_the_deepest_level(client, post):
    save_settings({"thread_comments_depth": 3})
    db.session.commit()
    top = make_comment(post)
    middle = make_comment(post, parent=top)
    deepest = make_comment(post, parent=middle)
    submit_comment(client, post, comment="Too deep.", comment_parent=str(deepest.id))
    reply = stored()[-1]
    assert reply.parent_id == middle.id and reply.depth == 2 and reply.root_id == top.id
    page = page_soup(client.get(post_url(post)))
    assert page.select_one(f"#comment-{deepest.id} .comment-reply-link") is None
    assert page.select_one(f"#comment-{middle.id} > article .comment-reply-link") is not None


@pytest.mark.parametrize("case", ["other post", "pending", "missing"])
def test_reply_to_a_comment_that_is_not_approved_here_is_refused(client, post, case):
    other = make_post()
    parent_id = {
        "other post": lambda: make_comment(other).id,
        "pending": lambda: make_comment(post, status="pending").id,
        "missing": lambda: 99999,
    }[case]()
    response = submit_comment(client, post, comment="Orphan reply.", comment_parent=str(parent_id))
    assert response.status_code == 400
    assert "does not exist or is not approved" in response.get_data(as_text=True)
    assert "Orphan reply." in page_soup(response).select_one("textarea#comment").get_text()
    assert not stored(body="Orphan reply.")


def test_invalid_email_reshows_the_form_with_everything_typed(client, post):
    response = submit_comment(client, post, email="not-an-email", comment="Keep me!", url="example.org")
    assert response.status_code == 400
    form = page_soup(response).select_one("form#commentform")
    assert form.select_one("#email-error").get_text() == "Please enter a valid email address."
    assert form.select_one("#email")["aria-invalid"] == "true"
    assert form.select_one("textarea#comment").get_text().strip() == "Keep me!"
    assert form.select_one("#author")["value"] == "Ada Reader"
    assert form.select_one("#email")["value"] == "not-an-email"
    assert not stored()


def test_name_and_email_required_unless_the_setting_is_off(client, post):
    response = submit_comment(client, post, author="", email="", comment="Who am I?")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Please enter your name." in text and "Please enter your email address." in text
    save_settings({"require_name_email": False})
    db.session.commit()
    assert submit_comment(client, post, author="", email="", comment="Who am I?").status_code == 303
    assert stored()[0].author_name == ""


@pytest.mark.parametrize(("field", "length"), [("author", 246), ("email", 101), ("url", 201), ("comment", 65526)])
def test_lengths_are_limited_as_wordpress_does(client, post, field, length):
    too_long = {"email": "a" * (length - 12) + "@example.com", "url": "http://" + "a" * (length - 7)}
    value = too_long.get(field, "x" * length)
    response = submit_comment(client, post, **{field: value})
    assert response.status_code == 400
    assert "too long" in page_soup(response).select_one(f"#{field}-error").get_text()


def test_empty_comment_is_refused_with_a_message(client, post):
    response = submit_comment(client, post, comment="   ")
    assert response.status_code == 400
    assert "Please type your comment." in response.get_data(as_text=True)


def test_duplicate_comment_is_refused_with_409(client, post):
    submit_comment(client, post, comment="Same words.")
    response = submit_comment(client, post, comment="Same words.", ip="198.51.100.1")
    assert response.status_code == 409
    assert "Duplicate comment detected; it looks as though you’ve already said that!" in response.get_data(as_text=True)
    assert len(stored()) == 1


def test_same_words_from_another_author_or_under_another_parent_are_not_duplicates(client, post):
    parent = make_comment(post, body="Parent says hi")
    submit_comment(client, post, comment="Same words.")
    assert submit_comment(client, post, comment="Same words.", author="Other", email="other@example.com",
                          ip="198.51.100.1").status_code == 303
    assert submit_comment(client, post, comment="Same words.", comment_parent=str(parent.id),
                          ip="198.51.100.2").status_code == 303
    assert submit_comment(client, post, comment="Same words.", author="Ada Reader", email="new@example.com",
                          ip="198.51.100.3").status_code == 409  # the same name is enough
    assert submit_comment(client, post, comment="Same words!", ip="198.51.100.4").status_code == 303


def test_duplicate_of_a_bulk_loaded_comment_is_refused(client, post):
    loaded = make_commented_post("imported", 3, seed=1)  # rows inserted without the ORM, as the WXR import does
    first = db.session.scalars(sa.select(Comment).where(Comment.post_id == loaded.id).order_by(Comment.id)).first()
    assert first.body_hash == text_hash(first.body)
    response = submit_comment(client, loaded, comment=first.body, author=first.author_name,
                              email=first.author_email, comment_parent=str(first.parent_id or 0))
    assert response.status_code == 409


def test_duplicate_check_follows_an_edited_comment(client, post):
    comment = make_comment(post, author_name="Ada Reader", author_email="ada@example.com", body="Old words.")
    comment.body = "New words."
    db.session.commit()
    assert submit_comment(client, post, comment="New words.").status_code == 409
    assert submit_comment(client, post, comment="Old words.", ip="198.51.100.1").status_code == 303


@pytest.mark.parametrize("logged_in", [False, True], ids=["guest", "logged-in"])
def test_rule_checks_read_comments_by_index_whatever_the_statistics(app, client, logged_in):
    # Thousands of guests' comments, and ANALYZE run after the bulk load (as a DBA does): statistics
    # that once led SQLite to walk the table for a user's comments, or the parent_id index for duplicates.
    busy = make_commented_post("many-threads", 3000, seed=2)
    if not ON_POSTGRES:  # as after migration 0003: statistics for every index but the new one
        db.session.execute(sa.text("DELETE FROM sqlite_stat1 WHERE idx = 'ix_comments_post_body_hash'"))
        db.session.execute(sa.text("ANALYZE sqlite_schema"))  # the planner reloads the statistics
        db.session.commit()
    if logged_in:
        login_as(client, make_user())
    statements = statements_during(app, lambda: submit_comment(client, busy, comment="Fresh words."))
    [rule_checks] = [(s, p) for s, p in statements if "comments.body_hash = " in s]
    plan = query_plan(*rule_checks)
    if not logged_in:  # a guest's duplicates: the post's equal texts, not every top-level comment
        assert "ix_comments_post_body_hash" in plan
    assert "SCAN comments" not in plan and "Seq Scan on comments" not in plan, plan


def test_flood_control_reads_one_address_whatever_the_statistics(app, client, post):
    # Statistics gathered before a busy minute know none of its comments: PostgreSQL then took the
    # interval for empty and read every recent comment through the created_at index.
    make_commented_post("before-the-rush", 300, seed=5)
    db.session.execute(sa.text("ANALYZE"))
    now = utcnow()
    db.session.execute(sa.insert(Comment), [
        {"post_id": post.id, "depth": 0, "author_name": f"Rush {n}", "author_email": f"rush{n}@example.com",
         "author_ip": f"198.51.{n // 250}.{n % 250}", "body": f"Rush {n}", "status": "pending", "created_at": now}
        for n in range(500)])
    save_settings({"comment_flood_seconds": 15})
    db.session.commit()
    statements = statements_during(app, lambda: submit_comment(client, post, comment="In the rush."))
    [rule_checks] = [(s, p) for s, p in statements if "comments.body_hash = " in s]
    plan = query_plan(*rule_checks)
    assert "ix_comments_created" not in plan, plan
    assert "SCAN comments" not in plan and "Seq Scan on comments" not in plan, plan


def test_new_comments_take_the_next_ids_even_after_the_newest_was_deleted(client, post):
    submit_comment(client, post, comment="First.")
    submit_comment(client, post, comment="Second.", ip="198.51.100.7")
    first, second = stored()
    db.session.delete(second)
    db.session.commit()
    submit_comment(client, post, comment="Third.", ip="198.51.100.8")
    third = stored()[-1]
    assert third.id > first.id and third.root_id == third.id


def test_flood_control_refuses_a_second_comment_within_the_interval(client, post):
    save_settings({"comment_flood_seconds": 15})
    db.session.commit()
    submit_comment(client, post, comment="One.")
    same_ip = submit_comment(client, post, comment="Two.", email="other@example.com", author="Other")
    assert same_ip.status_code == 429
    assert "You are posting comments too quickly. Slow down." in same_ip.get_data(as_text=True)
    same_email = submit_comment(client, post, comment="Three.", ip="198.51.100.2")
    assert same_email.status_code == 429
    first = stored()[0]
    first.created_at = utcnow() - timedelta(seconds=16)
    db.session.commit()
    assert submit_comment(client, post, comment="Four.").status_code == 303


def test_comment_with_as_many_links_as_the_limit_is_held_with_the_reason(client, post):
    make_comment(post, author_name="Ada Reader", author_email="ada@example.com")
    body = 'See https://a.example and <a href="https://b.example">this</a> and http://c.example'
    submit_comment(client, post, comment=body)
    comment = stored()[-1]
    assert comment.status == "pending" and comment.status_reason == "3 links; limit 2"
    submit_comment(client, post, comment="Only https://one.example here", ip="198.51.100.3")
    assert stored()[-1].status == "approved"


@pytest.mark.parametrize(("field", "value"), [
    ("comment", "Visit my CASINO now"), ("author", "Casino Bob"), ("email", "bob@casino.example"),
    ("url", "http://casino.example"),
])
def test_moderation_list_holds_a_match_in_any_field(client, post, field, value):
    save_settings({"moderation_keys": "\n casino \n", "comment_previously_approved": False})
    db.session.commit()
    submit_comment(client, post, **{field: value})
    comment = stored()[-1]
    assert comment.status == "pending" and comment.status_reason == "moderation list: casino"


def test_moderation_list_matches_ip_and_user_agent(client, post):
    save_settings({"moderation_keys": "203.0.113.\nEvilBot", "comment_previously_approved": False})
    db.session.commit()
    submit_comment(client, post, comment="From a listed IP")
    assert stored()[-1].status_reason == "moderation list: 203.0.113."
    client.environ_base["HTTP_USER_AGENT"] = "EvilBot/2.0"
    submit_comment(client, post, comment="From a listed agent", ip="192.0.2.1")
    assert stored()[-1].status_reason == "moderation list: EvilBot"


def test_disallowed_keys_send_the_comment_to_the_trash(client, post):
    save_settings({"disallowed_keys": "viagra"})
    db.session.commit()
    response = submit_comment(client, post, comment="Cheap VIAGRA")
    assert response.status_code == 303
    comment = stored()[-1]
    assert (comment.status, comment.status_reason) == ("trash", "disallowed list: viagra")
    assert "Cheap VIAGRA" not in client.get(post_url(post)).get_data(as_text=True)


def test_honeypot_marks_the_comment_as_spam(client, post):
    submit_comment(client, post, hp_website="http://bot.example")
    comment = stored()[-1]
    assert (comment.status, comment.status_reason) == ("spam", "hidden honeypot field was filled in")


def test_manual_approval_holds_even_previously_approved_authors(client, post):
    make_comment(post, author_name="Ada Reader", author_email="ada@example.com")
    save_settings({"comment_moderation": True})
    db.session.commit()
    submit_comment(client, post)
    assert stored()[-1].status_reason == "manual approval of every comment is on"


def test_closed_post_shows_no_form_and_refuses_comments(client, post):
    post.comments_open = False
    db.session.commit()
    page = page_soup(client.get(post_url(post)))
    assert page.select_one("form#commentform") is None
    assert page.select_one(".no-comments").get_text() == "Comments are closed."
    response = client.post(f"/posts/{post.id}/comments", data={"comment": "hi", "author": "a", "email": "a@b.co"})
    assert response.status_code in (400, 403)


def test_closed_post_refuses_a_valid_form_with_403(app, client, post):
    action, hidden = form_fields(client.get(post_url(post)))
    post.comments_open = False
    db.session.commit()
    response = client.post(action, data=hidden | {"author": "A", "email": "a@example.com", "comment": "Late"})
    assert response.status_code == 403
    assert "Comments are closed." in response.get_data(as_text=True)


def test_comments_close_automatically_after_n_days_when_set(client, post):
    save_settings({"close_comments_for_old_posts": True, "close_comments_days_old": 14})
    db.session.commit()
    fresh = make_post(published_at=utcnow() - timedelta(days=2))
    assert page_soup(client.get(post_url(fresh))).select_one("form#commentform") is not None
    assert "Comments are closed." in client.get(post_url(post)).get_data(as_text=True)


def test_missing_csrf_token_is_refused_and_keeps_the_text(client, post):
    response = client.post(f"/posts/{post.id}/comments",
                           data={"author": "A", "email": "a@example.com", "comment": "Without token"})
    assert response.status_code == 400
    page = page_soup(response)
    assert "Without token" in page.select_one("textarea#comment").get_text()
    assert "This form had expired" in page.select_one("[role=alert]").get_text()
    assert not stored()


def test_comment_to_unknown_or_draft_post_is_404(client, post):
    draft = make_post(status="draft")
    assert client.post(f"/posts/{draft.id}/comments", data={}).status_code == 404
    assert client.post("/posts/9999/comments", data={}).status_code == 404


def test_remember_me_cookie_only_when_ticked_and_prefills_the_form(client, post):
    submit_comment(client, post, comment="No cookie please.")
    assert client.get_cookie("comment_author") is None
    submit_comment(client, post, comment="Remember me.", remember="y", url="example.org", ip="198.51.100.4")
    assert client.get_cookie("comment_author") is not None
    form = page_soup(client.get(post_url(post))).select_one("form#commentform")
    assert form.select_one("#author")["value"] == "Ada Reader"
    assert form.select_one("#email")["value"] == "ada@example.com"
    assert form.select_one("#url")["value"] == "http://example.org"
    assert form.select_one("#remember").has_attr("checked")
    submit_comment(client, post, comment="Forget me now.", ip="198.51.100.5")
    assert client.get_cookie("comment_author") is None


def test_forged_remember_cookie_is_ignored(client, post):
    client.set_cookie("comment_author", '{"author": "Ada Reader", "email": "ada@example.com"}')
    form = page_soup(client.get(post_url(post))).select_one("form#commentform")
    assert not form.select_one("#author").get("value")


def test_reply_link_without_javascript_titles_the_form(client, post):
    parent = make_comment(post, author_name="Grace")
    page = page_soup(client.get(post_url(post, replytocom=parent.id)))
    assert page.select_one("#reply-title-text").get_text() == "Leave a Reply to Grace"
    cancel = page.select_one("#cancel-comment-reply-link")
    assert cancel.get_text() == "Cancel reply" and not cancel.has_attr("hidden")
    assert page.select_one("#comment_parent")["value"] == str(parent.id)
    link = page.select_one(f"#comment-{parent.id} .comment-reply-link")
    assert link["href"] == f"?replytocom={parent.id}#respond"
    assert link.find_parent("li")["id"] == f"comment-{parent.id}"


def test_comment_text_is_rendered_inert_with_wordpress_tags(client, post):
    body = ('<script>alert(1)</script><b>bold</b> <img src=x onerror=alert(2)> '
            'see https://example.com/page\n\nsecond <a href="javascript:alert(3)">x</a>')
    comment = make_comment(post, body=body, author_url="https://ada.example")
    content = page_soup(client.get(post_url(post))).select_one(f"#comment-{comment.id}")
    text = str(content.select_one(".comment-content"))
    assert "<script" not in text and "onerror" not in text and "javascript:" not in text
    assert content.select_one(".comment-content b").get_text() == "bold"
    link = content.select_one(".comment-content a[href='https://example.com/page']")
    assert link["rel"] == ["nofollow", "ugc"]
    assert len(content.select(".comment-content p")) == 2
    author = content.select_one(".fn a")
    assert author["href"] == "https://ada.example" and author["rel"] == ["ugc", "external", "nofollow"]
    assert author["class"] == ["url"]  # as WordPress's get_comment_author_link writes it


def test_avatars_are_local_by_default_gravatar_or_placeholder_by_setting(client, post):
    comment = make_comment(post, author_email="Ada@Example.com ")
    avatar = page_soup(client.get(post_url(post))).select_one(f"#comment-{comment.id}  footer img")["src"]
    assert avatar.startswith("/avatar/") and avatar.endswith(".svg")
    svg = client.get(avatar)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    save_settings({"avatar_source": "gravatar"})
    db.session.commit()
    avatar = page_soup(client.get(post_url(post))).select_one(f"#comment-{comment.id}  footer img")["src"]
    assert avatar.startswith("https://secure.gravatar.com/avatar/") and "d=identicon" in avatar
    save_settings({"show_avatars": False})
    db.session.commit()
    avatar = page_soup(client.get(post_url(post))).select_one(f"#comment-{comment.id}  footer img")["src"]
    assert avatar == "/static/img/avatar.svg"
    assert client.get("/avatar/not-a-hash.svg").status_code == 404


def test_an_edited_comment_shows_its_new_text_to_the_next_reader(app, post):
    comment = make_comment(post, body="First wording")
    reader = app.test_client()
    reader.set_cookie("comment_author", "not-cached")  # the uncached path, memoized markup included
    assert "First wording" in reader.get(post_url(post)).get_data(as_text=True)
    comment.body = "Second wording"
    db.session.commit()
    page = reader.get(post_url(post)).get_data(as_text=True)
    assert "Second wording" in page and "First wording" not in page


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JaVa\tScRiPt:alert(1)", "data:text/html,<b>x</b>",
                                 "vbscript:msgbox(1)", "//evil.example/x"])
def test_a_stored_website_that_is_not_http_is_never_a_link(client, post, url):
    comment = make_comment(post, author_url=url)  # imported or provider-given, not through the form
    author = page_soup(client.get(post_url(post))).select_one(f"#comment-{comment.id} .fn")
    assert author.find("a") is None and author.get_text() == comment.author_name
