"""Categories and tags: creating, renaming, merging and deleting them, their slugs, the default
category, a post's terms, and each term's count of published posts (WordPress's Count). Which
addresses a slug may not take is blog.term_addresses'.

Every change commits where it is a user's whole action (create, update, merge, delete);
set_post_terms and recount run inside the caller's transaction (the editor's save, the importer).
"""

import unicodedata
from collections.abc import Iterable

import sqlalchemy as sa

from blog.models import MenuItem, Post, Setting, Term, post_terms
from blog.term_addresses import PREFIXES, static_words, term_slug_refusal
from blog.term_addresses import route_taken as route_taken  # the name the shared design gives it
from core.i18n import N_, in_language, ngettext, pgettext
from core.i18n import gettext as _
from extensions import db

NAME_MAX = 200
SLUG_MAX = 190  # room for a "-2" suffix within the column's 200
DEFAULT_CATEGORY = (N_("Uncategorized"), "uncategorized")  # WordPress's default category, in English
DEFAULT_CATEGORY_SETTING = "default_category"  # the default category's id, kept when it is renamed
# The Latin letters WordPress's remove_accents spells out rather than strips.
_LATIN_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                                "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"})


class TermRefused(ValueError):
    """A change refused by the rules; its message is for the user, next to `field`."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


def make_slug(text: str) -> str:
    """A slug as WordPress makes one: lowercase words joined by hyphens, accents taken off Latin
    letters, other scripts kept (as WordPress keeps them, percent-encoded in the address)."""
    from slugify import slugify  # here: its transliteration tables serve only the admin

    plain = "".join(_unaccented(ch) for ch in (text or "").translate(_LATIN_LETTERS))
    return slugify(plain, allow_unicode=True, max_length=SLUG_MAX)


def _unaccented(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    if decomposed[:1].isascii() and decomposed[:1].isalpha():
        return "".join(c for c in decomposed if c.isascii())
    return ch


def unique_slug(taxonomy: str, base: str, term_id: int | None = None) -> str:
    """`base`, or `base-2`, `base-3`... : the first no other term of the taxonomy has."""
    taken = set(db.session.scalars(sa.select(Term.slug).where(
        Term.taxonomy == taxonomy, Term.slug.startswith(base, autoescape=True), Term.id != (term_id or 0))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


# -- reading ----------------------------------------------------------------------------------


def categories_in_order() -> list[tuple[Term, int]]:
    """Every category with its depth, each after its parent, siblings by name (WordPress's order)."""
    return _tree(db.session.scalars(sa.select(Term).where(Term.taxonomy == "category")).all())


def _tree(terms: list[Term]) -> list[tuple[Term, int]]:
    ids = {term.id for term in terms}
    children: dict[int | None, list[Term]] = {}
    for term in terms:
        children.setdefault(term.parent_id if term.parent_id in ids else None, []).append(term)
    ordered: list[tuple[Term, int]] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for term in sorted(children.get(parent_id, []), key=lambda t: (t.name.casefold(), t.id)):
            if term.id not in seen:
                seen.add(term.id)
                ordered.append((term, depth))
                walk(term.id, depth + 1)

    walk(None, 0)
    # A cycle (written before the rules refused them) leaves terms unreached: list them at the top.
    ordered += [(term, 0) for term in terms if term.id not in seen]
    return ordered


def category_tree() -> list[dict]:
    """The categories as nested {"term", "children"} entries, for the editor's checklist."""
    root: list[dict] = []
    stack: list[list[dict]] = [root]
    for term, depth in categories_in_order():
        del stack[depth + 1:]
        entry = {"term": term, "children": []}
        stack[depth].append(entry)
        stack.append(entry["children"])
    return root


def tags_by_name(starting: str = "") -> sa.Select:
    """The tags by name; those whose name or slug starts with `starting` when given."""
    query = sa.select(Term).where(Term.taxonomy == "tag").order_by(sa.func.lower(Term.name), Term.id)
    if starting:
        query = query.where(sa.or_(sa.func.lower(Term.name).startswith(starting.lower(), autoescape=True),
                                   Term.slug.startswith(make_slug(starting) or starting, autoescape=True)))
    return query


def popular_tags(limit: int = 100) -> list[str]:
    """The names of the most used tags, for the editor's suggestions (WordPress's "most used")."""
    return list(db.session.scalars(sa.select(Term.name).where(Term.taxonomy == "tag")
                                   .order_by(Term.post_count.desc(), Term.name).limit(limit)))


def descendant_ids(term: Term) -> set[int]:
    """The ids of a category's children, their children, and so on."""
    found: set[int] = set()
    frontier = {term.id}
    while frontier:
        frontier = set(db.session.scalars(sa.select(Term.id).where(Term.parent_id.in_(frontier)))) - found - {term.id}
        found |= frontier
    return found


# -- the default category ---------------------------------------------------------------------


def default_category() -> Term:
    """WordPress's default category, "Uncategorized", made when missing (in the caller's transaction)."""
    chosen = db.session.get(Setting, DEFAULT_CATEGORY_SETTING)
    term = db.session.get(Term, chosen.value) if chosen and isinstance(chosen.value, int) else None
    if term is None or term.taxonomy != "category":
        term = db.session.scalar(sa.select(Term).where(Term.taxonomy == "category",
                                                       Term.slug == DEFAULT_CATEGORY[1]))
        if term is None:
            name, slug = default_category_names()
            term = Term(taxonomy="category", name=name, slug=unique_slug("category", slug), description="")
            db.session.add(term)
            db.session.flush()
        db.session.merge(Setting(key=DEFAULT_CATEGORY_SETTING, value=term.id))
    return term


def default_category_names() -> tuple[str, str]:
    """The default category's name and slug in the site's language, as WordPress's installer makes
    it; once made it is the owner's to rename, like any category."""
    with in_language(None):
        name, slug = _(DEFAULT_CATEGORY[0]), make_slug(pgettext("default category slug", "uncategorized"))
    return name, slug or DEFAULT_CATEGORY[1]


def default_category_id() -> int | None:
    """The default category's id without making it (None when there is none yet)."""
    chosen = db.session.get(Setting, DEFAULT_CATEGORY_SETTING)
    if chosen is not None and isinstance(chosen.value, int) and db.session.get(Term, chosen.value) is not None:
        return chosen.value
    return db.session.scalar(sa.select(Term.id).where(Term.taxonomy == "category",
                                                      Term.slug == DEFAULT_CATEGORY[1]))


def is_default_category(term: Term) -> bool:
    return term.taxonomy == "category" and default_category_id() == term.id


# -- creating and changing terms ---------------------------------------------------------------


def create_term(taxonomy: str, name: str, slug: str = "", parent_id: int | None = None,
                description: str = "") -> Term:
    """Add a category or tag and commit. Raises TermRefused with the reason."""
    term = Term(taxonomy=taxonomy, post_count=0)
    _apply(term, name, slug, parent_id, description)
    db.session.add(term)
    db.session.commit()
    return term


def update_term(term: Term, name: str, slug: str = "", parent_id: int | None = None, description: str = "") -> Term:
    """Rename a term (name, slug, parent, description) and commit. Raises TermRefused with the reason."""
    _apply(term, name, slug, parent_id, description)
    db.session.commit()
    return term


def _apply(term: Term, name: str, slug: str, parent_id: int | None, description: str) -> None:
    name = (name or "").strip()
    if not name:
        raise TermRefused(_("A name is required for this term."))
    if len(name) > NAME_MAX:
        raise TermRefused(ngettext("The name is too long: at most %(num)d character.",
                                   "The name is too long: at most %(num)d characters.", NAME_MAX))
    parent = _parent(term, parent_id) if term.taxonomy == "category" else None
    wanted = make_slug(slug) if (slug or "").strip() else ""
    if (slug or "").strip() and not wanted:
        raise TermRefused(_("The slug must contain letters or digits."), "slug")
    if _name_taken(term, name, parent):
        raise TermRefused(_("A term with the name “%(name)s” already exists with this parent.", name=name)
                          if term.taxonomy == "category" else
                          _("A term with the name “%(name)s” already exists among the tags.", name=name))
    if wanted:
        if _slug_taken(term, wanted):
            raise TermRefused(_("The slug “%(slug)s” is already in use by another term.", slug=wanted), "slug")
        new_slug = wanted
    elif term.id is not None and term.slug and name == term.name:
        new_slug = term.slug  # an unchanged name keeps the slug it has
    else:
        new_slug = unique_slug(term.taxonomy, make_slug(name) or term.taxonomy, term.id)
    refusal = term_slug_refusal(term.taxonomy, new_slug, parent)
    if refusal:
        raise TermRefused(refusal, "slug" if wanted else "name")
    term.name, term.slug, term.description = name, new_slug, (description or "").strip()
    term.parent_id = parent.id if parent else None


def _parent(term: Term, parent_id: int | None) -> Term | None:
    if not parent_id:
        return None
    parent = db.session.get(Term, parent_id)
    if parent is None or parent.taxonomy != "category":
        raise TermRefused(_("The parent category does not exist."), "parent")
    if term.id is not None and (parent.id == term.id or parent.id in descendant_ids(term)):
        raise TermRefused(_("A category cannot be its own parent, nor the child of one of its subcategories."),
                          "parent")
    return parent


def _name_taken(term: Term, name: str, parent: Term | None) -> bool:
    query = sa.select(Term.id).where(Term.taxonomy == term.taxonomy, sa.func.lower(Term.name) == name.lower(),
                                     Term.id != (term.id or 0))
    if term.taxonomy == "category":
        query = query.where(Term.parent_id == parent.id if parent else Term.parent_id.is_(None))
    return db.session.scalar(query.limit(1)) is not None


def _slug_taken(term: Term, slug: str) -> bool:
    return db.session.scalar(sa.select(Term.id).where(
        Term.taxonomy == term.taxonomy, Term.slug == slug, Term.id != (term.id or 0)).limit(1)) is not None


def merge_terms(source: Term, target: Term) -> int:
    """Give the posts of `source` the term `target`, then delete `source` and commit; how many posts
    it held. A merged category's subcategories move under the target; menu entries follow."""
    if source.id == target.id or source.taxonomy != target.taxonomy:
        raise TermRefused(_("Choose another term of the same kind to merge into."))
    if source.taxonomy == "category" and is_default_category(source):
        raise TermRefused(_("The default category cannot be merged away; merge another into it instead."))
    moved = _posts_of(source.id)
    already = sa.select(post_terms.c.post_id).where(post_terms.c.term_id == target.id)
    db.session.execute(sa.insert(post_terms).from_select(
        ["post_id", "term_id"],
        sa.select(post_terms.c.post_id, sa.literal(target.id)).where(
            post_terms.c.term_id == source.id, post_terms.c.post_id.not_in(already))))
    if source.taxonomy == "category":
        if target.id in descendant_ids(source):
            target.parent_id = source.parent_id
        for child in db.session.scalars(sa.select(Term).where(Term.parent_id == source.id, Term.id != target.id)):
            child.parent_id = target.id
    db.session.execute(sa.update(MenuItem).where(MenuItem.kind == source.taxonomy, MenuItem.object_id == source.id)
                       .values(object_id=target.id))
    db.session.delete(source)
    db.session.flush()
    recount([target.id])
    db.session.commit()
    return len(moved)


def delete_term(term: Term) -> int:
    """Delete a term and commit, keeping its posts: a post left without a category gets the default
    one; subcategories move up to the deleted one's parent. How many posts it held."""
    if term.taxonomy == "category" and is_default_category(term):
        raise TermRefused(_("The default category cannot be deleted."))
    held = _posts_of(term.id)
    if term.taxonomy == "category":
        for child in db.session.scalars(sa.select(Term).where(Term.parent_id == term.id)):
            child.parent_id = term.parent_id
    db.session.delete(term)
    db.session.flush()
    touched = _give_default_category(held) if term.taxonomy == "category" else set()
    recount(touched)
    db.session.commit()
    return len(held)


def _posts_of(term_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(post_terms.c.post_id).where(post_terms.c.term_id == term_id)))


