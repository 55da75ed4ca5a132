"""Addresses a term's or a page's slug may not take: those another route answers, matched against
the app's URL map, so that a route added later is protected without a list to keep up to date."""

from flask import current_app
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from blog.models import Term
from core.i18n import gettext as _
from extensions import db

PREFIXES = {"category": "/category/", "tag": "/tag/"}
# Words of WordPress's own addresses: a page with such a slug would hide them after a move to WordPress
# or from a WordPress export's links.
WORDPRESS_RESERVED = frozenset({"wp-admin", "wp-login.php", "wp-content", "wp-includes", "wp-json", "xmlrpc.php",
                                "embed", "trackback", "comments", "feed", "page", "attachment"})


def route_taken(path: str, endpoint: str = "blog.page") -> bool:
    """Whether a route other than `endpoint` would answer the address `path`: a term's or a page's
    slug that makes such an address is refused."""
    matched = _match(path)
    return matched is not None and matched[0] != endpoint


def _match(path: str) -> tuple[str, dict] | None:
    """The endpoint and values that would answer a GET of `path`; ("", {}) when only another
    method or a redirect would, None when nothing would."""
    try:
        return current_app.url_map.bind("localhost").match(path, method="GET")
    except (RequestRedirect, MethodNotAllowed):
        return "", {}
    except NotFound:
        return None


def static_words(prefix: str) -> set[str]:
    """The fixed path segments of the routes under `prefix` ("feed", "page"...), which a slug there
    would be mistaken for."""
    words = set()
    for rule in current_app.url_map.iter_rules():
        if rule.rule.startswith(prefix):
            words.update(part for part in rule.rule[len(prefix):].split("/") if part and "<" not in part)
    return words


def _first_words() -> set[str]:
    """The fixed first segments of the site's routes ("admin", "login", "category"...)."""
    firsts = (rule.rule.split("/")[1] for rule in current_app.url_map.iter_rules())
    return {word for word in firsts if word and "<" not in word}


def term_path(term_slug: str, parent: Term | None) -> str:
    """A category's path ("news/local") for a would-be slug under `parent`; a tag's slug."""
    slugs = [term_slug]
    seen = set()
    while parent is not None and parent.id not in seen:
        seen.add(parent.id)
        slugs.append(parent.slug)
        parent = db.session.get(Term, parent.parent_id) if parent.parent_id else None
    return "/".join(reversed(slugs))


def term_slug_refusal(taxonomy: str, slug: str, parent: Term | None = None) -> str | None:
    """Why a term may not have this slug (under this parent), or None when it may."""
    if slug in static_words(PREFIXES[taxonomy]):
        if taxonomy == "category":
            return _("The slug “%(slug)s” is part of the category addresses (…/%(slug)s/): please choose another.",
                     slug=slug)
        return _("The slug “%(slug)s” is part of the tag addresses (…/%(slug)s/): please choose another.", slug=slug)
    path = term_path(slug, parent) if taxonomy == "category" else slug
    address = f"{PREFIXES[taxonomy]}{path}/"
    matched = _match(address)
    if matched is not None and matched[1].get("path" if taxonomy == "category" else "slug") != path:
        return _("The address %(address)s is already used by another page: please choose another slug.",
                 address=address)
    return None


def page_slug_refusal(slug: str, path: str) -> str | None:
    """Why a page may not have this slug at the address /`path`/, or None when it may."""
    if slug.isdigit():
        return _("The slug “%(slug)s” is a number, which date archives use: please choose another.", slug=slug)
    first, address = path.split("/", 1)[0], f"/{path}/"
    if slug.lower() in WORDPRESS_RESERVED or first.lower() in _first_words():
        return _("The address %(address)s belongs to another part of the site: please choose another slug.",
                 address=address)
    if route_taken(address, "blog.page") or _page_route_reads_it_otherwise(path):
        return _("The address %(address)s is already used by another page: please choose another slug.",
                 address=address)
    return None


def _page_route_reads_it_otherwise(path: str) -> bool:
    """Whether the pages' own route would read /`path`/ as something else than this page's
    address: another page's comment page (/about/comment-page-2/)."""
    matched = _match(f"/{path}/")
    if matched is None or matched[0] != "blog.page":
        return False
    values = matched[1]
    segments = [value for name, value in sorted(values.items()) if name.startswith("s") and name[1:].isdigit()]
    read_as = values.get("path", "/".join(segments))
    return "cpage" in values or (bool(read_as) and read_as != path)
