"""The Categories and Tags screens, as WordPress's edit-tags.php: the list with an add form, the
edit screen (rename, move, merge into another), and deleting with the posts kept. Every screen
needs MANAGE_CATEGORIES; the rules are blog.terms'."""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for

from admin import bp, requires
from admin.forms import ActionForm, TagMergeForm, TermForm, TermMergeForm
from auth.roles import MANAGE_CATEGORIES
from blog import terms
from blog.models import Term
from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db

TAGS_PER_PAGE = 50


@dataclass(frozen=True)
class Taxonomy:
    name: str  # "category" or "tag"
    endpoint: str  # the list's endpoint; its edit and delete screens end in _edit and _delete

    def url(self, action: str = "", **values) -> str:
        return url_for(f"admin.{self.endpoint}" if not action else f"admin.{self.name}_{action}", **values)


CATEGORY = Taxonomy("category", "categories")
TAG = Taxonomy("tag", "tags")


@bp.route("/categories/", methods=["GET", "POST"])
@requires(MANAGE_CATEGORIES)
def categories():
    """Every category in hierarchical order, and the form that adds one."""
    return _list(CATEGORY)


@bp.route("/tags/", methods=["GET", "POST"])
@requires(MANAGE_CATEGORIES)
def tags():
    """The tags by name, a page at a time, the most used ones, and the form that adds one."""
    return _list(TAG)


@bp.route("/categories/<int:term_id>/", methods=["GET", "POST"])
@requires(MANAGE_CATEGORIES)
def category_edit(term_id: int):
    """Rename a category, move it under another, or merge it into another."""
    return _edit(CATEGORY, term_id)


@bp.route("/tags/<int:term_id>/", methods=["GET", "POST"])
@requires(MANAGE_CATEGORIES)
def tag_edit(term_id: int):
    """Rename a tag, or merge it into another."""
    return _edit(TAG, term_id)


@bp.route("/categories/<int:term_id>/delete", methods=["GET", "POST"])
@requires(MANAGE_CATEGORIES)
def category_delete(term_id: int):
    """Delete a category after a confirmation page; its posts are kept."""
    return _delete(CATEGORY, term_id)


@bp.route("/tags/<int:term_id>/delete", methods=["GET", "POST"])
@requires(MANAGE_CATEGORIES)
def tag_delete(term_id: int):
    """Delete a tag after a confirmation page; its posts are kept."""
    return _delete(TAG, term_id)


def _list(taxonomy: Taxonomy):
    form = TermForm()
    _offer_parents(form, taxonomy, None)
    if form.validate_on_submit():
        try:
            term = terms.create_term(taxonomy.name, form.name.data, form.slug.data or "", _parent_id(form),
                                     form.description.data or "")
        except terms.TermRefused as refusal:
            db.session.rollback()
            _field_for(form, refusal).errors.append(str(refusal))
        else:
            flash(_("Category “%(name)s” added.", name=term.name) if taxonomy is CATEGORY
                  else _("Tag “%(name)s” added.", name=term.name), "success")
            return redirect(taxonomy.url(), 303)
    search = request.args.get("s", "").strip()[:100] if taxonomy is TAG else ""
    if taxonomy is CATEGORY:
        rows, page, popular = terms.categories_in_order(), None, []
    else:
        page = db.paginate(terms.tags_by_name(search), page=request.args.get("paged", 1, type=int),
                           per_page=TAGS_PER_PAGE, error_out=False)
        rows, popular = [(term, 0) for term in page.items], terms.popular_tags(20)
    return render_template("admin/terms.html", taxonomy=taxonomy, form=form, rows=rows, page=page, popular=popular,
                           search=search,
                           default_id=terms.default_category_id() if taxonomy is CATEGORY else None,
                           parents={term.id: term for term, _ in rows}), 400 if form.errors else 200


