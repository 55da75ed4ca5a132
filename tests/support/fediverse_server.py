"""A small fediverse server on 127.0.0.1 for tests, written independently of activitypub/.

It hosts actors (their own RSA keys, WebFinger, actor documents with publicKey, inbox and
sharedInbox, avatars, and chains of Notes), SENDS signed activities to another server's inbox
(draft-cavage signatures made with `cryptography`, RFC 9421 ones with http-message-signatures),
and RECEIVES at its inboxes, verifying each request's signature by fetching the signer's key from
its server, and recording what arrived for the test's assertions.
"""

import base64
import datetime
import hashlib
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, HTTPSignatureKeyResolver, algorithms
from http_message_signatures.structures import CaseInsensitiveDict

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = AS + "#Public"
AP_JSON = "application/activity+json"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
                       "hgGAWjR9awAAAABJRU5ErkJggg==")


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass
class FakeActor:
    """A person on the fake server. `key` signs; `published_pem` is what their actor document shows."""

    name: str
    display_name: str
    base: str
    key: rsa.RSAPrivateKey
    published_pem: str
    key_fragment: str = "main-key"

    @property
    def uri(self) -> str:
        return f"{self.base}/users/{self.name}"

    @property
    def key_id(self) -> str:
        return f"{self.uri}#{self.key_fragment}"

    @property
    def inbox(self) -> str:
        return f"{self.uri}/inbox"

    @property
    def profile_url(self) -> str:
        return f"{self.base}/@{self.name}"

    @property
    def avatar_url(self) -> str:
        return f"{self.base}/avatars/{self.name}.png"

    @property
    def handle(self) -> str:
        return f"@{self.name}@{urlsplit(self.base).netloc}"

    def document(self) -> dict:
        return {
            "@context": [AS, "https://w3id.org/security/v1"], "id": self.uri, "type": "Person",
            "preferredUsername": self.name, "name": self.display_name, "url": self.profile_url,
            "inbox": self.inbox, "outbox": f"{self.uri}/outbox", "followers": f"{self.uri}/followers",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "icon": {"type": "Image", "mediaType": "image/png", "url": self.avatar_url},
            "publicKey": {"id": self.key_id, "owner": self.uri, "publicKeyPem": self.published_pem},
        }


@dataclass
class Received:
    """A request that arrived at one of the fake server's inboxes."""

    path: str
    headers: dict
    body: bytes
    scheme: str  # "cavage", "rfc9421" or "" (unsigned)
    verified: bool
    error: str = ""
    activity: dict = field(default_factory=dict)


class FediverseServer:
    """The server; `url` is its base (http://127.0.0.1:<port>)."""

    def __init__(self):
        self.actors: dict[str, FakeActor] = {}
        self.received: list[Received] = []
        self.fetches: list[str] = []  # paths of every GET, in order
        self.accept_schemes = {"cavage", "rfc9421"}  # what its inboxes take; others answer 401
        self.inbox_status: int | None = None  # answer every inbox POST with this status instead
        self.chain_length = 0  # /notes/<n> answers a Note replying to /notes/<n-1> down to 1
        self._ids = itertools.count(1)
        self._arrived = threading.Condition()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_port}"
        self.host = f"127.0.0.1:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # Actors and their keys

    def add_actor(self, name: str, display_name: str = "") -> FakeActor:
        key = new_private_key()
        actor = FakeActor(name, display_name or name.capitalize(), self.url, key, public_pem(key))
        self.actors[name] = actor
        return actor

    def rotate_key(self, actor: FakeActor, publish: bool) -> None:
        """Give the actor a new key; `publish` also puts it in their actor document."""
        actor.key = new_private_key()
        if publish:
            actor.published_pem = public_pem(actor.key)

    # Activities

    def new_id(self, actor: FakeActor, kind: str) -> str:
        return f"{actor.uri}/{kind}/{next(self._ids)}"

    def note(self, actor: FakeActor, in_reply_to: str, content: str, note_id: str | None = None, **extra) -> dict:
        return {"id": note_id or self.new_id(actor, "statuses"), "type": "Note", "attributedTo": actor.uri,
                "inReplyTo": in_reply_to, "content": content, "to": [PUBLIC], "cc": [],
                "published": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), **extra}

    def activity(self, actor: FakeActor, kind: str, obj, **extra) -> dict:
        return {"@context": AS, "id": self.new_id(actor, "activities"), "type": kind, "actor": actor.uri,
                "object": obj, "to": [PUBLIC], **extra}

    def send(self, actor: FakeActor, inbox: str, activity: dict | bytes, scheme: str = "cavage", *,
             date: datetime.datetime | None = None, key: rsa.RSAPrivateKey | None = None,
             signed: bool = True, headers: dict | None = None) -> requests.Response:
        """POST the activity to an inbox, signed by the actor (or by `key`), as a server would."""
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        sent = {"Content-Type": AP_JSON, "Accept": AP_JSON}
        if signed:
            sent |= sign(scheme, "POST", inbox, body, actor.key_id, key or actor.key, date)
        sent |= headers or {}
        return requests.post(inbox, data=body, headers=sent, timeout=10)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Wait until `count` requests have reached the inboxes; all that arrived."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)

    def _record(self, received: Received) -> None:
        with self._arrived:
            self.received.append(received)
            self._arrived.notify_all()


