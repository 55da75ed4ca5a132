"""The comment form, with WordPress's field names and length limits, and the sections other parts add."""

from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import format_number
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation, ValidationError

from core.clean_input import DatabaseIntegerField, stripped
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_ngettext

NAME_MAX, EMAIL_MAX, URL_MAX, COMMENT_MAX = 245, 100, 200, 65525


def shown_number(number: int) -> LazyString:
    """`number` as the language of the page that shows it writes it ("65,525" in English)."""
    return LazyString(format_number, number)


COMMENT_TOO_LONG = lazy_ngettext("Your comment is too long (at most %(max)s character).",
                                 "Your comment is too long (at most %(max)s characters).",
                                 COMMENT_MAX, max=shown_number(COMMENT_MAX))
NAME_TOO_LONG = lazy_ngettext("Your name is too long (at most %(max)s character).",
                              "Your name is too long (at most %(max)s characters).",
                              NAME_MAX, max=shown_number(NAME_MAX))
EMAIL_TOO_LONG = lazy_ngettext("Your email is too long (at most %(max)s character).",
                               "Your email is too long (at most %(max)s characters).",
                               EMAIL_MAX, max=shown_number(EMAIL_MAX))
URL_TOO_LONG = lazy_ngettext("Your website address is too long (at most %(max)s character).",
                             "Your website address is too long (at most %(max)s characters).",
                             URL_MAX, max=shown_number(URL_MAX))


def required_for_guests(message: LazyString):
    """Required when the blog asks guests for name and email; otherwise optional."""

    def check(form, field):
        if not field.data:
            raise StopValidation(message if form.require_name_email else "")

    return check


class CommentForm(FlaskForm):
    """Leave a Reply. Guests give name and email when the blog requires them."""

    comment = TextAreaField(
        _l("Comment"),
        filters=[stripped],
        validators=[DataRequired(_l("Please type your comment.")), Length(max=COMMENT_MAX, message=COMMENT_TOO_LONG)],
    )
    author = StringField(
        _l("Name"), filters=[stripped],
        validators=[required_for_guests(_l("Please enter your name.")), Length(max=NAME_MAX, message=NAME_TOO_LONG)],
    )
    email = StringField(
        _l("Email"), filters=[stripped],
        validators=[required_for_guests(_l("Please enter your email address.")),
                    Length(max=EMAIL_MAX, message=EMAIL_TOO_LONG),
                    Email(_l("Please enter a valid email address."))],
    )
    url = StringField(_l("Website"), filters=[stripped], validators=[Length(max=URL_MAX, message=URL_TOO_LONG)])
    comment_parent = DatabaseIntegerField(default=0, validators=[Optional()])
    # Hidden from people by CSS; bots that fill every field mark their comment as spam.
    hp_website = StringField(_l("Leave this field empty"), filters=[stripped])
    remember = BooleanField(_l("Save my name, email, and website in this browser for the next time I comment."))
    # Asked only when Discussion settings' comment_privacy_consent is on (require_privacy_consent).
    privacy_consent = BooleanField(_l("I agree to the privacy policy"))
    comment_post_ID = HiddenField()

    def __init__(self, *args, require_name_email: bool = True, require_privacy_consent: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_name_email = require_name_email
        self.require_privacy_consent = require_privacy_consent

    def validate_url(self, field):
        if not field.data:
            return
        if "://" not in field.data:
            field.data = "http://" + field.data  # WordPress accepts "example.com"
        try:
            parts = urlsplit(field.data)
        except ValueError:  # a malformed address such as "http://[x": refused like any other
            parts = None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in field.data:
            raise ValidationError(_("Please enter a web address starting with http:// or https://."))

    def validate_privacy_consent(self, field):
        if self.require_privacy_consent and not field.data:
            raise ValidationError(_("Please tick “I agree to the privacy policy” to post your comment."))

    def validate_comment_parent(self, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(_("That is not a comment you can reply to."))

    def subscription_choices(self) -> dict | None:
        """What the commenter asked to follow; a section added by another part (notify) answers."""
        return None


def add_comment_form_section(app: Flask, section: type) -> None:
    """Let a part add fields to this app's comment form (notify: the subscription boxes).

    The section is a mixin class of fields and validators; the app's form class puts it before
    CommentForm, so its methods (subscription_choices) answer for the form.
    """
    form_class = app.extensions.get("comment_form", CommentForm)
    if not issubclass(form_class, section):
        app.extensions["comment_form"] = type("CommentForm", (section, form_class), {})


def comment_form(**kwargs) -> CommentForm:
    """The current app's comment form, with the sections its parts added."""
    return current_app.extensions.get("comment_form", CommentForm)(**kwargs)


class OwnCommentEditForm(FlaskForm):
    """A commenter's edit of their own comment; `seen` is what the form was shown (refuses a race)."""

    comment = TextAreaField(
        _l("Your comment"), filters=[stripped],
        validators=[DataRequired(_l("Please type your comment; to take it back, delete it instead.")),
                    Length(max=COMMENT_MAX, message=COMMENT_TOO_LONG)])
    seen = HiddenField(validators=[DataRequired()])


class OwnCommentDeleteForm(FlaskForm):
    """Confirms a commenter's deletion of their own comment."""

    seen = HiddenField(validators=[DataRequired()])
