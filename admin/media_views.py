"""The Media Library: the images' grid and list, uploading (a form, and the editor's fetch), an image's
details, attaching and deleting; and Settings -> Media. Uploading needs UPLOAD_FILES; changing
someone else's image needs EDIT_OTHERS_POSTS too."""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from admin import bp, requires, tool_views
from admin.forms import ActionForm
from admin.media_forms import AltTextForm, MediaEditForm, MediaSettingsForm, UploadForm
from admin.media_queries import (
    TYPES,
    LibraryFilter,
    attachable_posts,
    author_names,
    library_query,
    post_titles,
    upload_months,
)
from auth.roles import EDIT_OTHERS_POSTS, MANAGE_OPTIONS, UPLOAD_FILES, may_edit_post
from blog.media import library
from blog.media.errors import ImageRefused
from blog.media.models import Media
from blog.models import Post
from blog.settings import get_settings, save_settings
from core.i18n import gettext as _
from core.negotiation import wants_json
from extensions import db, limiter

PER_PAGE = {"grid": 40, "list": 20}
UPLOAD_ENDPOINT = "admin.media_upload"
FORM_ALLOWANCE = 64 * 1024  # the multipart headers and the small fields beside the file


def too_many_uploads() -> str:
    """The upload limit's message (Flask-Limiter calls it when the limit is hit)."""
    return _("Too many uploads in a short time. Please wait a minute and try again.")


def _uploader_key() -> str:
    return f"media-upload:{current_user.get_id()}"


# Screens an upload starts from: they load Pillow, so that the upload itself need not (workers that
# serve only public pages never load it).
UPLOAD_SCREENS = {"admin.media_library", "admin.post_new", "admin.post_edit", "admin.page_new", "admin.page_edit"}


@bp.url_value_preprocessor
def limit_media_upload(endpoint: str | None, _values) -> None:
    """The upload's body may be as large as the Media setting allows; this runs before CSRF reads it."""
    if endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = library.max_upload_bytes() + FORM_ALLOWANCE
    elif endpoint in UPLOAD_SCREENS:
        import blog.media.images  # noqa: F401


# A blueprint holds one handler per error: importing tool_views above registers the Import screen's
# first, and this one, registered after it, hands every other endpoint on to it.
@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """413 for an upload: JSON for the editor's fetch, the error page naming the limit otherwise;
    other screens keep the handler the Import screen registered (one per blueprint)."""
    if request.endpoint != UPLOAD_ENDPOINT:
        return tool_views.upload_too_large(error)
    if wants_json():
        return jsonify(error=_too_large_message()), 413
    error.description = _("The file is larger than the %(mb)s MB limit. Nothing was saved.",
                          mb=get_settings()["media_max_upload_mb"])
    return render_template("errors/error.html", error=error), 413


def _too_large_message() -> str:
    return _("The file is larger than the %(mb)s MB limit.", mb=get_settings()["media_max_upload_mb"])


def _user():
    return current_user._get_current_object()


def may_change(user, media: Media) -> bool:
    """Uploaders change their own images; changing someone else's needs EDIT_OTHERS_POSTS too."""
    return user.can(UPLOAD_FILES) and (media.author_id == user.id or user.can(EDIT_OTHERS_POSTS))


def changeable_media(media_id: int) -> Media:
    """The image, if this user may change it: 404 when there is none, 403 when it is someone else's."""
    media = db.get_or_404(Media, media_id)
    if not may_change(_user(), media):
        abort(403)
    return media


def media_json(media: Media) -> dict:
    """The image as the upload and status endpoints answer it (the contract in the media design)."""
    return {"id": media.id, "status": media.status, "url": media.url(), "thumbnail": media.url("thumbnail"),
            "title": media.title, "alt_text": media.alt_text, "width": media.width, "height": media.height,
            "edit_url": url_for("admin.media_edit", media_id=media.id), "failure": media.error or None}


@bp.get("/media")
@requires(UPLOAD_FILES)
def media_library():
    """The library's images in a grid or a list, searched and filtered, with the upload form."""
    chosen = LibraryFilter.from_args(request.args)
    mode = "list" if request.args.get("mode") == "list" else "grid"
    page = db.paginate(library_query(chosen), page=request.args.get("paged", 1, type=int),
                       per_page=PER_PAGE[mode], error_out=False)
    user = _user()
    return render_template(
        "admin/media.html", page=page, chosen=chosen, mode=mode, types=TYPES, months=upload_months(),
        upload_form=UploadForm(formdata=None), max_mb=get_settings()["media_max_upload_mb"],
        posts=post_titles({m.post_id for m in page.items if m.post_id}),
        authors=author_names({m.author_id for m in page.items if m.author_id}),
        changeable={m.id for m in page.items if may_change(user, m)})


@bp.post("/media/upload")
@requires(UPLOAD_FILES)
@limiter.limit(lambda: current_app.config["MEDIA_UPLOAD_RATE_LIMIT"], key_func=_uploader_key,
               error_message=too_many_uploads)
