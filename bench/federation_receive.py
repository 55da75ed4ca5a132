"""Webmentions and signed fediverse replies sent to a running blog, from a process of its own.

`--kind webmention` POSTs a mention of the post per request (a new source each time, from a new
address through X-Forwarded-For, as the rate limit counts per address); `--kind inbox` POSTs a
signed `Create` of a reply `Note` to the shared inbox, signed (draft-cavage, as Mastodon signs) by
an actor this process serves on 127.0.0.1, so the blog fetches its key once and then verifies
every request against it. Both are only accepted (202) in the request: the worker does the rest.
The time counted is the request's, not the signing's. Prints comment_load.py's JSON line.
"""

import argparse
import base64
import hashlib
import http.client
import json
import sys
import threading
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a file by bench/run.py
from bench.comment_load import summary  # noqa: E402  (after the path it needs)

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def serve_actor() -> str:
    """An actor document with this process's public key, on a free port; its id."""
    base: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  (http.server's name)
            actor = base["id"]
            body = json.dumps({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": actor, "type": "Person", "preferredUsername": "bench", "name": "Bench Reader",
                "inbox": actor + "/inbox", "publicKey": {"id": actor + "#main-key", "owner": actor,
                                                         "publicKeyPem": PUBLIC_PEM}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/activity+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base["id"] = f"http://127.0.0.1:{server.server_address[1]}/users/bench"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return base["id"]


def signed_reply(actor: str, host: str, post_object: str) -> tuple[bytes, dict]:
    """A Create of a new reply Note, and the headers that sign its POST to /ap/inbox."""
    note = f"{actor}/statuses/{uuid.uuid4().hex}"
    body = json.dumps({
        "@context": "https://www.w3.org/ns/activitystreams", "id": note + "/activity", "type": "Create",
        "actor": actor, "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {"id": note, "type": "Note", "attributedTo": actor, "inReplyTo": post_object,
                   "content": "<p>A reply from the benchmark.</p>"}}).encode()
    digest = "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    date = formatdate(usegmt=True)
    signed = f"(request-target): post /ap/inbox\nhost: {host}\ndate: {date}\ndigest: {digest}"
    signature = base64.b64encode(KEY.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    return body, {"Host": host, "Date": date, "Digest": digest, "Content-Type": "application/activity+json",
                  "Signature": f'keyId="{actor}#main-key",algorithm="rsa-sha256",'
                               f'headers="(request-target) host date digest",signature="{signature}"'}


def sender(args, actor: str, deadline: float, results: list, worker: int) -> None:
    parts = urlsplit(args.base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
    n = 0
    while time.perf_counter() < deadline:
        n += 1
        if args.kind == "webmention":
            source = f"http://127.0.0.1:9/bench/{worker}/{n}/{uuid.uuid4().hex[:8]}"
            body = urlencode({"source": source, "target": args.post_url}).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            path = "/webmention"
        else:
            body, headers = signed_reply(actor, parts.netloc, args.post_object)
            path = "/ap/inbox"
        headers["X-Forwarded-For"] = f"10.{worker}.{n >> 8 & 255}.{n & 255}"  # the limits count per address
        started = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        results.append((response.status, time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base", help="where the blog listens")
    parser.add_argument("post_url", help="the post's absolute address on SITE_URL (a Webmention's target)")
    parser.add_argument("post_object", help="the post's fediverse id (a reply's inReplyTo)")
    parser.add_argument("--kind", choices=("webmention", "inbox"), default="webmention")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    actor = serve_actor()
    if args.kind == "inbox":  # the first request fetches the actor's key: not what is measured
        warm: list = []
        sender(args, actor, time.perf_counter() + 0.3, warm, 0)
    results: list = []
    started = time.perf_counter()
    deadline = started + args.seconds
    threads = [threading.Thread(target=sender, args=(args, actor, deadline, results, w + 1))
               for w in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(summary(results, time.perf_counter() - started)))


if __name__ == "__main__":
    main()