def _give_default_category(post_ids: list[int]) -> set[int]:
    """Posts among these (pages aside) left without any category get the default one."""
    if not post_ids:
        return set()
    categorised = (sa.select(post_terms.c.post_id).join(Term, Term.id == post_terms.c.term_id)
                   .where(Term.taxonomy == "category"))
    bare = list(db.session.scalars(sa.select(Post.id).where(
        Post.id.in_(post_ids), Post.kind == "post", Post.id.not_in(categorised))))
    if not bare:
        return set()
    default = default_category()
    db.session.execute(sa.insert(post_terms), [{"post_id": post_id, "term_id": default.id} for post_id in bare])
    return {default.id}


# -- a post's terms and the counts -------------------------------------------------------------


def split_tag_names(text: str) -> list[str]:
    """Tag names from free text: comma-separated (Latin, Arabic or ideographic commas), trimmed,
    each once (by slug), in the order given."""
    for comma in ("،", "、", "，"):
        text = text.replace(comma, ",")
    names, seen = [], set()
    for raw in text.split(","):
        name = " ".join(raw.split())[:NAME_MAX]
        key = make_slug(name) or name.casefold()
        if name and key not in seen:
            seen.add(key)
            names.append(name)
    return names


def set_post_terms(post: Post, category_ids: Iterable[int], tag_names: Iterable[str] | str) -> None:
    """Give a post these categories (the default one when none) and tags (made when new), and
    recount every term it gained or lost; in the caller's transaction. Pages have no terms."""
    before = {term.id for term in post.terms} if post.id is not None else set()
    if post.kind != "post":
        post.terms = []
        db.session.flush()
        recount(before)
        return
    wanted = {i for i in category_ids if isinstance(i, int)}
    categories = list(db.session.scalars(sa.select(Term).where(Term.taxonomy == "category", Term.id.in_(wanted))))
    if not categories:
        categories = [default_category()]
    names = split_tag_names(tag_names) if isinstance(tag_names, str) else split_tag_names(",".join(tag_names))
    post.terms = categories + [_tag_named(name) for name in names]
    db.session.flush()
    recount(before | {term.id for term in post.terms})