def media_upload():
    """Store one uploaded image: JSON for the editor's fetch (201), else back to the library."""
    form = UploadForm()
    if not form.validate_on_submit():
        message = next(iter(form.errors.values()))[0]
        return _refused(str(message), 400)
    post_id = form.post_id.data
    if post_id is not None:
        post = db.session.get(Post, post_id)
        if post is None or not may_edit_post(_user(), post):
            return _refused(_("You cannot attach images to that post."), 403)
    upload = form.file.data
    data = upload.read()
    if len(data) > library.max_upload_bytes():
        return _refused(_too_large_message(), 413)
    try:
        media = library.upload(data, upload.filename or "", _user().id, post_id=post_id,
                               alt_text=form.alt_text.data or "")
    except ImageRefused as refusal:
        db.session.rollback()
        return _refused(str(refusal), 400)
    current_app.logger.info("media %s uploaded by user %s (%s bytes)", media.id, _user().id, len(data))
    if wants_json():
        return jsonify(media_json(media)), 201
    if media.status == "queued":
        flash(_("“%(name)s” was uploaded. Its sizes are being made.", name=media.original_name), "success")
    else:
        flash(_("“%(name)s” was uploaded.", name=media.original_name), "success")
    return redirect(url_for("admin.media_library"), 303)


def _refused(message: str, status: int):
    if wants_json():
        return jsonify(error=message), status
    flash(_("Upload failed: %(reason)s", reason=message), "error")
    return redirect(url_for("admin.media_library"), 303)


@bp.get("/media/<int:media_id>.json")
@requires(UPLOAD_FILES)
def media_status(media_id: int):
    """An image as JSON, for the editor to poll a queued upload until it is ready."""
    return jsonify(media_json(db.get_or_404(Media, media_id)))


@bp.route("/media/<int:media_id>/edit", methods=["GET", "POST"])
@requires(UPLOAD_FILES)
def media_edit(media_id: int):
    """An image's title, alt text, caption, description and post, for who may change it."""
    media = changeable_media(media_id)
    form = MediaEditForm(obj=media if request.method == "GET" else None)
    form.post_id.choices = [(0, _("(Unattached)")), *attachable_posts(_user(), media.post_id)]
    if request.method == "GET":
        form.post_id.data = media.post_id or 0
    if form.validate_on_submit():
        library.update_details(media, library.Details(form.title.data or "", form.alt_text.data or "",
                                                      form.caption.data or "", form.description.data or ""))
        if (form.post_id.data or None) != media.post_id:
            library.attach(media, db.session.get(Post, form.post_id.data) if form.post_id.data else None)
        flash(_("Media file updated."), "success")
        return redirect(url_for("admin.media_edit", media_id=media.id), 303)
    sizes = sorted((media.sizes or {}).items(), key=lambda item: item[1].get("width") or 0)
    return render_template("admin/media_edit.html", media=media, form=form, sizes=sizes,
                           author=author_names({media.author_id} if media.author_id else set()).get(media.author_id),
                           delete_form=ActionForm()), 400 if form.errors else 200


@bp.post("/media/<int:media_id>/alt")
@requires(UPLOAD_FILES)
def media_alt(media_id: int):
    """Set an image's alt text (the editor's question after an upload), for who may change it."""
    media = changeable_media(media_id)
    form = AltTextForm()
    if not form.validate_on_submit():
        return jsonify(error=str(next(iter(form.errors.values()))[0])), 400
    library.update_details(media, library.Details(media.title, form.alt_text.data or "", media.caption,
                                                  media.description))
    if wants_json():
        return jsonify(media_json(media))
    flash(_("Media file updated."), "success")
    return redirect(url_for("admin.media_edit", media_id=media.id), 303)


@bp.route("/media/<int:media_id>/delete", methods=["GET", "POST"])
@requires(UPLOAD_FILES)
def media_delete(media_id: int):
    """Delete an image and its files, after a confirmation page, for who may change it."""
    media = changeable_media(media_id)
    form = ActionForm()
    if form.validate_on_submit():
        name = media.title or media.original_name
        library.delete(media)
        flash(_("“%(name)s” was deleted.", name=name), "success")
        return redirect(url_for("admin.media_library"), 303)
    return render_template("admin/media_delete.html", media=media, form=form)


@bp.route("/settings/media", methods=["GET", "POST"])
@requires(MANAGE_OPTIONS)
def media_settings():
    """Settings -> Media: the largest upload and other image hosts (Administrators)."""
    form = MediaSettingsForm(data=get_settings() if request.method == "GET" else None)
    if form.validate_on_submit():
        save_settings({"media_max_upload_mb": form.media_max_upload_mb.data, "image_hosts": form.image_hosts.data})
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for("admin.media_settings"), 303)
    return render_template("admin/settings_media.html", form=form), 400 if form.errors else 200
