"""Forms of the "Your data" pages and of the admin's Privacy screen."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, SubmitField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from core.clean_input import stripped

KIND_CHOICES = [("export", "Send me a copy of my data"), ("erase", "Erase my data")]
ADMIN_KIND_CHOICES = [("export", "Download everything stored about this address"),
                      ("erase", "Erase everything stored about this address")]
EMAIL_FIELD_VALIDATORS = [DataRequired("Please enter your email address."), Length(max=254),
                          Email("Please enter a valid email address.")]


class DataRequestForm(FlaskForm):
    """A reader asks for a copy or an erasure of the data held about their address."""

    email = EmailField("Email address", filters=[stripped], validators=EMAIL_FIELD_VALIDATORS)
    kind = RadioField("What would you like?", choices=KIND_CHOICES, default="export",
                      validators=[DataRequired("Please choose what you would like.")])
    erase_text = BooleanField("Also remove the text of my comments")
    submit = SubmitField("Send me a link")


class ConfirmErasureForm(FlaskForm):
    """The erasure link's button: a POST with CSRF, so opening the link erases nothing."""

    submit = SubmitField("Erase my data")


class AdminPrivacyForm(FlaskForm):
    """The owner runs an export or an erasure for an address; an erasure needs its box ticked."""

    email = EmailField("Email address", filters=[stripped], validators=EMAIL_FIELD_VALIDATORS)
    kind = RadioField("Action", choices=ADMIN_KIND_CHOICES, default="export",
                      validators=[DataRequired("Please choose an action.")])
    erase_text = BooleanField("Also remove the text of the comments (held ones keep theirs)")
    confirm = BooleanField("Yes, erase: this cannot be undone")
    submit = SubmitField("Run")

    def validate_confirm(self, field) -> None:
        if self.kind.data == "erase" and not field.data:
            raise ValidationError("Tick the box to confirm the erasure.")
