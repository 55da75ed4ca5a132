"""Writing posts: unique slugs, saving from the editor's Publish box (status, visibility, date),
scheduling and deleting (with their comments)."""

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from auth.models import User
from auth.roles import PUBLISH_POSTS
from blog import signals, terms
from blog.media.models import Media
from blog.models import Comment, Post
from blog.permalinks import blog_timezone
from blog.queries import visible
from blog.rendering import render_post_body
from blog.term_addresses import page_slug_refusal
from core.dates import format_local
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db

SLUG_MAX = 200


VISIBILITIES = ("public", "password", "private")
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "private": _l("Privately Published"),
                 "trash": _l("Trash")}
SCHEDULED = _l("Scheduled")


@dataclass(frozen=True)
class PostDraft:
    """What the editor sent: the post's fields, its Publish box, and the button pressed."""

    title: str
    slug: str
    body: str
    excerpt: str
    published_at: datetime | None  # None: publish immediately (a published post keeps its date)
    comments_open: bool
    action: str = "save"  # "draft" (Save Draft), "publish" (Publish, Schedule, Update), "save" (no button)
    status: str = "draft"  # the Status box's choice, for a post already out of the drafts
    visibility: str = "public"  # one of VISIBILITIES
    password: str = ""
    # The Categories and Tags boxes (posts); None: the form did not show them, the post keeps its terms.
    category_ids: tuple[int, ...] | None = None
    tags: str | None = None
    sticky: bool | None = None  # None: the user may not change it (WordPress offers it to who may publish)
    # The Page Attributes box (pages).
    parent_id: int | None = None
    menu_order: int = 0
    # The Featured image box (posts): a media id, 0 for none, None when the form did not show it.
    featured_media_id: int | None = None


@dataclass(frozen=True)
class SavedPost:
    post: Post
    message: str  # WordPress's notice for what the save did ("Post published.", "Post draft updated.", ...)


@dataclass(frozen=True)
class PublishBox:
    """What the editor's Publish box shows for a post (None: a new one)."""

    status_label: str  # "Draft", "Published", "Scheduled", "Privately Published", "Trash"
    status_editable: bool  # False for new posts and drafts: their buttons say what happens
    date_stamp: str  # "Publish immediately", "Published on: May 1, 2024 at 10:30", ...
    save_draft: bool  # whether "Save Draft" is offered
    primary: str  # "Publish", "Schedule" or "Update"; "" for a user who may only save drafts
    # What the primary button does ("publish", "schedule", "update"; "" none), and whether the date
    # is "Publish immediately": what the template compares, as the words above are translated.
    primary_action: str = ""
    immediately: bool = False


