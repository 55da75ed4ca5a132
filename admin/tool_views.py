"""Tools -> Import and Tools -> Export: WordPress files in and out, for who may move the whole blog."""

from flask import (
    Response,
    current_app,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from admin import bp, may_open, requires
from admin.forms import WXRExportForm, WXRImportForm
from admin.queries import comment_counts, post_counts
from auth.roles import IMPORT_EXPORT
from extensions import db
from wordpress.wxr.exporter import export_filename, iter_wxr
from wordpress.wxr.jobs import ImportJob, queue_import
from wordpress.wxr.report import already_here

IMPORT_ENDPOINT = "admin.tools_import"
JOB_PAGE_REFRESH_SECONDS = 2


@bp.url_value_preprocessor
def limit_upload_size(endpoint: str | None, _values) -> None:
    """Cap the import upload; this runs before every before_request (CSRF reads the form there)."""
    if endpoint == IMPORT_ENDPOINT:
        request.max_content_length = current_app.config["WXR_UPLOAD_MAX_BYTES"]


@bp.route("/tools/import", methods=["GET", "POST"])
@requires(IMPORT_EXPORT)
def tools_import():
    """Upload a WordPress export (WXR): saved and queued for the worker, then its progress page."""
    form = WXRImportForm()
    if not form.validate_on_submit():
        return _import_page(form), 400 if form.errors else 200
    orphans = "top-level" if form.orphans_top_level.data else "error"
    job = queue_import(form.file.data, orphans, current_user.id)
    current_app.logger.info(
        "WXR import job %s queued: %r (%s bytes) by user %s",
        job.id,
        job.filename,
        job.bytes_total,
        current_user.id,
    )
    return redirect(url_for("admin.tools_import_job", job_id=job.id), 303)


@bp.get("/tools/import/<int:job_id>")
@requires(IMPORT_EXPORT)
def tools_import_job(job_id: int):
    """An import's progress (the page reloads itself until it ends) and then its result."""
    job = db.get_or_404(ImportJob, job_id)
    page = render_template(
        "admin/tools_import_job.html",
        job=job,
        progress=None if job.finished else job.progress(),
        already_here=already_here((job.report or {}).get("existing", {})),
        refresh_seconds=JOB_PAGE_REFRESH_SECONDS,
    )
    # The admin layout has no head block: the header does what the page's meta tag says.
    headers = {} if job.finished else {"Refresh": str(JOB_PAGE_REFRESH_SECONDS)}
    return page, 200, headers


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """An upload over the limit: the import page says so (413); elsewhere, the plain error page."""
    if request.endpoint != IMPORT_ENDPOINT or not may_open(current_user, IMPORT_ENDPOINT):
        return render_template("errors/error.html", error=error), 413
    return _import_page(WXRImportForm(formdata=None), too_large=True), 413


def _import_page(form: WXRImportForm, **context) -> str:
    limit = current_app.config["WXR_UPLOAD_MAX_BYTES"]
    return render_template("admin/tools_import.html", form=form, limit=limit, **context)


@bp.get("/tools/export")
@requires(IMPORT_EXPORT)
def tools_export():
    """What an export holds, and the download button."""
    return render_template(
        "admin/tools_export.html",
        form=WXRExportForm(),
        posts=post_counts(current_user),
        comments=comment_counts(current_user),
        filename=export_filename(),
    )


@bp.get("/tools/export/download")
@requires(IMPORT_EXPORT)
def tools_export_download():
    """The blog as a WXR 1.2 file, streamed as an attachment; it reads only, hence a GET."""
    form = WXRExportForm(request.args)
    body = stream_with_context(iter_wxr(include_spam=bool(form.include_spam.data)))
    response = Response(body, content_type="text/xml; charset=UTF-8")
    response.headers.set("Content-Disposition", "attachment", filename=export_filename())
    response.headers["Cache-Control"] = "no-store"
    return response
