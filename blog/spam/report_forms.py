"""The form a reader reports a comment with."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from blog.spam.reports import EXPLANATION_MAX, ILLEGAL_NEEDS_EXPLANATION, ILLEGAL_NEEDS_GOOD_FAITH, REASON_LABELS
from core.clean_input import stripped

NAME_MAX, EMAIL_MAX = 245, 100


class ReportForm(FlaskForm):
    """Report a comment: a reason, an explanation (required for illegal content), and optionally a
    name and an email to hear the outcome at."""

    reason = RadioField("Why should a moderator look at this comment?", choices=list(REASON_LABELS.items()),
                        validators=[InputRequired("Please choose a reason.")])
    explanation = TextAreaField(
        "Explanation", filters=[stripped],
        validators=[Length(max=EXPLANATION_MAX,
                           message=f"Your explanation is too long (at most {EXPLANATION_MAX:,} characters).")])
    good_faith = BooleanField("I confirm in good faith that the explanation and the information in this "
                              "report are accurate and complete.")
    name = StringField("Name (optional)", filters=[stripped], validators=[
        Length(max=NAME_MAX, message=f"Your name is too long (at most {NAME_MAX} characters).")])
    email = EmailField("Email (optional)", filters=[stripped], validators=[
        Optional(), Length(max=EMAIL_MAX, message=f"Your email is too long (at most {EMAIL_MAX} characters)."),
        Email("Please enter a valid email address, or leave the field empty.")])

    def validate_explanation(self, field) -> None:
        if self.reason.data == "illegal" and not field.data:
            raise ValidationError(ILLEGAL_NEEDS_EXPLANATION)

    def validate_good_faith(self, field) -> None:
        if self.reason.data == "illegal" and not field.data:
            raise ValidationError(ILLEGAL_NEEDS_GOOD_FAITH)

