"""What readers and other sites see of Webmention and the fediverse on a post's page: the head links
and Link header that name its endpoints, the likes and reposts facepiles, remote comments with
their handle and source, and microformats2 that let a remote blog read our replies as replies."""

import mf2py
import pytest

from blog.permalinks import post_url
from blog.remote_replies import RemoteAuthor, add_reaction
from blog.settings import save_settings
from extensions import db
from tests.support.admin import make_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, statements_during

SITE = "http://127.0.0.1:5000"


def like(post, n: int, kind: str = "like", **author) -> None:
    who = {"name": f"Fan {n}", "url": f"https://social.test/@fan{n}", "photo": f"https://social.test/fan{n}.png"}
    add_reaction(post, kind=kind, protocol="activitypub", source_url=f"https://social.test/users/fan{n}",
                 author=RemoteAuthor(**(who | author)))


def fediverse_comment(post, **fields):
    values = {"comment_type": "activitypub", "author_name": "Ada", "author_handle": "@ada@social.test",
              "source_url": "https://social.test/@ada/101", "author_url": "https://social.test/@ada"}
    return make_comment(post, **(values | fields))


def test_a_public_post_names_its_webmention_endpoint_and_fediverse_object_in_head_and_header(app, client):
    post = make_post()
    response = client.get(post_url(post))
    head = page_soup(response).head
    endpoint = head.select_one('link[rel="webmention"]')["href"]
    assert endpoint.startswith(SITE) and endpoint.endswith("/webmention")
    alternate = head.select_one('link[rel="alternate"][type="application/activity+json"]')["href"]
    assert alternate.startswith(SITE + "/") and str(post.id) in alternate
    assert response.headers["Link"] == f'<{endpoint}>; rel="webmention"'


def test_the_link_header_stays_on_a_cached_page(app):
    post = make_post()
    first, second = app.test_client(), app.test_client()
    miss = first.get(post_url(post))
    hit = second.get(post_url(post))
    assert (miss.headers["X-Page-Cache"], hit.headers["X-Page-Cache"]) == ("miss", "hit")
    assert hit.headers["Link"] == miss.headers["Link"] and 'rel="webmention"' in hit.headers["Link"]
    assert page_soup(hit).head.select_one('link[rel="webmention"]') is not None


def test_switched_off_protocols_are_not_advertised(app, client):
    save_settings({"webmention_enabled": False, "activitypub_enabled": False})
    db.session.commit()
    post = make_post()
    response = client.get(post_url(post))
    head = page_soup(response).head
    assert head.select_one('link[rel="webmention"]') is None
    assert head.select_one('link[type="application/activity+json"]') is None
    assert "Link" not in response.headers


def test_pages_and_protected_posts_name_no_endpoints(app, client):
    page = make_post(kind="page", slug="about-us")
    protected = make_post(password="secret")
    for item in (page, protected):
        response = client.get(post_url(item))
        assert response.status_code == 200
        assert page_soup(response).head.select_one('link[rel="webmention"]') is None
        assert "Link" not in response.headers


def test_the_post_shows_likes_and_reposts_facepiles_with_counts(app, client):
    save_settings({"avatar_source": "gravatar"})  # remote pictures allowed
    db.session.commit()
    post = make_post()
    for n in range(3):
        like(post, n)
    like(post, 10, kind="repost", photo="")
    like(post, 11, kind="repost")
    soup = page_soup(client.get(post_url(post)))
    likes, reposts = soup.select_one(".facepile-like"), soup.select_one(".facepile-repost")
    assert likes.select_one(".facepile-title").get_text() == "3 likes"
    assert reposts.select_one(".facepile-title").get_text() == "2 reposts"
    faces = likes.select(".facepile-face img")
    assert [img["alt"] for img in faces] == ["Fan 2", "Fan 1", "Fan 0"]  # newest first
    assert faces[0]["src"] == "https://social.test/fan2.png"
    assert faces[0]["loading"] == "lazy" and faces[0]["referrerpolicy"] == "no-referrer"
    assert faces[0].parent["href"] == "https://social.test/@fan2"
    initial = reposts.select_one(".facepile-initial")  # no picture: the name's first letter
    assert initial.get_text() == "F" and initial["aria-label"] == "Fan 10"
    assert soup.select_one(".h-entry .remote-reactions") is not None


def test_local_avatars_mode_loads_no_remote_picture(app, client):
    post = make_post()
    like(post, 1)
    soup = page_soup(client.get(post_url(post)))
    assert soup.select_one(".facepile-face img") is None
    assert soup.select_one(".facepile-initial")["aria-label"] == "Fan 1"


def test_a_facepile_shows_thirty_faces_and_counts_them_all(app, client):
    post = make_post()
    for n in range(70):
        like(post, n)
    soup = page_soup(client.get(post_url(post)))
    assert soup.select_one(".facepile-like .facepile-title").get_text() == "70 likes"
    assert len(soup.select(".facepile-like .facepile-face")) == 30
    assert soup.select_one(".facepile-repost") is None


