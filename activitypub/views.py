"""The blog's fediverse endpoints: discovery (WebFinger, NodeInfo), the actor and its collections,
the objects it publishes, and the inbox. Everything answers JSON, never an HTML error page."""

import json

from flask import current_app, request
from werkzeug.exceptions import HTTPException

from activitypub import bp, documents
from activitypub.models import Activity
from activitypub.objects import article, is_federated, is_federated_comment, note
from blog.models import Comment, Post
from blog.settings import get_setting
from extensions import csrf, db, limiter

AP_JSON = "application/activity+json"
NODEINFO_JSON = 'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"'
PUBLIC_MAX_AGE = 300  # seconds a shared cache may keep a public document


def ap_response(data: dict, status: int = 200, content_type: str = AP_JSON, max_age: int = PUBLIC_MAX_AGE):
    """JSON in the given type; public documents may be kept briefly, anything else never."""
    response = current_app.response_class(json.dumps(data, ensure_ascii=False), status=status,
                                          content_type=content_type)
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if status == 200 and max_age \
        else "no-store"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public documents, readable by web clients
    return response


def error_response(message: str, status: int):
    return ap_response({"error": message}, status=status, content_type="application/json")


@bp.before_request
def only_when_enabled():
    """The blog is no fediverse actor while the owner has ActivityPub switched off."""
    if not get_setting("activitypub_enabled"):
        return error_response("ActivityPub is switched off on this site.", 404)
    return None


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Errors of these endpoints (413, 429, 405...) as JSON, for the servers that call them."""
    return error_response(error.description or error.name, error.code or 500)


@bp.get("/.well-known/webfinger")
def webfinger():
    """The blog actor's WebFinger record; anyone may call."""
    resource = request.args.get("resource", "")
    if not resource:
        return error_response("The resource parameter is required.", 400)
    found = documents.webfinger(resource)
    if found is None:
        return error_response("No such account here.", 404)
    return ap_response(found, content_type="application/jrd+json")


@bp.get("/.well-known/nodeinfo")
def nodeinfo_links():
    """Where this server's NodeInfo is; anyone may call."""
    return ap_response(documents.nodeinfo_links(), content_type="application/json")


@bp.get("/nodeinfo/2.1")
def nodeinfo():
    """NodeInfo 2.1; anyone may call."""
    return ap_response(documents.nodeinfo(), content_type=NODEINFO_JSON)


@bp.get("/ap/actor")
def actor():
    """The blog actor's document with its public key; anyone may call."""
    return ap_response(documents.actor())


@bp.get("/ap/outbox")
def outbox():
    """The public activities, newest first (?page=N); anyone may call."""
    page = request.args.get("page", type=int)
    if page is not None and page < 1:
        return error_response("Pages start at 1.", 400)
    return ap_response(documents.outbox(page), max_age=60)


@bp.get("/ap/followers")
def followers():
    """How many follow the blog (not who); anyone may call."""
    return ap_response(documents.followers(), max_age=60)


@bp.get("/ap/following")
def following():
    """The empty collection of actors the blog follows; anyone may call."""
    return ap_response(documents.following())


@bp.get("/ap/posts/<int:post_id>")
def post_object(post_id: int):
    """A published public post as an Article; anyone may call."""
    post = db.session.get(Post, post_id)
    if not is_federated(post):
        return error_response("No such post.", 404)
    return ap_response(article(post), max_age=60)


@bp.get("/ap/comments/<int:comment_id>")
def comment_object(comment_id: int):
    """The owner's approved reply as a Note; anyone may call."""
    comment = db.session.get(Comment, comment_id)
    if not is_federated_comment(comment):
        return error_response("No such comment.", 404)
    return ap_response(note(comment), max_age=60)


@bp.get("/ap/activities/<int:activity_id>")
def activity_object(activity_id: int):
    """A public activity the blog published; anyone may call."""
    row = db.session.get(Activity, activity_id)
    if row is None or not row.public:
        return error_response("No such activity.", 404)
    return ap_response(documents.served_activity(row))


@bp.post("/ap/actor/inbox")
@bp.post("/ap/inbox")  # registered first: url_for builds this one
@csrf.exempt
@limiter.limit(lambda: current_app.config["ACTIVITYPUB_INBOX_RATE_LIMIT"])
def inbox():
    """Take a signed activity from another server and queue it for the worker; any server may call."""
    from activitypub.receive import MAX_BODY_BYTES, receive  # its signature libraries: not for page serving

    request.max_content_length = MAX_BODY_BYTES
    message, status = receive(request)
    return error_response(message, status) if status >= 400 else ap_response({"status": message}, status, max_age=0)