def sign(scheme: str, method: str, url: str, body: bytes | None, key_id: str, key: rsa.RSAPrivateKey,
         date: datetime.datetime | None = None) -> dict:
    """Signature headers in either scheme (this module's own implementation of both)."""
    moment = date or datetime.datetime.now(datetime.UTC)
    headers = {"Host": urlsplit(url).netloc, "Date": format_datetime(moment, usegmt=True)}
    if scheme == "rfc9421":
        message = _Message(method, url, CaseInsensitiveDict(headers))
        signer = HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_Keys(key))
        signer.sign(message, key_id=key_id, created=moment, label="fedi",
                    covered_component_ids=("@method", "@target-uri", "date"), body=body)
        return dict(message.headers.items())
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["Digest"] = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
        names.append("digest")
    text = _signing_text(method, url, headers, names)
    signature = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    headers["Signature"] = (f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
                            f'signature="{signature}"')
    return headers


def _signing_text(method: str, url: str, headers, names: list[str]) -> str:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lookup = {name.lower(): value for name, value in headers.items()}
    return "\n".join(f"(request-target): {method.lower()} {target}" if name == "(request-target)"
                     else f"{name}: {lookup[name]}" for name in names)


@dataclass
class _Message:
    method: str
    url: str
    headers: CaseInsensitiveDict


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, private=None, public=None):
        self.private, self.public = private, public

    def resolve_private_key(self, key_id):
        return self.private

    def resolve_public_key(self, key_id):
        return self.public


def verify(method: str, url: str, headers: dict, body: bytes) -> tuple[str, str]:
    """Check a request's signature by fetching its signer's key; (scheme, error or "")."""
    lookup = CaseInsensitiveDict(headers)
    if "Signature-Input" in lookup:
        match = re.search(r'keyid="([^"]+)"', lookup["Signature-Input"])
        key = _fetch_key(match.group(1)) if match else None
        if key is None:
            return "rfc9421", "key not found"
        verifier = HTTPMessageVerifier(signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_Keys(public=key))
        try:
            verifier.verify(_Message(method, url, lookup), require_components=("@method", "@target-uri"), body=body)
        except Exception as error:  # the test reads the reason
            return "rfc9421", f"bad signature: {error}"
        return "rfc9421", ""
    if "Signature" not in lookup:
        return "", "unsigned"
    params = dict(re.findall(r'(\w+)="([^"]*)"', lookup["Signature"]))
    names = params.get("headers", "date").split()
    if body and ("digest" not in names or lookup.get("Digest") !=
                 "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()):
        return "cavage", "digest missing or wrong"
    key = _fetch_key(params.get("keyId", ""))
    if key is None:
        return "cavage", "key not found"
    try:
        key.verify(base64.b64decode(params["signature"]), _signing_text(method, url, lookup, names).encode(),
                   padding.PKCS1v15(), hashes.SHA256())
    except Exception as error:
        return "cavage", f"bad signature: {error!r}"
    return "cavage", ""


def _fetch_key(key_id: str):
    """The public key named by key_id, from its owner's actor document (as a server fetches it)."""
    try:
        document = requests.get(key_id.split("#")[0], headers={"Accept": AP_JSON}, timeout=5).json()
        key = document["publicKey"]
        if key["id"] != key_id:
            return None
        return serialization.load_pem_public_key(key["publicKeyPem"].encode())
    except (requests.RequestException, ValueError, KeyError, TypeError):
        return None


def _handler_for(server: FediverseServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            parts = urlsplit(self.path)
            server.fetches.append(self.path)
            if parts.path == "/.well-known/webfinger":
                return self._webfinger(parse_qs(parts.query).get("resource", [""])[0])
            if match := re.fullmatch(r"/users/(\w+)", parts.path):
                actor = server.actors.get(match.group(1))
                return self._json(actor.document()) if actor else self._answer(404, b"")
            if match := re.fullmatch(r"/avatars/\w+\.png", parts.path):
                return self._answer(200, PNG, "image/png")
            if match := re.fullmatch(r"/notes/(\d+)", parts.path):
                return self._chain_note(int(match.group(1)))
            return self._answer(404, b"")

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = urlsplit(self.path).path
            if path != "/inbox" and not re.fullmatch(r"/users/\w+/inbox", path):
                return self._answer(404, b"")
            headers = dict(self.headers.items())
            scheme, error = verify("POST", server.url + self.path, headers, body)
            if not error and scheme not in server.accept_schemes:
                error = f"{scheme} signatures are not accepted here"
            try:
                activity = json.loads(body)
            except ValueError:
                activity = {}
            server._record(Received(path, headers, body, scheme, not error, error, activity))
            status = server.inbox_status or (401 if error else 202)
            self._answer(status, json.dumps({"error": error}).encode() if error else b"")

        def _webfinger(self, resource: str):
            match = re.fullmatch(r"acct:(\w+)@(.+)", resource)
            actor = server.actors.get(match.group(1)) if match and match.group(2) == server.host else None
            if actor is None:
                return self._answer(404, b"")
            self._json({"subject": resource, "links": [{"rel": "self", "type": AP_JSON, "href": actor.uri}]},
                       "application/jrd+json")

        def _chain_note(self, number: int):
            if not 1 <= number <= server.chain_length:
                return self._answer(404, b"")
            actor = next(iter(server.actors.values()))
            reply_to = f"{server.url}/notes/{number - 1}" if number > 1 else f"{server.url}/notes/0"
            self._json(server.note(actor, reply_to, f"<p>link {number}</p>", f"{server.url}/notes/{number}"))

        def _json(self, data: dict, content_type: str = AP_JSON):
            self._answer(200, json.dumps(data).encode(), content_type)

        def _answer(self, status: int, body: bytes, content_type: str = "application/json"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
