"""What the blog shows the fediverse: WebFinger, NodeInfo, the actor, its outbox and collections,
and its posts and the owner's replies as objects."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization

from activitypub.models import Activity, ActorKey, Follower, RemoteActor
from blog.models import Comment
from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from tests.support.admin import staff_user
from tests.support.factories import make_comment, make_post

SITE = "http://127.0.0.1:5000"  # TestConfig's SITE_URL
AP_JSON = "application/activity+json"


def test_webfinger_finds_the_blog_by_its_acct_address_and_by_its_actor_url(client):
    for resource in ("acct:blog@127.0.0.1:5000", f"{SITE}/ap/actor"):
        answer = client.get("/.well-known/webfinger", query_string={"resource": resource})
        assert answer.status_code == 200 and answer.mimetype == "application/jrd+json"
        jrd = answer.get_json(force=True)
        assert jrd["subject"] == "acct:blog@127.0.0.1:5000"
        assert {"rel": "self", "type": AP_JSON, "href": f"{SITE}/ap/actor"} in jrd["links"]
        assert any(link["rel"] == "http://webfinger.net/rel/profile-page" for link in jrd["links"])


def test_webfinger_answers_404_for_others_and_400_without_a_resource(client):
    assert client.get("/.well-known/webfinger?resource=acct:ada@127.0.0.1:5000").status_code == 404
    assert client.get("/.well-known/webfinger?resource=acct:blog@elsewhere.test").status_code == 404
    missing = client.get("/.well-known/webfinger")
    assert missing.status_code == 400 and missing.is_json and "resource" in missing.get_json()["error"]


def test_actor_document_carries_inbox_collections_and_a_usable_public_key(client, app):
    answer = client.get("/ap/actor")
    assert answer.status_code == 200 and answer.mimetype == AP_JSON
    actor = answer.get_json(force=True)
    assert actor["@context"] == ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
    assert actor["id"] == f"{SITE}/ap/actor" and actor["type"] == "Person"
    assert actor["preferredUsername"] == "blog" and actor["name"] == app.config["BLOG_TITLE"]
    assert actor["inbox"] == f"{SITE}/ap/inbox" and actor["endpoints"]["sharedInbox"] == f"{SITE}/ap/inbox"
    assert actor["outbox"] == f"{SITE}/ap/outbox" and actor["followers"] == f"{SITE}/ap/followers"
    assert actor["publicKey"]["id"] == f"{SITE}/ap/actor#main-key" and actor["publicKey"]["owner"] == actor["id"]
    key = serialization.load_pem_public_key(actor["publicKey"]["publicKeyPem"].encode())
    assert key.key_size == 2048
    assert client.get("/ap/actor").get_json(force=True)["publicKey"] == actor["publicKey"], "one key, kept"
    assert db.session.query(ActorKey).count() == 1


def test_nodeinfo_names_the_software_and_counts_public_posts(client):
    make_post()
    make_post(password="secret")
    make_post(status="draft")
    links = client.get("/.well-known/nodeinfo").get_json()
    assert links["links"][0]["href"] == f"{SITE}/nodeinfo/2.1"
    info = client.get("/nodeinfo/2.1").get_json(force=True)
    assert info["version"] == "2.1" and info["protocols"] == ["activitypub"]
    assert info["software"]["name"] and info["software"]["version"]
    assert info["usage"]["users"]["total"] == 1 and info["usage"]["localPosts"] == 1
    assert info["openRegistrations"] is False


def test_outbox_lists_public_activities_newest_first_in_pages(client):
    for n in range(25):
        db.session.add(Activity(type="Create", payload={"type": "Create", "n": n}, public=True))
    db.session.add(Activity(type="Accept", payload={"type": "Accept"}, public=False))
    db.session.commit()
    outbox = client.get("/ap/outbox").get_json(force=True)
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 25
    first = client.get(outbox["first"].removeprefix(SITE)).get_json(force=True)
    assert first["type"] == "OrderedCollectionPage" and len(first["orderedItems"]) == 20
    assert [item["n"] for item in first["orderedItems"][:3]] == [24, 23, 22]
    assert first["orderedItems"][0]["id"].startswith(f"{SITE}/ap/activities/")
    second = client.get(first["next"].removeprefix(SITE)).get_json(force=True)
    assert [item["n"] for item in second["orderedItems"]] == [4, 3, 2, 1, 0] and "next" not in second
    assert client.get("/ap/outbox?page=0").status_code == 400


def test_followers_shows_how_many_but_not_who(client):
    actor = RemoteActor(uri="http://fedi.test/users/ada", key_id="http://fedi.test/users/ada#main-key",
                        public_key_pem="-", inbox="http://fedi.test/users/ada/inbox", domain="fedi.test")
    db.session.add(actor)
    db.session.flush()
    db.session.add(Follower(remote_actor_id=actor.id))
    db.session.commit()
    followers = client.get("/ap/followers").get_json(force=True)
    assert followers["totalItems"] == 1 and "fedi.test" not in str(followers)
    assert client.get("/ap/following").get_json(force=True)["totalItems"] == 0


def test_a_public_post_is_an_article_and_other_posts_are_404(client):
    post = make_post(title="Salary talks", body="Ask for **more**.<script>alert(1)</script>", excerpt="")
    article = client.get(f"/ap/posts/{post.id}").get_json(force=True)
    assert article["type"] == "Article" and article["id"] == f"{SITE}/ap/posts/{post.id}"
    assert article["url"] == post_url(post, _external=True) and article["name"] == "Salary talks"
    assert "<strong>more</strong>" in article["content"] and "<script" not in article["content"]
    assert article["summary"].startswith("Ask for more")
    assert article["attributedTo"] == f"{SITE}/ap/actor"
    assert article["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert article["cc"] == [f"{SITE}/ap/followers"]
    future = make_post(published_at=datetime.now(UTC) + timedelta(days=1))
    for hidden in (make_post(status="draft"), make_post(password="pw"), make_post(kind="page"), future):
        answer = client.get(f"/ap/posts/{hidden.id}")
        assert answer.status_code == 404 and answer.is_json
    assert client.get("/ap/posts/999999").status_code == 404


def test_the_owners_reply_to_a_fediverse_comment_is_a_note_mentioning_its_author(client, app):
    post = make_post()
    ada = RemoteActor(uri="http://fedi.test/users/ada", key_id="http://fedi.test/users/ada#main-key",
                      public_key_pem="-", inbox="http://fedi.test/users/ada/inbox", domain="fedi.test",
                      handle="@ada@fedi.test", name="Ada", profile_url="http://fedi.test/@ada")
    db.session.add(ada)
    remote = make_comment(post, comment_type="activitypub", source_url="http://fedi.test/users/ada/statuses/1",
                          author_handle="@ada@fedi.test", author_url="http://fedi.test/@ada")
    owner = staff_user("administrator")
    reply = make_comment(post, parent=remote, user_id=owner.id, body="Thanks, Ada!")
    note = client.get(f"/ap/comments/{reply.id}").get_json(force=True)
    assert note["type"] == "Note" and note["id"] == f"{SITE}/ap/comments/{reply.id}"
    assert note["inReplyTo"] == "http://fedi.test/users/ada/statuses/1"
    assert "http://fedi.test/users/ada" in note["cc"]
    assert note["tag"] == [{"type": "Mention", "href": "http://fedi.test/users/ada", "name": "@ada@fedi.test"}]
    assert "Thanks, Ada!" in note["content"] and 'href="http://fedi.test/@ada"' in note["content"]
    answer = make_comment(post, parent=reply, user_id=owner.id, body="And more.")
    assert client.get(f"/ap/comments/{answer.id}").get_json(force=True)["inReplyTo"] == note["id"]
    top = make_comment(post, user_id=owner.id, body="Top level.")
    assert client.get(f"/ap/comments/{top.id}").get_json(force=True)["inReplyTo"] == f"{SITE}/ap/posts/{post.id}"


def test_guest_comments_and_held_replies_are_not_served_as_notes(client):
    post = make_post()
    owner = staff_user("administrator")
    guest = make_comment(post)
    held = make_comment(post, user_id=owner.id, status="pending")
    reader = staff_user("subscriber")
    by_reader = make_comment(post, user_id=reader.id)
    for comment in (guest, held, by_reader):
        assert client.get(f"/ap/comments/{comment.id}").status_code == 404
    assert db.session.get(Comment, guest.id) is not None


def test_activities_are_served_when_public_only(client):
    public = Activity(type="Create", payload={"type": "Create", "id": f"{SITE}/ap/activities/1"}, public=True)
    private = Activity(type="Accept", payload={"type": "Accept"}, public=False)
    db.session.add_all([public, private])
    db.session.commit()
    answer = client.get(f"/ap/activities/{public.id}")
    assert answer.status_code == 200 and answer.get_json(force=True)["type"] == "Create"
    assert client.get(f"/ap/activities/{private.id}").status_code == 404


@pytest.mark.parametrize("path", ["/ap/actor", "/.well-known/webfinger?resource=acct:blog@127.0.0.1:5000",
                                  "/nodeinfo/2.1", "/ap/outbox"])
def test_switched_off_the_blog_is_no_actor(client, path):
    save_settings({"activitypub_enabled": False})
    db.session.commit()
    assert client.get(path).status_code == 404
    assert client.post("/ap/inbox", data=b"{}").status_code == 404


def test_documents_are_json_with_cache_headers_and_never_stored_by_the_page_cache(client):
    post = make_post()
    for path in ("/ap/actor", f"/ap/posts/{post.id}", "/.well-known/webfinger?resource=acct:blog@127.0.0.1:5000"):
        first, second = client.get(path), client.get(path)
        assert "X-Page-Cache" not in first.headers and "X-Page-Cache" not in second.headers
        assert first.headers["Cache-Control"].startswith("public, max-age=")
        assert first.mimetype != "text/html"
    assert client.get("/ap/posts/999999").headers["Cache-Control"] == "no-store"
