"""Theme overrides without touching code, as WordPress's child themes: THEME_DIR/templates and
THEME_DIR/static are looked in first, by name, and the blog's own files answer the rest."""

from pathlib import Path

from flask import Flask, send_from_directory
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.exceptions import NotFound


def init_app(app: Flask) -> None:
    """Put THEME_DIR's templates and static files in front of the blog's own (nothing when unset)."""
    theme_dir = app.config.get("THEME_DIR")
    if not theme_dir:
        return
    root = Path(theme_dir).resolve()
    if not root.is_dir():
        raise RuntimeError(f"THEME_DIR must be a directory, not {theme_dir!r}.")
    app.jinja_loader = ChoiceLoader([FileSystemLoader(root / "templates"), app.jinja_loader])
    theme_static, blog_static = root / "static", app.static_folder
    serve_blog_static = app.view_functions["static"]

    def static(filename: str):
        """A file of the theme's static folder, else the blog's (send_from_directory refuses ../)."""
        try:
            return send_from_directory(theme_static, filename, max_age=app.get_send_file_max_age(filename))
        except NotFound:
            return serve_blog_static(filename=filename)

    if blog_static and theme_static.is_dir():
        app.view_functions["static"] = static
