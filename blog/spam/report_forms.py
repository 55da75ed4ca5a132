"""The form a reader reports a comment with."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from blog.forms import EMAIL_MAX, EMAIL_TOO_LONG, NAME_MAX, NAME_TOO_LONG, shown_number
from blog.spam.reports import EXPLANATION_MAX, ILLEGAL_NEEDS_EXPLANATION, ILLEGAL_NEEDS_GOOD_FAITH, REASON_LABELS
from core.clean_input import stripped
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_ngettext


class ReportForm(FlaskForm):
    """Report a comment: a reason, an explanation (required for illegal content), and optionally a
    name and an email to hear the outcome at."""

    reason = RadioField(_l("Why should a moderator look at this comment?"), choices=list(REASON_LABELS.items()),
                        validators=[InputRequired(_l("Please choose a reason."))])
    explanation = TextAreaField(
        _l("Explanation"), filters=[stripped],
        validators=[Length(max=EXPLANATION_MAX, message=lazy_ngettext(
            "Your explanation is too long (at most %(max)s character).",
            "Your explanation is too long (at most %(max)s characters).",
            EXPLANATION_MAX, max=shown_number(EXPLANATION_MAX)))])
    good_faith = BooleanField(_l("I confirm in good faith that the explanation and the information in this "
                                 "report are accurate and complete."))
    name = StringField(_l("Name (optional)"), filters=[stripped], validators=[
        Length(max=NAME_MAX, message=NAME_TOO_LONG)])
    email = EmailField(_l("Email (optional)"), filters=[stripped], validators=[
        Optional(), Length(max=EMAIL_MAX, message=EMAIL_TOO_LONG),
        Email(_l("Please enter a valid email address, or leave the field empty."))])

    def validate_explanation(self, field) -> None:
        if self.reason.data == "illegal" and not field.data:
            raise ValidationError(_(ILLEGAL_NEEDS_EXPLANATION))

    def validate_good_faith(self, field) -> None:
        if self.reason.data == "illegal" and not field.data:
            raise ValidationError(_(ILLEGAL_NEEDS_GOOD_FAITH))

