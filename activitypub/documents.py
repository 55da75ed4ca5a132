"""The documents that describe the blog to the fediverse: WebFinger, NodeInfo, the actor, its
outbox and collections."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, url_for

from activitypub.keys import actor_url, blog_key, key_id
from activitypub.models import Activity, Follower
from activitypub.objects import AS_CONTEXT, SECURITY_CONTEXT, activity_id, followers_url
from blog.models import Post
from blog.queries import visible
from extensions import db

OUTBOX_PAGE_SIZE = 20
SOFTWARE = {"name": "flask-blog", "version": "0.1.0"}
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"


def acct() -> str:
    """The blog's fediverse address without the leading @: blog@host[:port]."""
    return f"{current_app.config['ACTIVITYPUB_USERNAME']}@{urlsplit(current_app.config['SITE_URL']).netloc}"


def webfinger(resource: str) -> dict | None:
    """The JRD for the blog's acct: address or actor URL; None for any other resource."""
    if resource.strip().lower() not in {f"acct:{acct()}".lower(), actor_url().lower()}:
        return None
    home = url_for("blog.index", _external=True)
    return {"subject": f"acct:{acct()}", "aliases": [actor_url(), home], "links": [
        {"rel": "self", "type": "application/activity+json", "href": actor_url()},
        {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": home},
    ]}


def nodeinfo_links() -> dict:
    return {"links": [{"rel": f"{NODEINFO_SCHEMA}", "href": url_for("activitypub.nodeinfo", _external=True)}]}


def nodeinfo() -> dict:
    """NodeInfo 2.1: what software this is, that it speaks ActivityPub, and its one user's posts."""
    posts = db.session.scalar(sa.select(sa.func.count()).select_from(Post).where(
        Post.kind == "post", visible(Post), Post.password == ""))
    return {"version": "2.1", "software": SOFTWARE, "protocols": ["activitypub"],
            "services": {"inbound": [], "outbound": ["atom1.0", "rss2.0"]}, "openRegistrations": False,
            "usage": {"users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1}, "localPosts": posts},
            "metadata": {"nodeName": current_app.config["BLOG_TITLE"]}}


def actor() -> dict:
    """The blog actor's document: who it is, where its inbox and collections are, and its key."""
    inbox = url_for("activitypub.inbox", _external=True)
    return {
        "@context": [AS_CONTEXT, SECURITY_CONTEXT], "id": actor_url(), "type": "Person",
        "preferredUsername": current_app.config["ACTIVITYPUB_USERNAME"], "name": current_app.config["BLOG_TITLE"],
        "summary": current_app.config["BLOG_TAGLINE"], "url": url_for("blog.index", _external=True),
        "inbox": inbox, "outbox": url_for("activitypub.outbox", _external=True), "followers": followers_url(),
        "following": url_for("activitypub.following", _external=True), "endpoints": {"sharedInbox": inbox},
        "manuallyApprovesFollowers": False, "discoverable": True,
        "publicKey": {"id": key_id(), "owner": actor_url(), "publicKeyPem": blog_key().public_key_pem},
    }


def outbox(page: int | None) -> dict:
    """The outbox as an OrderedCollection (its size and first page), or one page of it, newest first."""
    outbox_url = url_for("activitypub.outbox", _external=True)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.public))
    if page is None:
        return {"@context": AS_CONTEXT, "id": outbox_url, "type": "OrderedCollection", "totalItems": total,
                "first": f"{outbox_url}?page=1", "last": f"{outbox_url}?page={max(1, -(-total // OUTBOX_PAGE_SIZE))}"}
    rows = db.session.scalars(sa.select(Activity).where(Activity.public).order_by(Activity.id.desc())
                              .offset((page - 1) * OUTBOX_PAGE_SIZE).limit(OUTBOX_PAGE_SIZE))
    collection = {"@context": AS_CONTEXT, "id": f"{outbox_url}?page={page}", "type": "OrderedCollectionPage",
                  "partOf": outbox_url, "orderedItems": [served_activity(row, embedded=True) for row in rows]}
    if page * OUTBOX_PAGE_SIZE < total:
        collection["next"] = f"{outbox_url}?page={page + 1}"
    if page > 1:
        collection["prev"] = f"{outbox_url}?page={page - 1}"
    return collection


def served_activity(row: Activity, embedded: bool = False) -> dict:
    """A stored activity as served: its id made sure of, without @context inside a collection."""
    payload = {**row.payload, "id": row.payload.get("id") or activity_id(row.id)}
    if embedded:
        payload.pop("@context", None)
    else:
        payload.setdefault("@context", AS_CONTEXT)
    return payload


def followers() -> dict:
    """The followers collection: how many, never who (that stays private)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Follower))
    return {"@context": AS_CONTEXT, "id": followers_url(), "type": "OrderedCollection", "totalItems": total}


def following() -> dict:
    """The blog follows nobody."""
    return {"@context": AS_CONTEXT, "id": url_for("activitypub.following", _external=True),
            "type": "OrderedCollection", "totalItems": 0, "orderedItems": []}
