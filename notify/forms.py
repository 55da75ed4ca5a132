"""Forms of the notify pages, and the subscription fields the comment form adds."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from auth.services import current_identity
from core.clean_input import DatabaseIntegerField
from core.i18n import gettext as _
from core.i18n import lazy_gettext as _l
from core.i18n import pgettext

COMMENT_DELIVERY_CHOICES = [
    ("instant", _l("Instantly")),
    ("daily", _l("Daily digest")),
    ("weekly", _l("Weekly digest")),
    ("replies", _l("Only replies to my comment")),
]
POST_DELIVERY_CHOICES = [("instant", _l("Instantly")), ("daily", _l("Daily")), ("weekly", _l("Weekly"))]


def delivery_word(delivery: str) -> str:
    """A subscription's stored delivery as its mails name it, in brackets after what it follows."""
    words = {
        "instant": pgettext("subscription delivery", "instant"),
        "daily": pgettext("subscription delivery", "daily"),
        "weekly": pgettext("subscription delivery", "weekly"),
    }
    return words.get(delivery, delivery)


class ActionForm(FlaskForm):
    """A single button that carries CSRF: confirm, moderate, unsubscribe."""

    submit = SubmitField(_l("Confirm"))


class CancelSubscriptionForm(FlaskForm):
    subscription_id = DatabaseIntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1)])
    submit = SubmitField(_l("Cancel"))


class SubscribeFields:
    """The comment form's subscription boxes, added to it by notify.init_app (blog.forms).

    Matches templates/notify/_subscribe_fields.html; subscription_choices() reaches
    notify.services.subscribe_after_comment through blog's comment_submitted signal.
    """

    subscribe_comments = BooleanField(_l("Notify me of new comments via email."))
    comments_delivery = SelectField(
        _l("Comment emails"), choices=COMMENT_DELIVERY_CHOICES, default="instant"
    )
    subscribe_blog = BooleanField(_l("Notify me of new posts via email."))
    posts_delivery = SelectField(_l("Post emails"), choices=POST_DELIVERY_CHOICES, default="instant")

    def validate_subscribe_comments(self, field):
        self._need_an_address(field)

    def validate_subscribe_blog(self, field):
        if not self.subscribe_comments.data:  # one message is enough when both boxes are ticked
            self._need_an_address(field)

    def _need_an_address(self, field) -> None:
        """A ticked box needs an address to mail: refused plainly rather than dropped in silence."""
        if not field.data:
            return
        if current_user.is_authenticated:
            identity = current_identity()
            if not ((identity and identity.email) or current_user.email):
                raise ValidationError(_("Your account has no email address, so we cannot send you notifications. "
                                        "Untick the box, or log in with an account that has an email address."))
        elif not getattr(self, "require_name_email", True) and not self.email.data:  # else the email field asks
            raise ValidationError(_("Please enter your email address above so that we can send you notifications."))

    def subscription_choices(self) -> dict[str, str | None] | None:
        """What the boxes ask to follow, None when neither is ticked."""
        if not (self.subscribe_comments.data or self.subscribe_blog.data):
            return None
        return {
            "comments": self.comments_delivery.data if self.subscribe_comments.data else None,
            "posts": self.posts_delivery.data if self.subscribe_blog.data else None,
        }