def _edit(taxonomy: Taxonomy, term_id: int):
    term = _term(taxonomy, term_id)
    merge = _merge_form(taxonomy, term)
    if merge.merge.data and merge.validate_on_submit():
        target = _merge_target(taxonomy, merge)
        if target is not None:
            return _merge(taxonomy, term, target)
    form = TermForm(obj=term if request.method == "GET" else None)
    _offer_parents(form, taxonomy, term)
    if request.method == "GET" and "parent" in form:
        form.parent.data = term.parent_id or 0
    if not merge.merge.data and form.validate_on_submit():
        try:
            terms.update_term(term, form.name.data, form.slug.data or "", _parent_id(form),
                              form.description.data or "")
        except terms.TermRefused as refusal:
            db.session.rollback()
            _field_for(form, refusal).errors.append(str(refusal))
        else:
            flash(_("Category updated.") if taxonomy is CATEGORY else _("Tag updated."), "success")
            return redirect(taxonomy.url("edit", term_id=term.id), 303)
    status = 400 if form.errors or merge.errors else 200
    return render_template("admin/term_edit.html", taxonomy=taxonomy, term=db.session.get(Term, term_id), form=form,
                           merge=merge, is_default=terms.is_default_category(term),
                           tag_suggestions=terms.popular_tags() if taxonomy is TAG else []), status


def _merge_form(taxonomy: Taxonomy, term: Term) -> TermMergeForm | TagMergeForm:
    """Categories are chosen from the list; tags, too many for one, by name."""
    if taxonomy is TAG:
        return TagMergeForm(prefix="merge")
    merge = TermMergeForm(prefix="merge")
    merge.target.choices = [(other.id, label) for other, label in _choices(taxonomy, exclude={term.id})]
    return merge


def _merge_target(taxonomy: Taxonomy, merge: TermMergeForm | TagMergeForm) -> Term | None:
    if taxonomy is not TAG:
        return db.session.get(Term, merge.target.data)
    target = terms.tag_named(merge.target_name.data)
    if target is None:
        merge.target_name.errors.append(_("There is no tag named “%(name)s”.", name=merge.target_name.data))
    return target


def _merge(taxonomy: Taxonomy, term: Term, target: Term):
    name, target_name = term.name, target.name
    try:
        moved = terms.merge_terms(term, target)
    except terms.TermRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(taxonomy.url("edit", term_id=term.id), 303)
    flash(ngettext("“%(name)s” was merged into “%(target)s” (%(num)d post moved).",
                   "“%(name)s” was merged into “%(target)s” (%(num)d posts moved).", moved,
                   name=name, target=target_name), "success")
    return redirect(taxonomy.url("edit", term_id=target.id), 303)


def _delete(taxonomy: Taxonomy, term_id: int):
    term = _term(taxonomy, term_id)
    form = ActionForm()
    refusal = _("The default category cannot be deleted.") if terms.is_default_category(term) else None
    if form.validate_on_submit() and refusal is None:
        name = term.name
        terms.delete_term(term)
        flash(_("Category “%(name)s” deleted; its posts are kept.", name=name) if taxonomy is CATEGORY
              else _("Tag “%(name)s” deleted; its posts are kept.", name=name), "success")
        return redirect(taxonomy.url(), 303)
    return render_template("admin/term_delete.html", taxonomy=taxonomy, term=term, form=form,
                           refusal=refusal), 400 if refusal and request.method == "POST" else 200


def _term(taxonomy: Taxonomy, term_id: int) -> Term:
    term = db.session.get(Term, term_id)
    if term is None or term.taxonomy != taxonomy.name:
        abort(404)
    return term


def _choices(taxonomy: Taxonomy, exclude: set[int]) -> list[tuple[Term, str]]:
    """The categories one may choose (for a parent or a merge), indented under their parents."""
    return [(term, "— " * depth + term.name) for term, depth in terms.categories_in_order() if term.id not in exclude]


def _offer_parents(form: TermForm, taxonomy: Taxonomy, term: Term | None) -> None:
    if taxonomy is not CATEGORY:
        del form.parent
        return
    exclude = {term.id} | terms.descendant_ids(term) if term else set()
    form.parent.choices = [(0, _("None"))] + [(other.id, label) for other, label in _choices(taxonomy, exclude)]


def _parent_id(form: TermForm) -> int | None:
    return (form.parent.data or None) if "parent" in form else None


def _field_for(form: TermForm, refusal: terms.TermRefused):
    """The field a refusal is about, its message shown beside it."""
    return form[refusal.field] if refusal.field in form else form.name