def unique_slug(wanted: str, title: str, post_id: int | None = None) -> str:
    """A slug no other post has: the one asked for (or made from the title), suffixed -2, -3..."""
    from slugify import slugify  # here: its large transliteration tables serve only the post editor

    base = slugify(wanted or title, max_length=SLUG_MAX - 6) or "post"
    taken = set(db.session.scalars(sa.select(Post.slug).where(
        Post.slug.like(f"{base}%"), Post.id != (post_id or 0))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class PublishRefused(Exception):
    """A save that would publish or schedule, by a user who may only write drafts (a Contributor)."""


class PageRefused(ValueError):
    """A page's slug or parent refused by the rules; its message is for the user."""


class FeaturedImageRefused(ValueError):
    """A featured image that is not in the library or not ready; its message is for the user."""


# A Markdown image whose alt text is empty: ![](...) or ![ ](...).
IMAGE_WITHOUT_ALT = re.compile(r"!\[\s*\]\(")


def images_without_alt(body: str) -> int:
    """How many Markdown images in the body have no alt text (the editor flags them)."""
    return len(IMAGE_WITHOUT_ALT.findall(body or ""))


def save_post(post: Post | None, draft: PostDraft, user: User, kind: str = "post") -> SavedPost:
    """Create a post or page by `user` (post=None) or update one from the editor, with its terms or
    its place among the pages, and commit; WordPress's notice for it. Raises PublishRefused when
    `user` may not publish it, PageRefused for a page's slug or parent; nothing is saved then."""
    kind = post.kind if post else kind
    was = post.status if post else None
    status = _status_after(was, draft)
    if status != "draft" and not user.can(PUBLISH_POSTS):
        raise PublishRefused(_("You can save this page as a draft; an Editor or Administrator publishes it.")
                             if kind == "page" else
                             _("You can save this post as a draft; an Editor or Administrator publishes it."))
    was_scheduled = bool(post) and is_scheduled(post)
    now = utcnow()
    slug = unique_slug(draft.slug, draft.title, post.id if post else None)
    if kind == "page":
        slug = _page_slug(post, slug, draft)
    if post is None:
        post = Post(kind=kind, author_id=user.id, body_format="markdown", created_at=now)
        db.session.add(post)
    post.published_at = _date_after(post, was, draft.published_at, status, now)
    post.title = draft.title
    post.slug = slug
    post.body = draft.body
    post.excerpt = draft.excerpt
    post.status = status
    post.password = draft.password if draft.visibility == "password" and status != "private" else ""
    post.comments_open = draft.comments_open
    if kind == "page":
        post.parent_id, post.menu_order = draft.parent_id, draft.menu_order
    elif draft.sticky is not None:
        post.sticky = draft.sticky
    if kind != "post" or draft.category_ids is not None or draft.tags is not None or was is None:
        categories = draft.category_ids if draft.category_ids is not None else _category_ids(post)
        tags = draft.tags if draft.tags is not None else ",".join(t.name for t in _terms_of(post, "tag"))
        terms.set_post_terms(post, categories, tags)
    else:
        db.session.flush()
        terms.recount(terms.post_term_ids(post))  # the status or the date may have changed what is counted
    if draft.featured_media_id is not None:
        _set_featured(post, draft.featured_media_id)
    if status == "published" and was != "published":
        db.session.flush()  # the mails link to the post by its id
        # In this transaction: what the receivers write (notify's outbox rows) lands with the post or not at all.
        signals.send(signals.post_published, post=post)
    elif status == "published":
        signals.send(signals.post_updated, post=post)
    elif was == "published":
        signals.send(signals.post_withdrawn, post=post)
    db.session.commit()
    return SavedPost(post, _saved_message(was, was_scheduled, post))


def _set_featured(post: Post, media_id: int) -> None:
    """The Featured image box's choice: a ready image, attached to the post when it was unattached."""
    if not media_id:
        post.featured_media_id = None
        return
    media = db.session.get(Media, media_id)
    if media is None or not media.ready:
        raise FeaturedImageRefused(_("That image is not in the library or is still being processed: choose another."))
    post.featured_media_id = media.id
    if media.post_id is None:
        db.session.flush()  # a new post's id
        media.post_id = post.id


def _terms_of(post: Post, taxonomy: str) -> list:
    return [term for term in post.terms if term.taxonomy == taxonomy] if post.id is not None else []


def _category_ids(post: Post) -> tuple[int, ...]:
    return tuple(term.id for term in _terms_of(post, "category"))


def page_path(slug: str, parent_id: int | None) -> str:
    """A page's address path ("about/team") for this slug under this parent."""
    slugs, seen = [slug], set()
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        row = db.session.execute(sa.select(Post.slug, Post.parent_id).where(Post.id == parent_id)).first()
        if row is None:
            break
        slugs.append(row.slug)
        parent_id = row.parent_id
    return "/".join(reversed(slugs))


def pages_in_order(where: sa.Select | None = None) -> list[tuple[Post, int]]:
    """Pages (those `where` selects, else all) with their depth, each after its parent, siblings by
    order then title, as WordPress's Pages screen and Parent menu list them."""
    pages = list(db.session.scalars(where if where is not None else sa.select(Post).where(Post.kind == "page")))
    ids = {page.id for page in pages}
    children: dict[int | None, list[Post]] = {}
    for page in pages:
        children.setdefault(page.parent_id if page.parent_id in ids else None, []).append(page)
    ordered: list[tuple[Post, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for page in sorted(children.get(parent_id, []), key=lambda p: (p.menu_order, p.title.casefold(), p.id)):
            if page.id not in seen:
                seen.add(page.id)
                ordered.append((page, depth))
                walk(page.id, depth + 1)

    seen: set[int] = set()
    walk(None, 0)
    return ordered + [(page, 0) for page in pages if page.id not in seen]


def page_descendant_ids(page_id: int) -> set[int]:
    """The ids of a page's children, their children, and so on."""
    found: set[int] = set()
    frontier = {page_id}
    while frontier:
        frontier = set(db.session.scalars(sa.select(Post.id).where(Post.parent_id.in_(frontier)))) - found - {page_id}
        found |= frontier
    return found


def _page_slug(page: Post | None, slug: str, draft: PostDraft) -> str:
    """The page's slug after the rules: one made from the title that another route's address
    would take gets a number (as WordPress does); one typed in is refused with the reason."""
    _check_parent(page, draft.parent_id)
    refusal = page_slug_refusal(slug, page_path(slug, draft.parent_id))
    if refusal and not draft.slug.strip():
        for n in range(2, 10):
            candidate = unique_slug(f"{slug}-{n}", draft.title, page.id if page else None)
            if page_slug_refusal(candidate, page_path(candidate, draft.parent_id)) is None:
                return candidate
    if refusal:
        raise PageRefused(refusal)
    return slug


def _check_parent(page: Post | None, parent_id: int | None) -> None:
    """Refuse a parent that is not a page, or is the page itself or one of its subpages."""
    if parent_id is not None:
        parent = db.session.get(Post, parent_id)
        if parent is None or parent.kind != "page":
            raise PageRefused(_("The parent page does not exist."))
        if page is not None and (parent_id == page.id or parent_id in page_descendant_ids(page.id)):
            raise PageRefused(_("A page cannot be its own parent, nor the child of one of its subpages."))


def _status_after(was: str | None, draft: PostDraft) -> str:
    """Save Draft keeps a draft; Publish publishes one; Update takes the Status box's choice. A
    published post's visibility decides between published and private, as in WordPress."""
    if draft.action == "draft" or (draft.action == "save" and was in (None, "draft")):
        return "draft"
    status = "published" if was in (None, "draft") else draft.status
    if status in ("published", "private"):
        return "private" if draft.visibility == "private" else "published"
    return status


def _date_after(post: Post, was: str | None, wanted: datetime | None, status: str, now: datetime) -> datetime:
    if wanted is not None:
        if was is not None and _to_minute(post.published_at) == wanted:
            return post.published_at  # the editor shows minutes: the seconds it hid stay as they were
        return wanted
    if status == "draft":
        return post.created_at if was is None or date_floating(post) else post.published_at
    return now if was in (None, "draft") else post.published_at  # publish immediately; or keep the date


def date_floating(post: Post) -> bool:
    """Whether a draft's date was never chosen, so publishing it dates it then (WordPress keeps
    post_date_gmt empty for these): such a draft is dated when it was created."""
    return post.status == "draft" and post.published_at == post.created_at


def _saved_message(was: str | None, was_scheduled: bool, post: Post) -> str:
    """WordPress's notice for a save, a page's in its own words (languages differ beyond the noun)."""
    return _saved_messages(post.kind == "page")[_saved_outcome(was, was_scheduled, post)]


def _saved_outcome(was: str | None, was_scheduled: bool, post: Post) -> str:
    if post.status == "draft":
        return {None: "saved as draft", "draft": "draft updated"}.get(was, "reverted to draft")
    if post.status == "private":
        return "updated" if was == "private" else "published privately"
    if post.status == "published" and (was != "published" or (is_scheduled(post) and not was_scheduled)):
        return "scheduled" if is_scheduled(post) else "published"
    return "updated"


def _saved_messages(page: bool) -> dict[str, str]:
    if page:
        return {"saved as draft": _("Page saved as draft."), "draft updated": _("Page draft updated."),
                "reverted to draft": _("Page reverted to draft."), "updated": _("Page updated."),
                "published privately": _("Page published privately."), "scheduled": _("Page scheduled."),
                "published": _("Page published.")}
    return {"saved as draft": _("Post saved as draft."), "draft updated": _("Post draft updated."),
            "reverted to draft": _("Post reverted to draft."), "updated": _("Post updated."),
            "published privately": _("Post published privately."), "scheduled": _("Post scheduled."),
            "published": _("Post published.")}


def visibility_of(post: Post) -> str:
    """The Publish box's Visibility for a stored post."""
    if post.status == "private":
        return "private"
    return "password" if post.password else "public"


def status_choices(post: Post | None) -> list[tuple[str, str]]:
    """The Status box's options: Draft, Published (or Scheduled), and the post's own if it is another."""
    choices = [("draft", STATUS_LABELS["draft"]),
               ("published", SCHEDULED if post and is_scheduled(post) else STATUS_LABELS["published"])]
    if post and post.status not in ("draft", "published"):
        choices.append((post.status, STATUS_LABELS.get(post.status, post.status.capitalize())))
    return choices


def publish_box(post: Post | None, published_at: datetime | None, visibility: str,
                may_publish: bool = True) -> PublishBox:
    """The Publish box for a post as stored, its button named for the date and visibility asked;
    for a user who may not publish, a draft's box offers Save Draft alone (no primary button)."""
    immediately = post is None or date_floating(post)
    if post is None or post.status == "draft":
        future = published_at is not None and published_at > utcnow() and visibility != "private"
        action = ("schedule" if future else "publish") if may_publish else ""
        primary = {"schedule": _("Schedule"), "publish": _("Publish"), "": ""}[action]
        return PublishBox(_("Draft"), False, _date_stamp(post), True, primary, action, immediately)
    label = SCHEDULED if is_scheduled(post) else STATUS_LABELS.get(post.status, post.status.capitalize())
    return PublishBox(str(label), True, _date_stamp(post), False, _("Update"), "update", immediately)


def _date_stamp(post: Post | None) -> str:
    """WordPress's line under Visibility (post_submit_meta_box)."""
    if post is None or date_floating(post):
        return _("Publish immediately")
    when = format_local(post.published_at.astimezone(blog_timezone()), "%b %-d, %Y at %H:%M")
    if is_scheduled(post):
        return _("Scheduled for: %(date)s", date=when)
    if post.status in ("published", "private"):
        return _("Published on: %(date)s", date=when)
    return _("Schedule for: %(date)s", date=when) if post.published_at > utcnow() else \
        _("Publish on: %(date)s", date=when)


def _to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def preview_html(body: str) -> str:
    """The sanitized HTML the post page would show for this Markdown."""
    return render_post_body(body, "markdown")


def is_scheduled(post: Post) -> bool:
    """Published, but not yet visible: its date is still to come."""
    return post.status == "published" and not visible(post)


def delete_post(post: Post) -> int:
    """Delete a post or page and all its comments and commit; how many comments went with it. Its
    terms are recounted; a page's subpages move up to its parent."""
    held = terms.post_term_ids(post)
    if post.status == "published":
        signals.send(signals.post_withdrawn, post=post)
    removed = db.session.execute(sa.delete(Comment).where(Comment.post_id == post.id)).rowcount
    if post.kind == "page":
        db.session.execute(sa.update(Post).where(Post.parent_id == post.id).values(parent_id=post.parent_id))
    db.session.delete(post)
    db.session.flush()
    terms.recount(held)
    db.session.commit()
    return removed
