"""Sending Webmentions (W3C Webmention, "Sending Webmentions"): which mentions a post or a reply
owes, endpoint discovery, and the notification itself."""

from urllib.parse import urlencode, urljoin, urlsplit

import lxml.etree
import sqlalchemy as sa

from auth.models import User
from auth.roles import may_moderate_comments_on
from blog.models import Comment, Post
from blog.permalinks import comment_mail_link, on_this_site, post_url
from blog.rendering import render_post_body
from core.dbtypes import utcnow
from core.safe_fetch import FetchRefused, fetch
from extensions import db
from webmention.models import Webmention
from webmention.outcome import Outcome, refused_fetch, retry
from webmention.receive import MAX_URL, queue_mention

MAX_TARGETS = 100  # links of one post that get a mention; more is not a post, it is a link list
RELS = {"webmention", "http://webmention.org/"}


class _FirstEndpoint:
    """lxml parser target: the href of the first <link> or <a> whose rel names webmention."""

    def __init__(self):
        self.href: str | None = None

    def start(self, tag, attrib) -> None:
        if self.href is None and tag in ("link", "a") and "href" in attrib:
            if RELS & set(attrib.get("rel", "").lower().split()):
                self.href = attrib["href"].strip()

    def end(self, _tag) -> None:
        pass

    def data(self, _text) -> None:
        pass

    def close(self) -> str | None:
        return self.href


class _Anchors:
    """lxml parser target: the href of every <a>, in order."""

    def __init__(self):
        self.found: list[str] = []

    def start(self, tag, attrib) -> None:
        if tag == "a" and attrib.get("href"):
            self.found.append(attrib["href"].strip())

    def end(self, _tag) -> None:
        pass

    def close(self) -> list[str]:
        return self.found


def _linked(html: str) -> list[str]:
    """The href of every <a> in a rendered body, in order."""
    return lxml.etree.fromstring(html or "<p></p>", lxml.etree.HTMLParser(target=_Anchors(), recover=True))


def post_targets(post: Post, source: str) -> list[str]:
    """The other sites' pages a post's body links (absolute http(s) URLs), each once, in order."""
    targets: list[str] = []
    for href in _linked(render_post_body(post.body, post.body_format)):
        url = urljoin(source, href)
        if (urlsplit(url).scheme in ("http", "https") and len(url) <= MAX_URL and not on_this_site(url)
                and url not in targets):
            targets.append(url)
    return targets[:MAX_TARGETS]


def queue_post_mentions(post: Post) -> int:
    """Queue a mention of each page a published post links, and again of each page it linked before
    (so that a page it stopped linking hears of it); in the caller's transaction. How many."""
    if post.status != "published" or post.password:
        return 0  # the source would show no link: a locked or private post hides its body
    source = post_url(post, _external=True)
    due = max(utcnow(), post.published_at)  # a scheduled post is mentioned once it is out
    targets = post_targets(post, source)
    earlier = db.session.execute(sa.select(Webmention.source, Webmention.target).where(
        Webmention.direction == "sent", Webmention.post_id == post.id)).all()
    for target in targets:
        queue_mention("sent", source, target, post.id, due=due)
    dropped = [(old_source, target) for old_source, target in earlier if target not in targets]
    for old_source, target in dropped:
        queue_mention("sent", old_source, target, post.id, due=due)
    return len(targets) + len(dropped)


def queue_withdrawn_mentions(post: Post) -> int:
    """Queue again every mention a post sent, once it stops being public (its page now answers 404,
    so the pages it mentioned can remove it); in the caller's transaction. The rows let go of the
    post, so that they outlive it when it is being deleted. How many."""
    return db.session.execute(
        sa.update(Webmention).where(Webmention.direction == "sent", Webmention.post_id == post.id,
                                    Webmention.status == "sent")
        .values(status="queued", attempts=0, next_attempt_at=utcnow(), last_error="", post_id=None,
                updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount


def queue_reply_mention(comment: Comment) -> bool:
    """Queue a mention of the page a staff member's approved reply answers, when its parent came by
    Webmention; in the caller's transaction. True when one was queued."""
    if comment.status != "approved" or not comment.parent_id or not comment.user_id:
        return False
    parent = db.session.get(Comment, comment.parent_id)
    if parent is None or parent.comment_type != "webmention" or not parent.source_url:
        return False
    post = db.session.get(Post, comment.post_id)
    user = db.session.get(User, comment.user_id)
    if post is None or user is None or not may_moderate_comments_on(user, post) or post.password:
        return False
    queue_mention("sent", comment_mail_link(comment.id), parent.source_url, post.id)
    return True


def discover(target: str) -> tuple[str | None, Outcome | None]:
    """The target's Webmention endpoint (Link header first, then the first <link>/<a> in the page),
    or None; an Outcome instead when the target could not be read."""
    try:
        page = fetch(target, headers={"Accept": "text/html"})
    except FetchRefused as refused:
        return None, refused_fetch(refused, "failed", "the target could not be fetched")
    if page.status >= 500 or page.status == 429:
        return None, retry(f"the target answered {page.status}")
    for rel in RELS:
        if rel in page.links:
            return page.links[rel]["url"], None
    if "html" not in page.headers.get("Content-Type", "text/html").lower():
        return None, None
    href = lxml.etree.fromstring(page.text or "<p></p>", lxml.etree.HTMLParser(target=_FirstEndpoint(),
                                                                                recover=True))
    return (urljoin(page.url, href) if href is not None else None), None


def send(row: Webmention) -> Outcome:
    """Discover the target's endpoint and notify it; the caller records the Outcome."""
    endpoint, failed = discover(row.target)
    if failed is not None:
        return failed
    if endpoint is None or urlsplit(endpoint).scheme not in ("http", "https"):
        return Outcome("no_endpoint", "the target names no Webmention endpoint")
    found = {"endpoint": endpoint[:500]}
    body = urlencode({"source": row.source, "target": row.target}).encode()
    try:
        answer = fetch(endpoint, method="POST", body=body, follow_redirects=False,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    except FetchRefused as refused:
        outcome = refused_fetch(refused, "failed", "the endpoint could not be reached")
        return Outcome(outcome.status, outcome.error, found)
    if 200 <= answer.status < 300:
        return Outcome("sent", values=found)
    reason = f"the endpoint answered {answer.status}: {answer.text[:200]}".strip()
    if 400 <= answer.status < 500 and answer.status != 429:
        return Outcome("failed", reason[:500], found)
    return Outcome("retry", reason[:500], found)
