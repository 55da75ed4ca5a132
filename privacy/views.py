"""The "Your data" page and the pages its mailed links open (export, erasure).

Every link is signed, names one request and expires; a GET shows, the erasure itself is a POST.
"""

from flask import Response, render_template, request, stream_with_context

from core.i18n import gettext as _
from core.i18n import ngettext
from extensions import db, limiter
from notify.tokens import BadLink
from privacy import bp, personal_data, requests
from privacy.forms import ConfirmErasureForm, DataRequestForm

# A stranger can repeat the form: per client address, and per email address asked about.
LIMIT_PER_IP = "5 per 10 minutes; 20 per day"
LIMIT_PER_ADDRESS = "3 per hour; 6 per day"
# The answer to the form in English, whether the address is known or not; the page shows it translated.
SAME_ANSWER = "If we hold data for this address, a link is on its way. It works for 24 hours."


def _too_many() -> str:
    """The rate limits' message, in the reader's language when the limit is hit."""
    return _("Too many requests. Please try again later.")


def _address_key() -> str:
    return "privacy-address:" + personal_data.email_hash(request.form.get("email", ""))


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # a person's data: never kept by a browser or a proxy
    return response


@bp.errorhandler(BadLink)
def _bad_link(error: BadLink):
    page = render_template("privacy/message.html", title=_("This link cannot be used"), message=str(error))
    return _private(Response(page, error.status))


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(LIMIT_PER_IP, methods=["POST"], error_message=_too_many)
@limiter.limit(LIMIT_PER_ADDRESS, methods=["POST"], key_func=_address_key, error_message=_too_many)
def your_data():
    """Anyone asks for a copy or an erasure of their data; the answer never tells whether the
    address is known."""
    form = DataRequestForm()
    if form.validate_on_submit():
        requests.ask_by_mail(form.email.data, form.kind.data, form.erase_text.data)
        db.session.commit()
        answer = ngettext("If we hold data for this address, a link is on its way. It works for %(num)d hour.",
                          "If we hold data for this address, a link is on its way. It works for %(num)d hours.",
                          requests.LINK_MAX_AGE // 3600)
        return render_template("privacy/message.html", title=_("Check your mail"), message=answer)
    return render_template("privacy/your_data.html", form=form), 400 if form.errors else 200


@bp.get("/export/<token>")
def export(token: str):
    """The export link: confirms the request and offers the data as JSON and as a page."""
    request_row = requests.request_named_by(token, "export")
    requests.confirm(request_row)
    db.session.commit()
    return _private(Response(render_template("privacy/export_ready.html", token=token)))


@bp.get("/export/<token>/<any(json, html):fmt>")
def export_download(token: str, fmt: str):
    """The data itself, streamed; the first download finishes the request."""
    request_row = requests.request_named_by(token, "export")
    requests.mark_downloaded(request_row, fmt)
    email = request_row.email or ""
    db.session.commit()
    return _private(data_response(email, personal_data.account_ids(email), fmt))


def data_response(email: str, user_ids: list[int], fmt: str) -> Response:
    """A streamed JSON download or HTML page of the data about the address; also the admin's."""
    if fmt == "json":
        response = Response(stream_with_context(personal_data.export_json(email, user_ids)),
                            mimetype="application/json")
        response.headers["Content-Disposition"] = 'attachment; filename="personal-data.json"'
        return response
    return Response(stream_with_context(personal_data.export_html(email, user_ids)), mimetype="text/html")


@bp.route("/erase/<token>", methods=["GET", "POST"])
def erase(token: str):
    """The erasure link: a page with the button; the POST erases once."""
    request_row = requests.request_named_by(token, "erase")
    if request_row.status == "done":
        raise BadLink(str(requests.ALREADY_USED), 410)
    form = ConfirmErasureForm()
    if form.validate_on_submit():
        erasure = requests.erase_by_link(request_row)
        db.session.commit()
        return _private(Response(render_template("privacy/erased.html", outcome=erasure.summary())))
    requests.confirm(request_row)
    db.session.commit()
    page = render_template("privacy/erase.html", form=form, erase_text=request_row.erase_text)
    return _private(Response(page))
