"""Forms of the log-in pages; every POST carries Flask-WTF's CSRF token."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from core.clean_input import stripped
from core.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter a valid email address.")),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()
    submit = SubmitField(_l("Log In"))


class LogoutForm(FlaskForm):
    next = HiddenField()
    submit = SubmitField(_l("Log Out"))


class LogOutEverywhereForm(FlaskForm):
    submit = SubmitField(_l("Log out all sessions"))


class ChooseNameForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter the name to show on your comments.")), Length(max=250)],
        render_kw={"autocomplete": "name"},
    )
    next = HiddenField()
    submit = SubmitField(_l("Save and continue"))
