"""Forms of the log-in pages; every POST carries Flask-WTF's CSRF token."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from core.clean_input import stripped


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter a valid email address."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Remember me")
    next = HiddenField()
    submit = SubmitField("Log In")


class LogoutForm(FlaskForm):
    next = HiddenField()
    submit = SubmitField("Log Out")


class LogOutEverywhereForm(FlaskForm):
    submit = SubmitField("Log out all sessions")


class ChooseNameForm(FlaskForm):
    display_name = StringField(
        "Your name",
        filters=[stripped],
        validators=[DataRequired("Enter the name to show on your comments."), Length(max=250)],
        render_kw={"autocomplete": "name"},
    )
    next = HiddenField()
    submit = SubmitField("Save and continue")
