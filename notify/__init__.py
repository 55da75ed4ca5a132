from flask import Blueprint, Flask

bp = Blueprint("notify", __name__)

from notify import views  # noqa: E402,F401  (routes register on bp)


def init_app(app: Flask) -> None:
    """Install mail on an app: the comment form's subscription boxes, the receivers of blog's
    signals, sending as the worker's pass, and the development worker thread when it is configured."""
    from blog.forms import add_comment_form_section
    from core.worker import add_pass
    from notify import background, receivers, sender
    from notify.forms import SubscribeFields

    add_comment_form_section(app, SubscribeFields)
    receivers.connect(app)
    add_pass(app, sender.mail_pass)
    if app.config["MAIL_IMAP_HOST"]:  # replies read from a mailbox; imported only then (lxml and all)
        from notify.inbound.imap import poll_mailbox

        add_pass(app, poll_mailbox)
    background.init_app(app)  # only arranges it: the thread starts on the first request
