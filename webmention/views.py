"""The Webmention endpoint (W3C Webmention, "Receiving Webmentions")."""

from flask import Response, current_app, request

from core.clean_input import without_nul
from extensions import csrf, limiter
from webmention import bp
from webmention.receive import MentionRefused, receive


def _text(message: str, status: int) -> Response:
    """A plain-text answer: senders are programs, and show it to their user as it is."""
    return Response(message + "\n", status=status, mimetype="text/plain")


@bp.post("/webmention")
@csrf.exempt  # other sites post here; nothing a browser session could be tricked into
@limiter.limit(lambda: current_app.config["WEBMENTION_RATE_LIMIT"])
def endpoint():
    """Take a mention (form fields source and target) for verifying later; any site may call."""
    source = without_nul(request.form.get("source", "")).strip()
    target = without_nul(request.form.get("target", "")).strip()
    try:
        receive(source, target, request.remote_addr or "")
    except MentionRefused as refused:
        return _text(str(refused), 400)
    return _text("Accepted: the mention will be verified shortly.", 202)


@bp.get("/webmention")
def not_here():
    """Say that mentions are POSTed (a 405, not the redirect a page's address would get); anyone may call."""
    response = _text("Send a Webmention as a POST with the form fields source and target.", 405)
    response.headers["Allow"] = "POST"
    return response
