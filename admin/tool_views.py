"""Tools -> Import and Tools -> Export: WordPress files in and out; admins only (bp guard)."""

from flask import Response, current_app, render_template, request, stream_with_context
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from admin import bp
from admin.forms import WXRExportForm, WXRImportForm
from admin.queries import comment_counts, post_counts
from blog.wxr.exporter import export_filename, iter_wxr

IMPORT_ENDPOINT = "admin.tools_import"


@bp.url_value_preprocessor
def limit_upload_size(endpoint: str | None, _values) -> None:
    """Cap the import upload; this runs before every before_request (CSRF reads the form there)."""
    if endpoint == IMPORT_ENDPOINT:
        request.max_content_length = current_app.config["WXR_UPLOAD_MAX_BYTES"]


@bp.route("/tools/import", methods=["GET", "POST"])
def tools_import():
    """Upload a WordPress export (WXR) and import it in one transaction; show what was done."""
    form = WXRImportForm()
    report = error = None
    if form.validate_on_submit():
        # Here, not at the top: the importer's lxml (~5 MB) should not sit in every web worker.
        from blog.wxr.importer import import_wxr
        from blog.wxr.reader import WXRError

        try:
            report = import_wxr(
                form.file.data.stream,
                orphans="top-level" if form.orphans_top_level.data else "error",
            )
        except WXRError as exc:
            error = exc
        current_app.logger.info(
            "WXR import of %r by user %s: %s",
            form.file.data.filename,
            current_user.id,
            error or " ".join(report.summary()[:1]),
        )
    status = 400 if form.errors or error else 200
    return _import_page(form, report=report, error=error), status


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """An upload over the limit: the import page says so (413); elsewhere, the plain error page."""
    if request.endpoint != IMPORT_ENDPOINT or not (
        current_user.is_authenticated and current_user.is_admin
    ):
        return render_template("errors/error.html", error=error), 413
    return _import_page(WXRImportForm(formdata=None), too_large=True), 413


def _import_page(form: WXRImportForm, **context) -> str:
    limit = current_app.config["WXR_UPLOAD_MAX_BYTES"]
    return render_template("admin/tools_import.html", form=form, limit=limit, **context)


@bp.get("/tools/export")
def tools_export():
    """What an export holds, and the download button."""
    return render_template(
        "admin/tools_export.html",
        form=WXRExportForm(),
        posts=post_counts(),
        comments=comment_counts(),
        filename=export_filename(),
    )


@bp.get("/tools/export/download")
def tools_export_download():
    """The blog as a WXR 1.2 file, streamed as an attachment; it reads only, hence a GET."""
    form = WXRExportForm(request.args)
    body = stream_with_context(iter_wxr(include_spam=bool(form.include_spam.data)))
    response = Response(body, content_type="text/xml; charset=UTF-8")
    response.headers.set("Content-Disposition", "attachment", filename=export_filename())
    response.headers["Cache-Control"] = "no-store"
    return response
