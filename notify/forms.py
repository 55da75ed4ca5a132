"""Forms of the notify pages, and the subscription fields the comment form adds."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from clean_input import DatabaseIntegerField

COMMENT_DELIVERY_CHOICES = [
    ("instant", "Instantly"),
    ("daily", "Daily digest"),
    ("weekly", "Weekly digest"),
    ("replies", "Only replies to my comment"),
]
POST_DELIVERY_CHOICES = [("instant", "Instantly"), ("daily", "Daily"), ("weekly", "Weekly")]


class ActionForm(FlaskForm):
    """A single button that carries CSRF: confirm, moderate, unsubscribe."""

    submit = SubmitField("Confirm")


class CancelSubscriptionForm(FlaskForm):
    subscription_id = DatabaseIntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1)])
    submit = SubmitField("Cancel")


class SubscribeFields:
    """Mix into the comment form: class CommentForm(SubscribeFields, FlaskForm).

    Matches templates/notify/_subscribe_fields.html; pass subscription_choices() to
    notify.services.subscribe_after_comment.
    """

    subscribe_comments = BooleanField("Notify me of new comments via email.")
    comments_delivery = SelectField(
        "Comment emails", choices=COMMENT_DELIVERY_CHOICES, default="instant"
    )
    subscribe_blog = BooleanField("Notify me of new posts via email.")
    posts_delivery = SelectField("Post emails", choices=POST_DELIVERY_CHOICES, default="instant")

    def subscription_choices(self) -> dict[str, str | None]:
        return {
            "comments": self.comments_delivery.data if self.subscribe_comments.data else None,
            "posts": self.posts_delivery.data if self.subscribe_blog.data else None,
        }
