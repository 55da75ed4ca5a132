"""A WXR file records the blog's language, and an import into a blog of another language says so."""

from lxml import etree

from tests.support.wxr import import_bytes, wp_post_item, wxr_with
from tests.wordpress.test_wxr_export import export


def test_the_export_names_the_blogs_language_as_wordpress_does(app_factory):
    for language, tag in (("en", "en-US"), ("de", "de-DE"), ("ja", "ja-JP")):
        app = app_factory(BLOG_LANGUAGE=language)
        with app.app_context():
            assert etree.fromstring(export(app)).findtext("channel/language") == tag


def test_importing_a_file_in_another_language_warns_and_still_imports(app_factory):
    app = app_factory(BLOG_LANGUAGE="en")
    german = wxr_with(wp_post_item(10, "Hallo Welt", "Willkommen.")).replace(b"en-US", b"de-DE")
    with app.app_context():
        report = import_bytes(german)
    assert report.imported["posts"] == 1
    [warning] = [w for w in report.warnings if "de-DE" in w]
    assert "German" in warning and "English" in warning and "BLOG_LANGUAGE" in warning


def test_a_file_in_the_blogs_language_imports_without_a_language_warning(app_factory):
    app = app_factory(BLOG_LANGUAGE="de")
    with app.app_context():
        report = import_bytes(wxr_with(wp_post_item(10, "Hallo Welt", "Willkommen.")).replace(b"en-US", b"de-AT"))
    assert report.imported["posts"] == 1 and not [w for w in report.warnings if "de-AT" in w]
