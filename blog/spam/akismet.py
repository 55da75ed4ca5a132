"""Akismet, through its HTTP API (comment-check, submit-spam, submit-ham), when AKISMET_API_KEY is set.

Every comment it checks leaves the site: its author's name, email, URL, IP address and browser, and its
text go to Akismet (Automattic). With no key configured nothing is ever sent.
"""

import http.cookiejar
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy.orm import Session

from auth.models import User
from blog import signals
from blog.models import Comment, Post
from blog.permalinks import post_url
from blog.seo import absolute_url
from core.db_connections import listen_once
from extensions import db

if TYPE_CHECKING:  # imported where it is used: a blog without Akismet never loads requests
    import requests

log = logging.getLogger("blog.spam.akismet")

LANGUAGE = "en"  # the language the blog's pages declare (templates/base.html)
CHARSET = "UTF-8"
# Submissions queued in the moderator's transaction (session.info), sent once it is committed.
PENDING_SUBMISSIONS = "akismet_submissions"
DETAIL_CHARS = 120  # an answer's text quoted in a detail, at most


@dataclass(frozen=True)
class AkismetVerdict:
    spam: bool | None  # None: Akismet could not answer (unreachable, timed out, refused the key)
    discard: bool = False  # Akismet's "discard": blatant spam, not worth a moderator's look
    detail: str = ""  # why it could not answer, for the comment's reason and the log


@dataclass(frozen=True)
class _Endpoint:
    """What a call needs of the app, read in the app context so that a thread needs none."""

    url: str
    api_key: str
    timeout: float
    http: "requests.Session"


class _Unanswered(Exception):
    """Akismet gave no usable answer; the message says why, without personal data."""


def comment_check(post: Post, data) -> AkismetVerdict | None:
    """Ask Akismet about a new comment (a CommentInput on `post`); None when Akismet is not configured."""
    endpoint = _endpoint()
    if endpoint is None:
        return None
    fields = _fields(post, author_name=data.author_name, author_email=data.author_email, author_url=data.author_url,
                     body=data.body, ip=data.ip, user_agent=data.user_agent, is_reply=bool(data.parent_id),
                     written_at=datetime.now(UTC), user=data.user)
    try:
        response = _within_deadline(endpoint, "comment-check", fields)
        verdict = _verdict(response)
    except _Unanswered as problem:
        verdict = AkismetVerdict(None, detail=str(problem))
    if verdict.spam is None:
        log.warning("Akismet comment-check gave no verdict: %s", verdict.detail)
    return verdict


def init_app(app: Flask) -> None:
    """Tell Akismet of moderators' spam and not-spam clicks (submit-spam, submit-ham) once they are committed."""
    signals.comment_status_changed.connect(_on_status_changed, sender=app)
    listen_once(db.session, (("after_commit", send_akismet_submissions),
                             ("after_soft_rollback", drop_akismet_submissions)))


def _endpoint() -> _Endpoint | None:
    config = current_app.config
    if not config.get("AKISMET_API_KEY"):
        return None
    extensions = current_app.extensions
    session = extensions.get("akismet_http") or extensions.setdefault("akismet_http", _http_session())
    return _Endpoint(config["AKISMET_URL"].rstrip("/"), config["AKISMET_API_KEY"], float(config["AKISMET_TIMEOUT"]),
                     session)


def _http_session() -> "requests.Session":
    """One per app, so that calls reuse the connection (a new TLS handshake would eat much of the
    timeout); it keeps no cookies, as the threads that share it must not write to one jar."""
    import requests

    session = requests.Session()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


def _fields(post: Post, *, author_name: str, author_email: str, author_url: str, body: str, ip: str,
            user_agent: str, is_reply: bool, written_at: datetime, user: User | None) -> dict:
    """The comment's fields, named as Akismet's API names them; empty ones left out."""
    fields = {
        "blog": current_app.config["SITE_URL"],
        "user_ip": ip,
        "user_agent": user_agent,
        "permalink": _permalink(post),
        "comment_type": "reply" if is_reply else "comment",
        "comment_author": author_name,
        "comment_author_email": author_email,
        "comment_author_url": author_url,
        "comment_content": body,
        "comment_date_gmt": written_at.astimezone(UTC).isoformat(timespec="seconds"),
        "comment_post_modified_gmt": post.updated_at.astimezone(UTC).isoformat(timespec="seconds")
        if post.updated_at else "",
        "blog_lang": LANGUAGE,
        "blog_charset": CHARSET,
        # WordPress's role names, as its Akismet plugin sends them; "administrator" is always ham to Akismet.
        "user_role": user.role if user is not None else "",
    }
    return {name: value for name, value in fields.items() if value}


def _permalink(post: Post) -> str:
    if post.kind != "page" and post.published_at is None:
        return ""  # a draft has no address yet
    return absolute_url(post_url(post))