def tag_named(name: str) -> Term | None:
    """The tag with this name (whatever its case), else the one with this slug."""
    same_name = sa.func.lower(Term.name) == name.lower()
    return db.session.scalar(sa.select(Term).where(
        Term.taxonomy == "tag", sa.or_(same_name, Term.slug == (make_slug(name) or name)))
        .order_by(sa.not_(same_name), Term.id).limit(1))


def _tag_named(name: str) -> Term:
    """The tag with this name (or the slug made from it), made when there is none."""
    found = tag_named(name)
    if found is not None:
        return found
    base = make_slug(name) or "tag"
    if base in static_words(PREFIXES["tag"]):
        base = f"{base}-tag"
    tag = Term(taxonomy="tag", name=name, slug=unique_slug("tag", base), description="", post_count=0)
    db.session.add(tag)
    db.session.flush()
    return tag


def post_term_ids(post: Post) -> set[int]:
    return {term.id for term in post.terms} if post.id is not None else set()


def recount(term_ids: Iterable[int] | None) -> None:
    """Set terms.post_count of these terms (all of them for None) to their number of published
    posts, pages aside; in the caller's transaction. Call it wherever posts or their terms change."""
    ids = None if term_ids is None else set(term_ids)
    if ids is not None and not ids:
        return
    terms = Term.__table__
    # post_terms.listed is the database's copy of "a published post, not a page" (blog.listing's
    # triggers, already run for this transaction's changes): the count reads the term's own range
    # of ix_post_terms_listing instead of joining every post in the term.
    published = (sa.select(sa.func.count()).select_from(post_terms)
                 .where(post_terms.c.term_id == terms.c.id, post_terms.c.listed == sa.true())
                 .scalar_subquery())
    statement = sa.update(terms).values(post_count=published)
    if ids is not None:
        statement = statement.where(terms.c.id.in_(ids))
    db.session.execute(statement)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Term) and (ids is None or obj.id in ids):
            db.session.expire(obj, ["post_count"])