def test_a_post_without_reactions_shows_no_facepile(app, client):
    soup = page_soup(client.get(post_url(make_post())))
    assert soup.select_one(".remote-reactions") is None


def test_reactions_cost_the_post_page_a_statement_or_two_whatever_their_number(app):
    """One to read the piles; one more to count them when there are more than the piles hold."""
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")

    def statements(post) -> int:
        client.get(post_url(post))
        return len(statements_during(app, lambda: client.get(post_url(post))))

    bare = statements(make_post())
    few, many, more = make_post(), make_post(), make_post()
    for n in range(3):
        like(few, n)
    for n in range(40):
        like(many, n)
    for n in range(150):
        like(more, n, kind="repost" if n % 2 else "like")
    assert statements(few) == statements(many) == bare + 1
    assert statements(more) == bare + 2
    counts = [t.get_text() for t in page_soup(client.get(post_url(more))).select(".facepile-title")]
    assert counts == ["75 likes", "75 reposts"]


def test_a_fediverse_comment_shows_the_handle_and_where_it_came_from(app, client):
    post = make_post()
    comment = fediverse_comment(post)
    article = page_soup(client.get(post_url(post))).select_one(f"#div-comment-{comment.id}")
    author = article.select_one(".comment-author")
    assert author.select_one(".comment-author-handle").get_text() == "@ada@social.test"
    assert author.select_one(".comment-via").get_text() == "via the fediverse"
    source = author.select_one(".comment-via a")
    assert source["href"] == "https://social.test/@ada/101" and source["rel"] == ["nofollow", "ugc"]
    assert "activitypub" in article.parent["class"]


def test_a_webmention_reply_says_via_its_sites_domain(app, client):
    post = make_post()
    comment = make_comment(post, comment_type="webmention", author_name="Grace",
                           source_url="https://grace.test/notes/reply-1")
    via = page_soup(client.get(post_url(post))).select_one(f"#div-comment-{comment.id} .comment-via")
    assert via.get_text() == "via grace.test"
    assert via.a["href"] == "https://grace.test/notes/reply-1" and via.a["rel"] == ["nofollow", "ugc"]


def test_a_local_comment_says_nothing_of_remote_origins(app, client):
    post = make_post()
    make_comment(post)
    soup = page_soup(client.get(post_url(post)))
    assert soup.select_one(".comment-via") is None and soup.select_one(".u-in-reply-to") is None


def test_the_owners_reply_to_a_remote_comment_parses_as_a_reply_to_its_source(app, client):
    owner = make_user(True, "Blog Owner", "owner@example.com")
    post = make_post(author_id=owner.id)
    remote = fediverse_comment(post)
    reply = make_comment(post, parent=remote, user_id=owner.id, author_name="Blog Owner", body="Thanks, Ada!")
    html = client.get(post_url(post)).get_data(as_text=True)
    soup = page_soup(client.get(post_url(post)))
    link = soup.select_one(f"#div-comment-{reply.id} .u-in-reply-to")
    assert link["href"] == "https://social.test/@ada/101"
    assert soup.select_one(f"#div-comment-{remote.id} .u-in-reply-to") is None

    parsed = mf2py.parse(doc=html, url=SITE + post_url(post))
    entries = {}

    def walk(items):
        for item in items:
            if "h-entry" in item["type"]:
                entries[item["properties"].get("content", [{}])[0].get("value", "").strip()] = item
            walk(item.get("children", []))
            for values in item["properties"].values():
                walk([v for v in values if isinstance(v, dict) and "type" in v])

    walk(parsed["items"])
    ours = entries["Thanks, Ada!"]
    assert ours["properties"]["in-reply-to"] == ["https://social.test/@ada/101"]
    assert ours["properties"]["author"][0]["properties"]["name"] == ["Blog Owner"]
    assert ours["properties"]["url"] == [f"{SITE}{post_url(post)}#comment-{reply.id}"]
    assert ours["properties"]["published"]
    post_entry = next(item for item in parsed["items"] if "h-entry" in item["type"])
    assert post_entry["properties"]["name"] == [post.title]
    assert post_entry["properties"]["url"] == [SITE + post_url(post)]


@pytest.mark.parametrize("comment_type", ["activitypub", "webmention"])
def test_hostile_remote_values_are_escaped_and_never_linked(app, client, comment_type):
    post = make_post()
    remote = make_comment(post, comment_type=comment_type, author_name="<script>alert(1)</script>",
                          author_handle='@"><script>alert(2)</script>@x.test', source_url="javascript:alert(3)",
                          author_url="javascript:alert(4)")
    make_comment(post, parent=remote, body="A reply.")
    add_reaction(post, kind="like", protocol="webmention", source_url="https://x.test/a",
                 author=RemoteAuthor(name="<img src=x onerror=alert(5)>", url="javascript:alert(6)",
                                     photo="javascript:alert(7)"))
    html = client.get(post_url(post)).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "javascript:" not in html
    soup = page_soup(client.get(post_url(post)))
    assert soup.select_one(".u-in-reply-to") is None
    assert soup.select_one(".facepile-initial")["aria-label"] == "<img src=x onerror=alert(5)>"
