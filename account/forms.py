"""Forms of the account page; every POST carries Flask-WTF's CSRF token."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from core.clean_input import stripped
from core.i18n import lazy_gettext as _l


class DisplayNameForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the name to show on your comments.")), Length(max=250)],
        render_kw={"autocomplete": "name"},
    )
    submit = SubmitField(_l("Save name"))


class ButtonForm(FlaskForm):
    """A POST-only button (link a provider, cancel a subscription): the CSRF token alone."""


class DeleteAccountForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that my account is deleted for good."),
        validators=[DataRequired(_l("Tick the box to confirm that you want your account deleted."))],
    )
    erase_text = BooleanField(_l("Also remove the text of my comments"))
    submit = SubmitField(_l("Delete my account"))
