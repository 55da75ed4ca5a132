"""Editing the site's main menu (the admin's Menus screen): add, rename, nest one level, reorder,
remove. Every edit bumps the content version, as menu items are no public model of the page cache's
and the menu is cached under that version (blog.navigation)."""

from urllib.parse import urlsplit

import sqlalchemy as sa

from blog.content_version import bump_content_version
from blog.models import MenuItem, Post, Term
from core.i18n import gettext as _
from extensions import db

MENU_KINDS = ("page", "category", "tag", "custom")
MENU_LOCATION = "primary"



class MenuError(ValueError):
    """A menu edit that cannot be made; the message says why."""


def menu_items() -> list[MenuItem]:
    """The primary menu's items: top-level ones in order, each followed by its children."""
    items = db.session.scalars(sa.select(MenuItem).where(MenuItem.location == MENU_LOCATION)
                               .order_by(MenuItem.position, MenuItem.id)).all()
    ordered = []
    for item in items:
        if item.parent_id is None:
            ordered.append(item)
            ordered.extend(c for c in items if c.parent_id == item.id)
    return ordered


def safe_menu_url(url: str) -> str:
    """A custom link's address if it is an http(s) URL or a path on this site; else MenuError."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    if not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    raise MenuError(_("Enter an address starting with http://, https:// or / (a path on this blog)."))


def add_menu_item(kind: str, object_id: int | None = None, url: str = "", label: str = "",
                  parent_id: int | None = None) -> MenuItem:
    """Append an item to the menu (or under a top-level item), in the caller's transaction."""
    if kind not in MENU_KINDS:
        raise MenuError(_("Unknown kind of menu item."))
    if kind == "custom":
        url, object_id = safe_menu_url(url), None
        if not label.strip():
            raise MenuError(_("Give the custom link a label."))
    elif object_id is None or not _target_exists(kind, object_id):
        raise MenuError(_("That page or term no longer exists."))
    parent = _valid_parent(parent_id, None)
    siblings = [i for i in menu_items() if i.parent_id == (parent.id if parent else None)]
    item = MenuItem(location=MENU_LOCATION, kind=kind, object_id=object_id, url=url if kind == "custom" else "",
                    label=label.strip()[:200], parent_id=parent.id if parent else None,
                    position=max((i.position for i in siblings), default=-1) + 1)
    db.session.add(item)
    _menu_changed()
    return item


def _target_exists(kind: str, object_id: int) -> bool:
    if kind == "page":
        return db.session.scalar(sa.select(Post.id).where(Post.id == object_id, Post.kind == "page")) is not None
    taxonomy = "category" if kind == "category" else "tag"
    return db.session.scalar(sa.select(Term.id).where(Term.id == object_id, Term.taxonomy == taxonomy)) is not None


def _valid_parent(parent_id: int | None, item: MenuItem | None) -> MenuItem | None:
    """The top-level item to nest under (one level only), or None for the top level."""
    if not parent_id:
        return None
    parent = db.session.get(MenuItem, parent_id)
    if parent is None or parent.location != MENU_LOCATION or parent.parent_id is not None:
        raise MenuError(_("Choose a top-level item as the parent."))
    if item is not None and (parent.id == item.id or _has_children(item)):
        raise MenuError(_("An item with sub-items stays at the top level; an item cannot be its own parent."))
    return parent


def _has_children(item: MenuItem) -> bool:
    return db.session.scalar(sa.select(MenuItem.id).where(MenuItem.parent_id == item.id).limit(1)) is not None


def update_menu_item(item: MenuItem, label: str, parent_id: int | None, url: str | None = None) -> None:
    """Rename an item, move it under another top-level item (or to the top level), change a custom
    link's address."""
    parent = _valid_parent(parent_id, item)
    if item.kind == "custom" and url is not None:
        item.url = safe_menu_url(url)
        if not label.strip():
            raise MenuError(_("Give the custom link a label."))
    new_parent_id = parent.id if parent else None
    if new_parent_id != item.parent_id:
        siblings = [i for i in menu_items() if i.parent_id == new_parent_id]
        item.parent_id, item.position = new_parent_id, max((i.position for i in siblings), default=-1) + 1
    item.label = label.strip()[:200]
    _menu_changed()


def move_menu_item(item: MenuItem, direction: str) -> None:
    """Swap an item with its previous ("up") or next ("down") sibling."""
    siblings = [i for i in menu_items() if i.parent_id == item.parent_id]
    for position, sibling in enumerate(siblings):
        sibling.position = position  # renumbered, so that equal positions cannot stall a move
    index = siblings.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index].position, siblings[other].position = other, index
    _menu_changed()


def remove_menu_item(item: MenuItem) -> None:
    """Remove an item; its sub-items move up to the top level, where it stood (as WordPress does)."""
    for child in db.session.scalars(sa.select(MenuItem).where(MenuItem.parent_id == item.id)):
        child.parent_id, child.position = None, item.position
    db.session.flush()
    db.session.delete(item)
    _menu_changed()


def _menu_changed() -> None:
    db.session.flush()
    bump_content_version(db.session)  # menu items are no public model of the page cache's
