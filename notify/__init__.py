from flask import Blueprint, Flask

bp = Blueprint("notify", __name__)

from notify import views  # noqa: E402,F401  (routes register on bp)


def init_app(app: Flask) -> None:
    """Install mail on an app: the comment form's subscription boxes, the receivers of blog's
    signals, and the development sender thread when it is configured."""
    from blog.forms import add_comment_form_section
    from notify import background, receivers
    from notify.forms import SubscribeFields

    add_comment_form_section(app, SubscribeFields)
    receivers.connect(app)
    background.init_app(app)  # only arranges it: the thread starts on the first request
