"""What incoming activities point at: our posts and comments by their ActivityPub ids or their
permalinks, and the checks a remote Note must pass. Lookups only: nothing is fetched."""

from activitypub.models import RemoteActor
from activitypub.objects import is_federated, is_federated_comment
from blog.models import Comment, Post
from blog.permalinks import post_at_permalink, route_of
from blog.remote_replies import comment_from_source
from core.clean_input import host_of
from extensions import db

NOTE_TYPES = ("Note", "Article", "Page")  # what a reply may be; Mastodon sends Notes


def object_id(value) -> str | None:
    """An AS2 reference's id: the string itself, or an object's id."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def attributed_to(note: dict) -> str | None:
    """The Note's author (attributedTo may be a string, an object, or a list of them)."""
    value = note.get("attributedTo")
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    return object_id(value)


def authored_note_problem(note: dict, actor: RemoteActor) -> str | None:
    """Why this object cannot be the actor's own Note, or None when it is."""
    if note.get("type") not in NOTE_TYPES or not object_id(note):
        return f"a {note.get('type')!r} object is not a reply"
    if attributed_to(note) != actor.uri:
        return "the Note is attributed to someone other than the activity's actor"
    if host_of(note["id"]) != host_of(actor.uri):
        return "the Note's id is not on the actor's host"
    return None


def note_html(note: dict) -> str:
    """The Note's HTML content (its content, or the first language of its contentMap)."""
    content = note.get("content")
    if not isinstance(content, str):
        by_language = note.get("contentMap")
        content = next((text for text in by_language.values() if isinstance(text, str)), "") \
            if isinstance(by_language, dict) else ""
    return content


def reply_target(in_reply_to) -> tuple[Post | None, Comment | None]:
    """The post (and the comment, if any) a reply answers; (None, None) when it is nothing of ours."""
    url = object_id(in_reply_to)
    if url is None:
        return None, None
    endpoint, args, _query = route_of(url) or (None, {}, "")
    if endpoint == "activitypub.comment_object":
        comment = db.session.get(Comment, args["comment_id"])
        return _with_post(comment if is_federated_comment(comment) else None)
    post = _post_at(endpoint, args)
    if post is not None:
        return post, None
    return _with_post(comment_from_source(url))


def local_post(url: str | None) -> Post | None:
    """The federated post this URL names (its /ap/posts/<id> id or its permalink), if any."""
    route = route_of(url) if url else None
    return _post_at(*route[:2]) if route else None


def _with_post(comment: Comment | None) -> tuple[Post | None, Comment | None]:
    post = db.session.get(Post, comment.post_id) if comment is not None else None
    return (post, comment) if is_federated(post) else (None, None)


def _post_at(endpoint: str | None, args: dict) -> Post | None:
    if endpoint == "activitypub.post_object":
        post = db.session.get(Post, args["post_id"])
    elif endpoint == "blog.post":
        post = post_at_permalink(args["year"], args["month"], args["day"], args["slug"])
    else:
        return None
    return post if is_federated(post) else None