def _post(endpoint: _Endpoint, method: str, fields: dict) -> "requests.Response":
    """One call; requests' timeouts bound its connection and each read of its answer."""
    import requests

    try:
        return endpoint.http.post(f"{endpoint.url}/{method}", data={"api_key": endpoint.api_key, **fields},
                                  timeout=(endpoint.timeout, endpoint.timeout), allow_redirects=False)
    except requests.Timeout:
        raise _Unanswered(f"no answer within {endpoint.timeout:g} s") from None  # as the deadline says it
    except requests.ConnectionError as error:
        raise _Unanswered(_connection_problem(error)) from None
    except requests.RequestException as error:
        raise _Unanswered(type(error).__name__) from None


def _connection_problem(error: "requests.ConnectionError") -> str:
    text = str(error)
    if "refused" in text.lower():
        return "connection refused"
    if "NameResolution" in text or "getaddrinfo" in text or "Name or service not known" in text:
        return "name lookup failed"
    return "connection failed"


def _within_deadline(endpoint: _Endpoint, method: str, fields: dict) -> "requests.Response":
    """Akismet's answer, within endpoint.timeout in all: a comment POST waits no longer whatever the network does.

    requests' timeouts bound each phase apart (connecting, then every read of the socket), so a server that
    sends its answer a byte at a time, or a name lookup (which no timeout covers), could hold the call for
    far longer. The call runs in a thread of its own and the comment waits for it until the deadline; a call
    still running then ends by its own timeouts, and its answer is dropped.
    """
    outcome: dict = {}

    def call() -> None:
        try:
            outcome["response"] = _post(endpoint, method, fields)
        except _Unanswered as problem:
            outcome["problem"] = problem

    worker = threading.Thread(target=call, name=f"akismet-{method}", daemon=True)
    worker.start()
    worker.join(endpoint.timeout)
    if "response" in outcome:
        return outcome["response"]
    if "problem" in outcome:
        raise outcome["problem"]
    raise _Unanswered(f"no answer within {endpoint.timeout:g} s")


def _verdict(response: "requests.Response") -> AkismetVerdict:
    """comment-check's answer: "true" (spam, perhaps to discard), "false", or anything else (no verdict)."""
    if response.status_code != 200:
        raise _Unanswered(f"HTTP {response.status_code}")
    answer = response.text.strip()
    if answer == "true":
        return AkismetVerdict(True, discard=response.headers.get("X-akismet-pro-tip", "").lower() == "discard")
    if answer == "false":
        return AkismetVerdict(False)
    raise _Unanswered(_refusal(response, answer))


def _refusal(response: "requests.Response", answer: str) -> str:
    """Why Akismet refused a call ("invalid": a wrong key or a missing field, told in its debug header)."""
    help_text = response.headers.get("X-akismet-debug-help", "")
    if answer == "invalid":
        return f"refused the call: {help_text or 'invalid'}"[:DETAIL_CHARS]
    return f"unexpected answer {answer[:40]!r}"


def _on_status_changed(_app, comment: Comment, before: str, after: str, **_details) -> None:
    """Queue submit-spam for a move into spam, submit-ham for one out of it into the approved or pending."""
    if after == "spam" and before != "spam":
        method = "submit-spam"
    elif before == "spam" and after in ("approved", "pending"):
        method = "submit-ham"
    else:
        return
    endpoint = _endpoint()
    if endpoint is None:
        return
    post = db.session.get(Post, comment.post_id)
    user = db.session.get(User, comment.user_id) if comment.user_id else None
    fields = _fields(post, author_name=comment.author_name, author_email=comment.author_email,
                     author_url=comment.author_url, body=comment.body, ip=comment.author_ip,
                     user_agent=comment.user_agent, is_reply=comment.parent_id is not None,
                     written_at=comment.created_at, user=user)
    db.session.info.setdefault(PENDING_SUBMISSIONS, []).append((endpoint, method, fields))


def send_akismet_submissions(session: Session) -> None:
    """After the commit, send the transaction's submissions from a thread: the moderator never waits on them."""
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll them back
    batch = session.info.pop(PENDING_SUBMISSIONS, None)
    if batch:
        threading.Thread(target=_submit_all, args=(batch,), name="akismet-submit", daemon=True).start()


def drop_akismet_submissions(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING_SUBMISSIONS, None)  # the moves did not happen: nothing to tell


def _submit_all(batch: list) -> None:
    """Send each submission in turn; once Akismet is unreachable, the rest are dropped rather than each
    waiting out its timeout."""
    for sent, (endpoint, method, fields) in enumerate(batch):
        try:
            response = _post(endpoint, method, fields)
        except _Unanswered as problem:
            left = len(batch) - sent - 1
            log.warning("Akismet %s failed: %s%s", method, problem, f" ({left} more not sent)" if left else "")
            return
        answer = response.text.strip()
        if response.status_code != 200:
            log.warning("Akismet %s failed: HTTP %s", method, response.status_code)
        elif not answer.startswith("Thanks"):
            log.warning("Akismet %s failed: %s", method, _refusal(response, answer))
