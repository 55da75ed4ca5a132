"""The profile screen's forms: one per section, each its own CSRF-protected POST."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from auth.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from auth.profile_services import nicename_problem
from core.clean_input import stripped
from core.i18n import language_choices, lazy_ngettext, site_language
from core.i18n import lazy_gettext as _l

BIO_MAX = 5000


class AboutForm(FlaskForm):
    display_name = StringField(_l("Display name"), filters=[stripped],
                               description=_l("Shown on your posts and comments."),
                               validators=[DataRequired(_l("Enter the name to show on your posts and comments.")),
                                           Length(max=250)])
    nicename = StringField(_l("Author slug"), filters=[stripped],
                           description=_l("Your public author address: lowercase letters, digits and hyphens."))
    bio = TextAreaField(_l("Biographical info"), filters=[stripped], validators=[Length(max=BIO_MAX)],
                        description=_l("A little about yourself, shown with your posts."))
    language = SelectField(_l("Language"),
                           description=_l("The admin screens, and the mails the blog sends you, are in this language."))
    submit = SubmitField(_l("Update profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        site = dict(language_choices()).get(site_language(), site_language())
        self.language.choices = [("", _l("Site language (%(language)s)", language=site)), *language_choices()]
        if self.language.data is None:
            self.language.data = ""

    def validate_nicename(self, field):
        problem = nicename_problem(field.data) if field.data else None
        if problem:
            raise ValidationError(problem)


class EmailForm(FlaskForm):
    email = EmailField(_l("New email address"), filters=[stripped],
                       validators=[DataRequired(_l("Enter the new email address.")),
                                   Email(_l("Enter a valid email address.")), Length(max=100)],
                       render_kw={"autocomplete": "email"})
    submit = SubmitField(_l("Send confirmation link"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[Length(max=MAX_PASSWORD_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(
        _l("New password"), render_kw={"autocomplete": "new-password"},
        validators=[DataRequired(_l("Enter the new password.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
                           message=lazy_ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.",
                                                 MIN_PASSWORD_LENGTH))])
    confirm_password = PasswordField(_l("Repeat new password"), render_kw={"autocomplete": "new-password"},
                                     validators=[EqualTo("new_password", _l("The two new passwords differ."))])
    submit = SubmitField(_l("Change password"))


class ButtonForm(FlaskForm):
    """A POST-only button (link a provider, unlink one, confirm the new address): carries CSRF."""

    submit = SubmitField()
