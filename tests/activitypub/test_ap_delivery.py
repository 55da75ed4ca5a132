"""Delivering the blog's activities to fediverse inboxes: real HTTP to inboxes on 127.0.0.1 that
check the blog's signatures themselves, with the blog's public key and independent code (the
http-message-signatures library for RFC 9421, `cryptography` for draft-cavage)."""

import base64
import hashlib
import json
import re
import threading
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver, algorithms
from http_message_signatures.structures import CaseInsensitiveDict

from activitypub.delivery import delivery_pass
from activitypub.keys import blog_key, key_id
from activitypub.models import Activity, Delivery, Follower, InboxHost, RemoteActor
from blog.comment_admin import reply_as_admin
from blog.discussion import CommentInput, submit_comment
from blog.posts import PostDraft, delete_post, save_post
from blog.settings import get_settings, save_settings
from core.dbtypes import utcnow
from extensions import db
from tests.support.admin import admin_post, client_as, csrf_token_from
from tests.support.factories import make_comment
from tests.support.helpers import statements_during

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass(frozen=True)
class Received:
    """One POST an inbox received, and what it made of the signature."""

    path: str
    scheme: str  # "rfc9421", "cavage" or "none"
    verified: bool
    error: str
    activity: dict
    answered: int


class FediverseServer:
    """A fediverse server's inboxes on 127.0.0.1: each POST's signature is checked against the
    blog's public key; `refuse` names schemes it answers 401 to (as a server that only knows the
    other), `answers[path]` queues statuses to answer before the usual 202."""

    def __init__(self, public_key_pem: str, expected_key_id: str, refuse: tuple[str, ...] = ()):
        self.public_key = serialization.load_pem_public_key(public_key_pem.encode())
        self.key_id = expected_key_id
        self.refuse = set(refuse)
        self.answers: dict[str, list[int]] = {}
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_port
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._thread.join(2)
        self._httpd.server_close()

    def at(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    def accepted(self, path: str) -> list[Received]:
        return [request for request in self.at(path) if 200 <= request.answered < 300]

    def check(self, method: str, path: str, headers, body: bytes) -> tuple[str, str]:
        """The scheme the request was signed with, and what is wrong with its signature ("" if nothing)."""
        if "Signature-Input" in headers:
            return "rfc9421", self._check_rfc9421(method, path, headers, body)
        if "Signature" in headers:
            return "cavage", self._check_cavage(method, path, headers, body)
        return "none", "not signed"

    def _check_rfc9421(self, method: str, path: str, headers, body: bytes) -> str:
        message = _Message(method, f"http://{headers['Host']}{path}", CaseInsensitiveDict(headers.items()))
        verifier = HTTPMessageVerifier(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                                       key_resolver=MappingKeyResolver(public_keys={self.key_id: self.public_key},
                                                                       private_keys={}))
        try:
            verifier.verify(message, require_components=("@method", "@target-uri"), body=body)
        except Exception as error:  # what a server answers 401 for, whatever the library raised
            return f"{type(error).__name__}: {error}"
        return ""

    def _check_cavage(self, method: str, path: str, headers, body: bytes) -> str:
        params = dict(re.findall(r'(\w+)="([^"]*)"', headers["Signature"]))
        if params.get("keyId") != self.key_id:
            return f"unknown keyId {params.get('keyId')}"
        covered = params.get("headers", "").split()
        if not {"(request-target)", "host", "date", "digest"} <= set(covered):
            return f"covers only {covered}"
        if headers.get("Digest") != "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode():
            return "digest does not match the body"
        lines = [f"(request-target): {method.lower()} {path}" if name == "(request-target)"
                 else f"{name}: {headers[name]}" for name in covered]
        try:
            self.public_key.verify(base64.b64decode(params["signature"]), "\n".join(lines).encode(),
                                   padding.PKCS1v15(), hashes.SHA256())
        except Exception as error:
            return f"bad signature: {type(error).__name__}"
        return ""


@dataclass
class _Message:
    method: str
    url: str
    headers: CaseInsensitiveDict


def _handler_for(server: FediverseServer):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            scheme, error = server.check("POST", self.path, self.headers, body)
            with server._lock:
                queued = server.answers.get(self.path) or []
                if error or scheme in server.refuse:
                    status = 401
                else:
                    status = queued.pop(0) if queued else 202
                server.received.append(Received(self.path, scheme, not error, error,
                                                json.loads(body) if body else {}, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def key(app):
    return blog_key()


@pytest.fixture
def server(key):
    running = FediverseServer(key.public_key_pem, key_id())
    yield running
    running.stop()


def follower(name: str, domain: str, inbox: str, shared: str | None = None) -> RemoteActor:
    """A remote actor following the blog."""
    actor = RemoteActor(uri=f"https://{domain}/users/{name}", key_id=f"https://{domain}/users/{name}#main-key",
                        public_key_pem="", inbox=inbox, shared_inbox=shared, handle=f"@{name}@{domain}",
                        name=name.title(), profile_url=f"https://{domain}/@{name}", domain=domain)
    db.session.add(actor)
    db.session.flush()
    db.session.add(Follower(remote_actor_id=actor.id))
    db.session.commit()
    return actor


def draft(title: str = "Hello fediverse", **fields) -> PostDraft:
    values = {"title": title, "slug": "", "body": "A post for the *fediverse*.", "excerpt": "What it says",
              "published_at": None, "comments_open": True, "action": "publish"}
    return PostDraft(**(values | fields))


def deliveries() -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))


@pytest.fixture
def followers(server):
    """Three followers on one server (one shared inbox), one with a personal inbox only, one on a blocked server."""
    for name in ("ada", "bob", "cy"):
        follower(name, "one.test", server.url(f"/one/users/{name}/inbox"), shared=server.url("/one/inbox"))
    follower("dee", "two.test", server.url("/two/users/dee/inbox"))
    follower("eve", "spam.blocked.test", server.url("/blocked/inbox"))
    save_settings({"federation_blocked_domains": "blocked.test"})
    db.session.commit()


def test_publishing_delivers_one_signed_create_per_distinct_inbox(app, server, followers, admin_user):
    post = save_post(None, draft(), admin_user).post
    assert sorted(d.inbox for d in deliveries()) == [server.url("/one/inbox"), server.url("/two/users/dee/inbox")]

    report = delivery_pass()

    assert report == "delivered 2, failed 0"
    assert [d.status for d in deliveries()] == ["delivered", "delivered"]
    assert {r.path for r in server.received} == {"/one/inbox", "/two/users/dee/inbox"}  # never the blocked server
    accepted = server.accepted("/one/inbox")
    assert len(accepted) == 1 and accepted[0].verified and accepted[0].scheme == "rfc9421"
    activity = accepted[0].activity
    assert activity["type"] == "Create" and activity["actor"].startswith("http://127.0.0.1:5000/")
    assert PUBLIC in activity["to"]
    article = activity["object"]
    assert article["type"] == "Article" and article["name"] == "Hello fediverse"
    assert article["summary"] == "What it says" and article["url"].endswith(f"/{post.slug}/")
    assert "<em>fediverse</em>" in article["content"]
    assert delivery_pass() is None  # nothing left to do


def test_update_then_trash_send_update_then_delete(app, server, followers, admin_user):
    post = save_post(None, draft(), admin_user).post
    delivery_pass()
    save_post(post, draft("Hello again", action="publish", status="published"), admin_user)
    delivery_pass()
    save_post(post, draft("Hello again", action="save", status="trash"), admin_user)
    delivery_pass()

    sent = [r.activity for r in server.accepted("/two/users/dee/inbox")]
    assert [a["type"] for a in sent] == ["Create", "Update", "Delete"]
    assert sent[1]["object"]["name"] == "Hello again"
    assert sent[2]["object"] == {"id": sent[0]["object"]["id"], "type": "Tombstone", "formerType": "Article"}
    assert all(r.verified for r in server.received)
    assert len({a["id"] for a in sent}) == 3 and all(a["id"].startswith("http://127.0.0.1:5000/") for a in sent)


WITHDRAWALS = {
    "private": lambda post, user: save_post(post, draft(visibility="private", status="published"), user),
    "protected": lambda post, user: save_post(post, draft(visibility="password", password="pw",
                                                          status="published"), user),
    "draft": lambda post, user: save_post(post, draft(action="save", status="draft"), user),
    "deleted": lambda post, user: delete_post(post),
}


@pytest.mark.parametrize("withdraw", WITHDRAWALS)
def test_a_post_no_longer_public_is_deleted_on_the_fediverse(app, server, followers, admin_user, withdraw):
    post = save_post(None, draft(), admin_user).post
    delivery_pass()
    WITHDRAWALS[withdraw](post, admin_user)
    assert delivery_pass() == "delivered 2, failed 0"
    assert [r.activity["type"] for r in server.accepted("/one/inbox")] == ["Create", "Delete"]


def test_deliveries_left_when_the_time_is_up_wait_for_the_next_pass(app, server, followers, admin_user):
    save_post(None, draft(), admin_user)
    assert delivery_pass(budget=0) is None
    assert server.received == [] and [d.status for d in deliveries()] == ["queued", "queued"]
    assert delivery_pass() == "delivered 2, failed 0"


def test_protected_private_and_draft_posts_are_never_delivered(app, server, followers, admin_user):
    save_post(None, draft("Secret", visibility="password", password="opensesame"), admin_user)
    save_post(None, draft("Mine", visibility="private"), admin_user)
    save_post(None, draft("Unfinished", action="draft"), admin_user)

    assert delivery_pass() is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 0
    assert deliveries() == [] and server.received == []


def test_scheduled_post_is_announced_by_the_pass_once_its_date_comes(app, server, followers, admin_user):
    post = save_post(None, draft(published_at=utcnow() + timedelta(hours=2)), admin_user).post
    assert delivery_pass() is None and deliveries() == []

    post.published_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert delivery_pass() == "delivered 2, failed 0 (announced 1 scheduled post)"
    assert [r.activity["type"] for r in server.accepted("/one/inbox")] == ["Create"]
    assert delivery_pass() is None  # announced once


def test_owner_reply_to_a_fediverse_comment_goes_to_its_author_as_a_note(app, server, followers, admin_user):
    post = save_post(None, draft(), admin_user).post
    delivery_pass()
    ada = db.session.scalar(sa.select(RemoteActor).where(RemoteActor.handle == "@ada@one.test"))
    remote = make_comment(post, comment_type="activitypub", source_url="https://one.test/users/ada/statuses/1",
                          author_name="Ada", author_url=ada.profile_url, author_handle=ada.handle, status="pending")

    reply = reply_as_admin(remote, "Thanks, Ada!", admin_user)  # the Reply button of the Comments screen
    assert reply.status == "approved"
    report = delivery_pass()

    assert report == "delivered 3, failed 0"  # her own inbox, and the two followers' inboxes
    note_to_her = server.accepted("/one/users/ada/inbox")
    assert len(note_to_her) == 1 and note_to_her[0].verified
    activity = note_to_her[0].activity
    assert activity["type"] == "Create" and ada.uri in activity["to"]
    note = activity["object"]
    assert note["type"] == "Note" and note["inReplyTo"] == "https://one.test/users/ada/statuses/1"
    assert {"type": "Mention", "href": ada.uri, "name": "@ada@one.test"} in note["tag"]
    assert "Thanks, Ada!" in note["content"]
    assert [r.activity["object"]["type"] for r in server.accepted("/two/users/dee/inbox")] == ["Article", "Note"]


def test_guest_reply_to_a_fediverse_comment_is_not_sent(app, server, followers, admin_user, post):
    remote = make_comment(post, comment_type="activitypub", source_url="https://one.test/users/ada/statuses/2",
                          author_name="Ada", author_handle="@ada@one.test")
    submit_comment(post, CommentInput(body="A guest's answer", parent_id=remote.id, author_name="Guest",
                                      author_email="guest@example.com", ip="203.0.113.9"), get_settings())
    assert deliveries() == []


def test_inbox_refusing_rfc9421_gets_cavage_at_once_and_keeps_it(app, key, followers, admin_user):
    cavage_only = FediverseServer(key.public_key_pem, key_id(), refuse=("rfc9421",))
    try:
        follower("fay", "old.test", cavage_only.url("/inbox"))
        post = save_post(None, draft(), admin_user).post
        delivery_pass()
        assert [(r.scheme, r.answered) for r in cavage_only.received] == [("rfc9421", 401), ("cavage", 202)]
        assert db.session.get(InboxHost, f"127.0.0.1:{cavage_only.port}").signature_scheme == "cavage"

        save_post(post, draft("Edited", action="publish", status="published"), admin_user)
        delivery_pass()
        assert [r.scheme for r in cavage_only.received[2:]] == ["cavage"]  # no knock on the wrong door
        assert all(r.verified for r in cavage_only.received)
    finally:
        cavage_only.stop()


def test_server_error_is_retried_at_the_next_pass(app, server, followers, admin_user):
    server.answers["/two/users/dee/inbox"] = [500]
    save_post(None, draft(), admin_user)
    assert delivery_pass() == "delivered 1, failed 0, to retry 1"
    waiting = [d for d in deliveries() if d.status == "queued"]
    assert [(d.attempts, d.last_status, d.last_error) for d in waiting] == [(1, 500, "HTTP 500")]

    assert delivery_pass() == "delivered 1, failed 0"
    assert [d.status for d in deliveries()] == ["delivered", "delivered"]
    assert len(server.at("/two/users/dee/inbox")) == 2


def test_rate_limited_inbox_gives_up_after_the_last_attempt(app_factory, key):
    app = app_factory(FEDERATION_MAX_ATTEMPTS=2)
    with app.test_request_context():
        key = blog_key()
        server = FediverseServer(key.public_key_pem, key_id())
        try:
            follower("gus", "busy.test", server.url("/inbox"))
            server.answers["/inbox"] = [429, 503, 202]
            save_post(None, draft(), _owner())
            delivery_pass()
            assert delivery_pass() == "delivered 0, failed 1"
            [delivery] = deliveries()
            assert (delivery.status, delivery.attempts, delivery.last_status) == ("failed", 2, 503)
            assert delivery_pass() is None and len(server.received) == 2
        finally:
            server.stop()


def test_client_error_gives_up_and_the_admin_can_retry(app, server, followers, admin_user):
    server.answers["/two/users/dee/inbox"] = [410]
    save_post(None, draft(), admin_user)
    assert delivery_pass() == "delivered 1, failed 1"
    gone = next(d for d in deliveries() if d.status == "failed")
    assert (gone.attempts, gone.last_status, gone.last_error) == (1, 410, "HTTP 410")
    assert delivery_pass() is None and len(server.at("/two/users/dee/inbox")) == 1  # given up

    assert _press_retry(app, admin_user, gone.id).status_code == 303
    assert delivery_pass() == "delivered 1, failed 0"
    db.session.expire_all()
    again = db.session.get(Delivery, gone.id)
    assert (again.status, again.attempts, again.last_status, again.last_error) == ("delivered", 1, 202, "")
    assert _press_retry(app, admin_user, gone.id + 1000).status_code == 404


def _press_retry(app, owner, delivery_id: int):
    """The Retry button of the Mentions & fediverse screen's Deliveries tab, as the owner presses it."""
    browser = client_as(app, owner)
    token = csrf_token_from(browser.get("/admin/federation?tab=deliveries"))
    return admin_post(browser, f"/admin/federation/retry/delivery/{delivery_id}", token)


def test_delivery_to_a_private_address_outside_the_allow_list_is_refused(app_factory):
    app = app_factory()
    with app.test_request_context():
        key = blog_key()
        allowed = FediverseServer(key.public_key_pem, key_id())
        private = FediverseServer(key.public_key_pem, key_id())
        app.config["OUTBOUND_ALLOWED_PRIVATE_HOSTS"] = f"127.0.0.1:{allowed.port}"
        app.config["OUTBOUND_LISTED_ONLY"] = False  # as in production (the inboxes are literal addresses)
        try:
            follower("hal", "fine.test", allowed.url("/inbox"))
            follower("ivy", "sneaky.test", private.url("/inbox"))
            save_post(None, draft(), _owner())
            assert delivery_pass() == "delivered 1, failed 1"
            refused = next(d for d in deliveries() if d.status == "failed")
            assert refused.inbox == private.url("/inbox") and refused.last_status is None
            assert "private or local address" in refused.last_error
            assert private.received == [] and len(allowed.received) == 1
        finally:
            allowed.stop()
            private.stop()


def _owner():
    from tests.support.admin import make_user

    return make_user(True, "Blog Owner", "owner@example.com")


def test_fan_out_to_many_followers_is_one_insert(app, server, admin_user):
    actors = [{"uri": f"https://s{n % 7}.test/users/u{n}", "key_id": f"https://s{n % 7}.test/users/u{n}#key",
               "public_key_pem": "", "inbox": server.url(f"/s{n % 7}/users/u{n}/inbox"),
               "shared_inbox": server.url(f"/s{n % 7}/inbox") if n < 280 else None,
               "handle": f"@u{n}@s{n % 7}.test", "domain": f"s{n % 7}.test"} for n in range(300)]
    db.session.execute(sa.insert(RemoteActor), actors)
    db.session.execute(sa.insert(Follower), [{"remote_actor_id": i}
                                             for i in db.session.scalars(sa.select(RemoteActor.id))])
    db.session.commit()

    statements = statements_during(app, lambda: save_post(None, draft(), admin_user))

    inserts = [s for s, _ in statements if s.startswith("INSERT INTO ap_deliveries")]
    assert len(inserts) == 1 and len(statements) < 40
    assert len(deliveries()) == 7 + 20  # seven shared inboxes, twenty personal ones
    assert delivery_pass() == "delivered 27, failed 0"
    assert len(server.received) == 27 and all(r.verified for r in server.received)


def test_nothing_is_published_or_sent_while_activitypub_is_off(app, server, followers, admin_user):
    save_settings({"activitypub_enabled": False})
    db.session.commit()
    save_post(None, draft(), admin_user)
    assert delivery_pass() is None
    assert deliveries() == [] and server.received == []
