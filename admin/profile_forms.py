"""The profile screen's forms: one per section, each its own CSRF-protected POST."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from auth.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from auth.profile_services import nicename_problem
from core.clean_input import stripped

BIO_MAX = 5000


class AboutForm(FlaskForm):
    display_name = StringField("Display name", filters=[stripped], description="Shown on your posts and comments.",
                               validators=[DataRequired("Enter the name to show on your posts and comments."),
                                           Length(max=250)])
    nicename = StringField("Author slug", filters=[stripped],
                           description="Your public author address: lowercase letters, digits and hyphens.")
    bio = TextAreaField("Biographical info", filters=[stripped], validators=[Length(max=BIO_MAX)],
                        description="A little about yourself, shown with your posts.")
    submit = SubmitField("Update profile")

    def validate_nicename(self, field):
        problem = nicename_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)


class EmailForm(FlaskForm):
    email = EmailField("New email address", filters=[stripped],
                       validators=[DataRequired("Enter the new email address."),
                                   Email("Enter a valid email address."), Length(max=100)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField("Send confirmation link")


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[Length(max=MAX_PASSWORD_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        "New password", render_kw={"autocomplete": "new-password"},
        validators=[DataRequired("Enter the new password."),
                    Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
                           message=f"Use at least {MIN_PASSWORD_LENGTH} characters.")])
    confirm_password = PasswordField("Repeat new password", render_kw={"autocomplete": "new-password"},
                                     validators=[EqualTo("new_password", "The two new passwords differ.")])
    submit = SubmitField("Change password")


class ButtonForm(FlaskForm):
    """A POST-only button (link a provider, unlink one, confirm the new address): carries CSRF."""

    submit = SubmitField()
