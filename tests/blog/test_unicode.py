"""Unicode edge cases: stored and shown exactly, or (NUL) removed the same way from every input.

Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL), whose text type refuses NUL outright.
"""

from auth.models import Identity
from auth.services import save_admin
from blog.models import Comment
from blog.permalinks import post_url
from tests.support.hardening import Commenter, stored_comments
from tests.support.helpers import page_soup
from tests.support.oauth import SHAPE_USERS, flashed, log_in, rows

EDGE_CASES = {
    "right-to-left override": "Price: \u202e0001$ \u202cok",
    "zero-width characters": "zero\u200bwidth\u200cjoin\u200dword\u2060join\ufeffbom",
    "emoji with modifiers": "Great post 😀👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈",
    "four-byte characters": "𝕏 𠜎𠜱 𝒜𝓁𝓅𝒽𝒶 🀄 𓂀",
    "long combining sequence": "Z" + "\u0336\u0301\u0308\u0323" * 50 + "algo",
    "mixed directions": "שלום hello مرحبا 123",
    "astral private use": "\U000f0000\U0010fffd",
    "line and paragraph separators": "one\u2028two\u2029three",
}


def test_unicode_edge_cases_are_stored_and_shown_exactly(hostile_blog):
    blog = hostile_blog
    guest = Commenter(blog.app.test_client(), post_url(blog.quiet), blog.target.id)
    for n, (case, text) in enumerate(EDGE_CASES.items()):
        response = guest.post(author=text[:245], email=f"u{n}@example.com", comment=text)
        assert response.status_code == 303, (case, response.get_data(as_text=True)[:500])
    stored = stored_comments(blog.target.id)
    assert [(c.author_name, c.body) for c in stored] == [(t[:245], t) for t in EDGE_CASES.values()]
    page = page_soup(blog.app.test_client().get(post_url(blog.target)))
    names = [b.get_text() for b in page.select(".comment-list b.fn")]
    texts = [div.get_text() for div in page.select(".comment-list .comment-content")]
    for text in EDGE_CASES.values():
        assert text[:245] in names
        assert any(text.replace("\u2028", "").replace("\u2029", "") in t.replace("\u2028", "").replace("\u2029", "")
                   for t in texts), repr(text)
    assert all(b.find("bdi") for b in page.select(".comment-list b.fn")), "names are isolated from the text after"


def test_nul_is_removed_from_every_comment_field(hostile_blog):
    blog = hostile_blog
    guest = Commenter(blog.app.test_client(), post_url(blog.quiet), blog.target.id)
    response = guest.post(author="Nul\x00Name", email="nul\x00@example.com", url="https://ex\x00ample.com/",
                          comment="before\x00after")
    assert response.status_code == 303
    [comment] = stored_comments(blog.target.id)
    assert (comment.author_name, comment.author_email, comment.author_url, comment.body) == (
        "NulName", "nul@example.com", "https://example.com/", "beforeafter")


def test_comment_of_nothing_but_nul_is_refused_with_a_message(hostile_blog):
    blog = hostile_blog
    guest = Commenter(blog.app.test_client(), post_url(blog.quiet), blog.target.id)
    response = guest.post(comment="\x00\x00")
    assert response.status_code == 400
    assert "Please type your comment." in response.get_data(as_text=True)
    assert stored_comments(blog.target.id) == []


def test_nul_in_queries_search_and_log_in_is_harmless(hostile_blog):
    blog = hostile_blog
    client = blog.app.test_client()
    assert client.get("/?page=1%00").status_code == 200
    assert blog.admin.get("/admin/comments?s=a%00b").status_code == 200
    assert client.get(post_url(blog.target).rstrip("/") + "%00/").status_code == 404
    save_admin("owner2@example.com", "a long enough password")
    response = client.post("/login", data={"email": "owner2@example.com\x00", "password": "x\x00"})
    assert response.status_code == 400  # no CSRF token: refused as any other, not a database error
    assert client.get("/login?next=/%00evil").status_code == 200


def test_invalid_utf8_and_lone_surrogates_are_kept_as_visible_escapes(hostile_blog):
    blog = hostile_blog
    guest = Commenter(blog.app.test_client(), post_url(blog.quiet), blog.target.id)
    fields = "&".join(f"{k}={v}" for k, v in guest.hidden.items())
    # %ED%A0%80 is a UTF-16 surrogate encoded as UTF-8, which UTF-8 forbids; %FF is never valid.
    body = fields + "&author=Sur%ED%A0%80rogate&email=s%40example.com&comment=bad%FFbyte+and+%ED%A0%80"
    response = guest.client.post(guest.action, data=body.encode(),
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303
    [comment] = stored_comments(blog.target.id)
    # Werkzeug keeps undecodable bytes percent-encoded: visible, valid text, never a surrogate.
    assert (comment.author_name, comment.body) == ("Sur%ED%A0%80rogate", "bad%FFbyte and %ED%A0%80")
    assert "Sur%ED%A0%80rogate" in blog.app.test_client().get(post_url(blog.target)).get_data(as_text=True)


def test_provider_names_lose_nul_and_a_nul_subject_is_a_failed_log_in(social_app, fake_provider):
    provider = fake_provider("wordpress")
    provider.users["nul"] = dict(SHAPE_USERS["wordpress"]["matt"], display_name="Matt\x00 M",
                                 profile_URL="https://example.com/\x00x")
    provider.users["bad"] = dict(SHAPE_USERS["wordpress"]["matt"], ID="42\x00")
    blog = social_app(**provider.settings)
    client = blog.test_client()
    assert log_in(client, "wordpress", "/", user="nul", action="allow").status_code == 302
    [identity] = rows(blog, Identity)
    assert (identity.display_name, identity.profile_url) == ("Matt M", None)
    other = blog.test_client()
    assert log_in(other, "wordpress", "/", user="bad", action="allow").status_code == 302
    assert flashed(other) == ["WordPress.com's answer could not be verified, so you are not logged in."]
    assert len(rows(blog, Identity)) == 1
    assert not rows(blog, Comment)
