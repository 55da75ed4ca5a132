"""Appearance -> Menus: the site's main menu (pages, categories, tags, custom links; nested one level),
edited without JavaScript: every change is a small form (add, rename or move under a parent, up, down,
remove). The rules live in blog.menu_editing."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional

from admin import bp, requires
from auth.roles import MANAGE_OPTIONS
from blog import menu_editing
from blog.models import MenuItem, Post, Term
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db

TAG_CHOICES = 200  # the most used tags offered; a tag beyond them is reached through its category or a link


class AddItemForm(FlaskForm):
    """One of the screen's "Add to Menu" boxes: a page, a category, a tag (object_id) or a custom link (url)."""

    object_id = SelectField(_l("Item"), coerce=int, validate_choice=False, validators=[Optional()])
    url = StringField(_l("URL"), validators=[Optional(), Length(max=500)])
    label = StringField(_l("Navigation label"), validators=[Optional(), Length(max=200)],
                        description=_l("Leave empty to use the page's title or the term's name."))
    parent_id = SelectField(_l("Parent"), coerce=int, default=0, validate_choice=False)


class EditItemForm(FlaskForm):
    label = StringField(_l("Navigation label"), validators=[Optional(), Length(max=200)])
    url = StringField(_l("URL"), validators=[Optional(), Length(max=500)])
    parent_id = SelectField(_l("Parent"), coerce=int, default=0, validate_choice=False)


class MoveItemForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(("up", "down"))])


class RemoveItemForm(FlaskForm):
    pass


ADD_KINDS = {"page": _l("Pages"), "category": _l("Categories"), "tag": _l("Tags"), "custom": _l("Custom Links")}


def _choices(kind: str) -> list[tuple[int, str]]:
    if kind == "page":
        rows = db.session.execute(sa.select(Post.id, Post.title).where(Post.kind == "page", Post.status == "published")
                                  .order_by(Post.title, Post.id))
    elif kind == "category":
        rows = db.session.execute(sa.select(Term.id, Term.name).where(Term.taxonomy == "category")
                                  .order_by(Term.name, Term.id))
    else:
        rows = db.session.execute(sa.select(Term.id, Term.name).where(Term.taxonomy == "tag")
                                  .order_by(Term.post_count.desc(), Term.name).limit(TAG_CHOICES))
    return [(object_id, name) for object_id, name in rows]


def _parent_choices(items: list[MenuItem], labels: dict[int, str], item: MenuItem | None = None):
    return [(0, _("— Top level —"))] + [(i.id, labels[i.id]) for i in items
                                     if i.parent_id is None and (item is None or i.id != item.id)]


def _item_labels(items: list[MenuItem]) -> dict[int, str]:
    """What each item is called on the screen: its label, else its page's title or term's name."""
    pages = dict(db.session.execute(sa.select(Post.id, Post.title).where(
        Post.id.in_({i.object_id for i in items if i.kind == "page"}))).tuples().all())
    terms = dict(db.session.execute(sa.select(Term.id, Term.name).where(
        Term.id.in_({i.object_id for i in items if i.kind in ("category", "tag")}))).tuples().all())
    removed = _("(removed)")
    return {i.id: i.label or (i.url if i.kind == "custom" else (pages if i.kind == "page" else terms).get(
        i.object_id, removed)) for i in items}


def _add_forms(items, labels, submitted: AddItemForm | None = None, kind: str | None = None) -> dict:
    forms = {}
    for key in ADD_KINDS:
        form = submitted if key == kind else AddItemForm(prefix=key, formdata=None)
        form.parent_id.choices = _parent_choices(items, labels)
        if key != "custom":
            form.object_id.choices = _choices(key)
        forms[key] = form
    return forms


def _screen(status: int = 200, add_form: AddItemForm | None = None, kind: str | None = None,
            edit_form: EditItemForm | None = None, edited: int | None = None):
    items = menu_editing.menu_items()
    labels = _item_labels(items)
    edits = {}
    for item in items:
        form = edit_form if item.id == edited else EditItemForm(
            prefix=f"item-{item.id}", formdata=None, label=item.label, url=item.url, parent_id=item.parent_id or 0)
        form.parent_id.choices = _parent_choices(items, labels, item)
        edits[item.id] = form
    return render_template("admin/menus.html", items=items, labels=labels, edits=edits, kinds=ADD_KINDS,
                           add_forms=_add_forms(items, labels, add_form, kind)), status


@bp.get("/menus/", endpoint="menus")
@requires(MANAGE_OPTIONS)
def menus():
    """The Menus screen; Administrators (edit_theme_options in WordPress)."""
    return _screen()


@bp.post("/menus/add/<kind>", endpoint="menu_add")
@requires(MANAGE_OPTIONS)
def menu_add(kind: str):
    """Add a page, category, tag or custom link to the menu."""
    if kind not in ADD_KINDS:
        abort(404)
    form = AddItemForm(prefix=kind)
    if form.validate_on_submit():
        try:
            menu_editing.add_menu_item(kind, form.object_id.data, form.url.data or "", form.label.data or "",
                                     form.parent_id.data or None)
        except menu_editing.MenuError as refusal:
            db.session.rollback()
            (form.url if kind == "custom" else form.object_id).errors = [str(refusal)]
        else:
            db.session.commit()
            flash(_("Menu item added."), "success")
            return redirect(url_for("admin.menus"), 303)
    return _screen(400, form, kind)


def _item_or_404(item_id: int) -> MenuItem:
    item = db.session.get(MenuItem, item_id)
    if item is None or item.location != menu_editing.MENU_LOCATION:
        abort(404)
    return item


@bp.post("/menus/<int:item_id>/edit", endpoint="menu_item_edit")
@requires(MANAGE_OPTIONS)
def menu_item_edit(item_id: int):
    """Rename an item, change a custom link's address, or nest it under a top-level item."""
    item = _item_or_404(item_id)
    form = EditItemForm(prefix=f"item-{item.id}")
    if form.validate_on_submit():
        try:
            menu_editing.update_menu_item(item, form.label.data or "", form.parent_id.data or None,
                                        form.url.data if item.kind == "custom" else None)
        except menu_editing.MenuError as refusal:
            db.session.rollback()
            form.label.errors = [str(refusal)]
        else:
            db.session.commit()
            flash(_("Menu item saved."), "success")
            return redirect(url_for("admin.menus", _anchor=f"menu-item-{item_id}"), 303)
    return _screen(400, edit_form=form, edited=item_id)


@bp.post("/menus/<int:item_id>/move", endpoint="menu_item_move")
@requires(MANAGE_OPTIONS)
def menu_item_move(item_id: int):
    """Move an item one place up or down among its siblings."""
    item = _item_or_404(item_id)
    form = MoveItemForm()
    if not form.validate_on_submit():
        abort(400)
    menu_editing.move_menu_item(item, form.direction.data)
    db.session.commit()
    return redirect(url_for("admin.menus", _anchor=f"menu-item-{item_id}"), 303)


@bp.post("/menus/<int:item_id>/remove", endpoint="menu_item_remove")
@requires(MANAGE_OPTIONS)
def menu_item_remove(item_id: int):
    """Remove an item from the menu (its sub-items move up to the top level)."""
    item = _item_or_404(item_id)
    if not RemoveItemForm().validate_on_submit():
        abort(400)
    menu_editing.remove_menu_item(item)
    db.session.commit()
    flash(_("Menu item removed."), "success")
    return redirect(url_for("admin.menus"), 303)
