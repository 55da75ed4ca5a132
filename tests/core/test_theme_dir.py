"""THEME_DIR (core.theme): a folder whose templates and static files override the blog's own by name."""

from pathlib import Path

import pytest

from app import create_app
from tests.conftest import make_config

BLOG_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "blog.css"


@pytest.fixture
def theme(tmp_path: Path) -> Path:
    (tmp_path / "templates" / "blog").mkdir(parents=True)
    (tmp_path / "static" / "css").mkdir(parents=True)
    # A child theme's usual first override: the sidebar, by its name, and a stylesheet of its own.
    (tmp_path / "templates" / "blog" / "_sidebar.html").write_text(
        '<aside class="widget-area theme-sidebar" aria-label="Sidebar">{{ blog_title }} by the theme</aside>')
    (tmp_path / "static" / "css" / "blog.css").write_text("body { color: rebeccapurple; }")
    (tmp_path / "static" / "css" / "extra.css").write_text(".theme-sidebar { margin: 0; }")
    return tmp_path


def test_theme_templates_override_the_blogs_by_name_and_the_rest_stay(app_factory, theme):
    app = app_factory(THEME_DIR=str(theme))
    client = app.test_client()
    client.set_cookie("comment_author", "not-cached")
    html = client.get("/").get_data(as_text=True)
    assert "Career Notes by the theme" in html
    assert 'class="site-header"' in html  # base.html, not overridden, is the blog's own


def test_theme_static_files_override_and_add_while_the_blogs_others_still_serve(app_factory, theme):
    client = app_factory(THEME_DIR=str(theme)).test_client()
    assert client.get("/static/css/blog.css").get_data(as_text=True) == "body { color: rebeccapurple; }"
    assert client.get("/static/css/extra.css").status_code == 200
    assert client.get("/static/img/favicon.svg").status_code == 200
    assert client.get("/static/css/missing.css").status_code == 404


def test_theme_static_cannot_reach_outside_its_folder(app_factory, theme):
    (theme / "secret.txt").write_text("not for readers")
    client = app_factory(THEME_DIR=str(theme)).test_client()
    assert client.get("/static/../secret.txt").status_code == 404
    assert client.get("/static/%2e%2e/secret.txt").status_code == 404


def test_without_theme_dir_the_blogs_own_files_serve(app_factory):
    client = app_factory().test_client()
    assert client.get("/static/css/blog.css").get_data() == BLOG_CSS.read_bytes()


def test_a_theme_dir_that_is_no_folder_stops_the_app_with_its_name(tmp_path):
    with pytest.raises(RuntimeError, match="THEME_DIR"):
        create_app(make_config(THEME_DIR=str(tmp_path / "nowhere")))
