"""Appearance -> Widgets: which of WordPress's core widgets the sidebar shows, and in what order (the
sidebar_widgets setting; blog.navigation renders them)."""

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, FormField, IntegerField
from wtforms.validators import NumberRange

from admin import bp, requires
from auth.roles import MANAGE_OPTIONS
from blog.navigation import WIDGETS
from blog.settings import get_setting, save_settings
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from extensions import db


class WidgetRowForm(FlaskForm):
    class Meta:
        csrf = False  # a row of the form below, which carries the token

    shown = BooleanField(_l("Show"))
    position = IntegerField(_l("Position"), validators=[NumberRange(1, len(WIDGETS))])


class WidgetsForm(FlaskForm):
    pass


for _key, _title in WIDGETS.items():
    setattr(WidgetsForm, _key, FormField(WidgetRowForm, label=_title))


def chosen_widgets(form: WidgetsForm) -> list[str]:
    """The widgets ticked, by the positions given (ties keep the screen's order)."""
    rows = [(getattr(form, key).position.data, index, key) for index, key in enumerate(WIDGETS)]
    return [key for _position, _index, key in sorted(rows) if getattr(form, key).shown.data]


def _initial_data() -> dict:
    current = [key for key in get_setting("sidebar_widgets") if key in WIDGETS]
    order = current + [key for key in WIDGETS if key not in current]
    return {key: {"shown": key in current, "position": order.index(key) + 1} for key in WIDGETS}


@bp.route("/widgets/", methods=["GET", "POST"], endpoint="widgets")
@requires(MANAGE_OPTIONS)
def widgets():
    """The Widgets screen; Administrators (edit_theme_options in WordPress)."""
    form = WidgetsForm(data=_initial_data() if request.method == "GET" else None)
    if form.validate_on_submit():
        save_settings({"sidebar_widgets": chosen_widgets(form)})
        db.session.commit()
        flash(_("Widgets saved."), "success")
        return redirect(url_for("admin.widgets"), 303)
    rows = sorted(WIDGETS, key=lambda key: (getattr(form, key).position.data or 99, list(WIDGETS).index(key)))
    return render_template("admin/widgets.html", form=form, rows=rows, titles=WIDGETS), 400 if form.errors else 200
