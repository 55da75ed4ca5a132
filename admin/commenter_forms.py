"""The commenter page's forms: one per way a commenter is known (account, email, IP address)."""

from datetime import date, datetime, time, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError

from blog.permalinks import blog_timezone
from core.clean_input import stripped
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l

NOTE_MAX = 2000
LEVEL_CHOICES = [
    ("", _l("No restriction")),
    ("trusted", _l("Trusted: skips the link limit and the spam checks")),
    ("hold", _l("Always hold for moderation")),
    ("suspended", _l("Suspended until a date")),
    ("banned", _l("Banned")),
    ("shadow", _l("Shadow-banned: only they see their comments")),
]
LEVEL_NAMES = {"trusted": _l("Trusted"), "hold": _l("Always hold"), "suspended": _l("Suspended"),
               "banned": _l("Banned"), "shadow": _l("Shadow-banned"), "none": _l("No restriction")}


def _needed_for_a_suspension(form, field) -> None:
    """The date matters only for a suspension, which cannot go without one."""
    if form.level.data != "suspended":
        field.errors[:] = []  # a stray date under another rung is ignored, not refused
        raise StopValidation()
    if not "".join(field.raw_data or []).strip():
        field.errors[:] = []
        raise StopValidation(_("A suspension needs the last day it lasts."))


def _today() -> date:
    return utcnow().astimezone(blog_timezone()).date()


class StandingForm(FlaskForm):
    """Put one of the commenter's keys on a rung; built with prefix=<kind> so three fit on a page."""

    level = SelectField(_l("Rung"), choices=LEVEL_CHOICES, default="")
    until = DateField(_l("Suspended until (the last day)"), validators=[_needed_for_a_suspension],
                      description=_l("Required for a suspension: they may comment again the day after."))
    note = TextAreaField(_l("Moderator's note"), filters=[stripped], validators=[Length(max=NOTE_MAX)])
    submit = SubmitField(_l("Save"))

    def validate_until(self, field):
        if field.data is not None and field.data < _today():
            raise ValidationError(_("Choose a day from today on: that day is already over."))

    def until_moment(self) -> datetime | None:
        """When the suspension ends: the start of the day after the chosen one, in the blog's time zone."""
        if self.level.data != "suspended" or self.until.data is None:
            return None
        return datetime.combine(self.until.data + timedelta(days=1), time(), tzinfo=blog_timezone())


def until_day(until: datetime | None) -> date | None:
    """The last day of a suspension ending at `until`, as the form shows it."""
    if until is None:
        return None
    return (until - timedelta(microseconds=1)).astimezone(blog_timezone()).date()
