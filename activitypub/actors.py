"""Remote actors: fetched from their servers (core.safe_fetch) and cached as RemoteActor rows, for
their keys (verifying what they sign) and their inboxes (delivering to them)."""

from datetime import timedelta
from urllib.parse import urldefrag, urlsplit

import sqlalchemy as sa
from flask import current_app

from activitypub.models import RemoteActor
from core.clean_input import host_of, web_address
from core.dbtypes import insert_or_ignore, utcnow
from core.safe_fetch import FetchRefused, fetch
from extensions import db

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
JSON_TYPES = ("application/activity+json", "application/ld+json", "application/json")
# A key that stops verifying is fetched again at most this often per actor: a stream of badly
# signed requests must not make the blog fetch an actor for each.
REFETCH_AFTER = timedelta(minutes=5)


def actor_for_key(key_id: str) -> RemoteActor | None:
    """The actor owning this public key: cached, or fetched now (None when it cannot be had)."""
    actor = db.session.scalars(sa.select(RemoteActor).where(RemoteActor.key_id == key_id)
                               .order_by(RemoteActor.fetched_at.desc()).limit(1)).first()
    return actor if actor is not None else fetch_actor(key_id, key_id=key_id)


def refresh_actor_for_key(key_id: str) -> RemoteActor | None:
    """The key's actor fetched again, unless it was fetched within REFETCH_AFTER (then None)."""
    actor = db.session.scalars(sa.select(RemoteActor).where(RemoteActor.key_id == key_id).limit(1)).first()
    if actor is None or actor.fetched_at > utcnow() - REFETCH_AFTER:
        return None
    return fetch_actor(actor.uri, key_id=key_id)


def remote_actor(uri: str, refresh: bool = False) -> RemoteActor | None:
    """The actor with this id: cached (unless `refresh`), or fetched now; None when it cannot be had."""
    actor = db.session.scalars(sa.select(RemoteActor).where(RemoteActor.uri == uri)).first()
    if actor is not None and not refresh:
        return actor
    return fetch_actor(uri)


def fetch_actor(url: str, key_id: str | None = None) -> RemoteActor | None:
    """Fetch an actor document (or a key document naming its owner) and cache it; commits.

    With `key_id`, the actor must publish that key. None when the document cannot be fetched or
    does not describe an actor of the host it came from.
    """
    document = _get_json(url)
    if document is not None and "inbox" not in document and isinstance(document.get("owner"), str):
        document = _get_json(document["owner"])  # a key document (keyId is not the actor's own URL)
    fields = actor_fields(document, url, key_id) if document is not None else None
    if fields is None:
        return None
    return _store(fields)


def _get_json(url: str) -> dict | None:
    """An ActivityPub document as a dict, or None (refused, not 200, not a JSON object)."""
    from activitypub.keys import blog_key
    from activitypub.signatures import sign_headers

    if web_address(url) is None:
        return None
    url = urldefrag(url).url
    # Signed: servers in "authorized fetch" mode answer only signed requests.
    headers = {name: value for name, value in sign_headers("GET", url, None, blog_key()).items()
               if name != "Host"} | {"Accept": ACCEPT}
    try:
        answer = fetch(url, headers=headers)
        document = answer.json() if answer.status == 200 else None
    except (FetchRefused, ValueError) as error:
        current_app.logger.info("activitypub: could not fetch %s: %s", url, error)
        return None
    if not isinstance(document, dict) or host_of(answer.url) != host_of(url):
        return None
    return document


def actor_fields(document: dict, fetched_from: str, key_id: str | None) -> dict | None:
    """A RemoteActor's columns from an actor document, or None when it is not a usable actor."""
    uri, inbox = document.get("id"), document.get("inbox")
    if not (_is_web_url(uri) and _is_web_url(inbox)) or host_of(uri) != host_of(fetched_from):
        return None
    key = _public_key_of(document, key_id)
    if key is None or (key_id is not None and host_of(key_id) != host_of(uri)):
        return None
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    shared = endpoints.get("sharedInbox")
    username = document.get("preferredUsername")
    host = urlsplit(uri).netloc
    return {"uri": uri, "key_id": key["id"], "public_key_pem": key["publicKeyPem"], "inbox": inbox,
            "shared_inbox": shared if _is_web_url(shared) else None,
            "handle": f"@{username}@{host}"[:255] if isinstance(username, str) and username else "",
            "name": (_text(document.get("name")) or _text(username))[:245],
            "profile_url": _first_url(document.get("url"))[:500] or uri,
            "avatar_url": _first_url(document.get("icon"))[:500], "domain": host_of(uri)}


def _public_key_of(document: dict, key_id: str | None) -> dict | None:
    """The actor's key (the one named `key_id` when given), owned by the actor itself."""
    keys = document.get("publicKey")
    for key in keys if isinstance(keys, list) else [keys]:
        if not isinstance(key, dict) or not isinstance(key.get("publicKeyPem"), str) or \
                not isinstance(key.get("id"), str) or key.get("owner", document["id"]) != document["id"]:
            continue
        if key_id is None or key["id"] == key_id:
            return key
    return None


def _store(fields: dict) -> RemoteActor:
    """Insert or update the actor's row (concurrent fetches of one actor keep one row); commits."""
    now = utcnow()
    insert_or_ignore(RemoteActor, **fields, fetched_at=now)
    actor = db.session.scalars(sa.select(RemoteActor).where(RemoteActor.uri == fields["uri"])).one()
    for name, value in fields.items():
        setattr(actor, name, value)
    actor.fetched_at = now
    db.session.commit()
    return actor


def _is_web_url(value) -> bool:
    return isinstance(value, str) and len(value) <= 500 and web_address(value) is not None


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first_url(value) -> str:
    """A URL from an AS2 url/icon value: a string, a Link or Image object, or a list of them."""
    if isinstance(value, list):
        return next((url for item in value if (url := _first_url(item))), "")
    if isinstance(value, dict):
        return _first_url(value.get("href") or value.get("url"))
    return value if _is_web_url(value) else ""
