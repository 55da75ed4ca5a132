"""Forms of the "Your data" pages and of the admin's Privacy screen."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from core.clean_input import stripped
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l

KIND_CHOICES = [("export", _l("Send me a copy of my data")), ("erase", _l("Erase my data"))]
ADMIN_KIND_CHOICES = [("export", _l("Download everything stored about this address")),
                      ("erase", _l("Erase everything stored about this address"))]
EMAIL_FIELD_VALIDATORS = [DataRequired(_l("Please enter your email address.")), Length(max=254),
                          Email(_l("Please enter a valid email address."))]


class DataRequestForm(FlaskForm):
    """A reader asks for a copy or an erasure of the data held about their address."""

    email = EmailField(_l("Email address"), filters=[stripped], validators=EMAIL_FIELD_VALIDATORS)
    kind = RadioField(_l("What would you like?"), choices=KIND_CHOICES, default="export",
                      validators=[DataRequired(_l("Please choose what you would like."))])
    erase_text = BooleanField(_l("Also remove the text of my comments"))
    submit = SubmitField(_l("Send me a link"))


class ConfirmErasureForm(FlaskForm):
    """The erasure link's button: a POST with CSRF, so opening the link erases nothing."""

    submit = SubmitField(_l("Erase my data"))


class AdminPrivacyForm(FlaskForm):
    """The owner runs an export or an erasure for an address; an erasure needs its box ticked."""

    email = EmailField(_l("Email address"), filters=[stripped], validators=EMAIL_FIELD_VALIDATORS)
    kind = RadioField(_l("Action"), choices=ADMIN_KIND_CHOICES, default="export",
                      validators=[DataRequired(_l("Please choose an action."))])
    erase_text = BooleanField(_l("Also remove the text of the comments (held ones keep theirs)"))
    confirm = BooleanField(_l("Yes, erase: this cannot be undone"))
    submit = SubmitField(_l("Run"))

    def validate_confirm(self, field) -> None:
        if self.kind.data == "erase" and not field.data:
            raise ValidationError(_("Tick the box to confirm the erasure."))
