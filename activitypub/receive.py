"""The inbox's door: what a POST must be to be queued (a JSON activity, from a server not blocked,
signed by its actor's key, never seen before). The worker (activitypub.inbox) does the rest."""

import hashlib
import json
from urllib.parse import urlsplit, urlunsplit

from flask import Request, current_app

from activitypub.models import InboundActivity
from activitypub.signatures import SignatureRefused, verify_request
from blog.remote_replies import domain_blocked
from blog.settings import get_settings
from core.clean_input import web_address
from core.dbtypes import insert_or_ignore, utcnow
from extensions import db

MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 64  # nesting an activity may have: real ones are a few levels deep


def receive(request: Request) -> tuple[str, int]:
    """Check and queue an inbox POST; (message, HTTP status): 202 when queued."""
    body = request.get_data(cache=False)  # raises 413 past request.max_content_length
    activity = _parse(body)
    if isinstance(activity, str):
        return activity, 400
    actor_uri = actor_of(activity)
    settings = get_settings()
    if domain_blocked(actor_uri, settings):
        return "This server does not accept activities from your domain.", 403
    signature = request.headers.get("Signature") or request.headers.get("Authorization") or ""
    signature_hash = hashlib.sha256(signature.encode()).hexdigest()  # a replay is refused when queued
    try:
        signer = verify_request(request.method, _addressed_url(request), request.headers, body)
    except SignatureRefused as refused:
        return refused.message, refused.status
    if signer.uri != actor_uri:
        return "The signing key does not belong to the activity's actor.", 401
    if domain_blocked(signer.domain, settings):
        return "This server does not accept activities from your domain.", 403
    return _queue(activity, actor_uri, signature_hash)


def actor_of(activity: dict) -> str:
    """The activity's actor id (given as a string or as an object with an id)."""
    actor = activity.get("actor")
    return actor.get("id", "") if isinstance(actor, dict) else actor


def _parse(body: bytes) -> dict | str:
    """The activity, or why it is not one."""
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError):
        return "The body is not JSON (or is nested too deeply)."
    if not isinstance(activity, dict):
        return "The body is not a JSON object."
    if not all(isinstance(activity.get(name), str) and activity[name] for name in ("type", "id")):
        return "An activity needs a type and an id."
    actor = actor_of(activity)
    if web_address(actor) is None:
        return "An activity needs an actor (an http(s) URL)."
    if _depth(activity) > MAX_DEPTH:
        return "The activity is nested too deeply."
    return activity


def _depth(value) -> int:
    """How deeply JSON containers nest in the value (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _addressed_url(request: Request) -> str:
    """The URL the sender posted to, on SITE_URL (a proxy in front may have changed scheme or host)."""
    site = urlsplit(current_app.config["SITE_URL"])
    path = site.path.rstrip("/") + request.path
    return urlunsplit((site.scheme, site.netloc, path, request.query_string.decode("latin-1"), ""))


def _queue(activity: dict, actor_uri: str, signature_hash: str) -> tuple[str, int]:
    """Store the activity for the worker; a request seen before (same signature) is refused."""
    added = insert_or_ignore(InboundActivity, signature_hash=signature_hash, activity_uri=activity["id"][:500],
                             actor_uri=actor_uri[:500], type=activity["type"][:30], payload=activity,
                             status="queued", result="", received_at=utcnow())
    db.session.commit()
    if not added:
        return "This signed request was replayed.", 401
    return "Accepted for processing.", 202
