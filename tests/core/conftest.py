"""Fixtures of the core tests."""

import pytest
from babel.messages.frontend import CommandLineInterface

from core.pseudo_locale import write_pseudo_catalogue


@pytest.fixture(scope="session")
def pseudo_translations(tmp_path_factory):
    """The messages extracted from the code and templates as they are now (with the keywords of
    `make extract-messages`), as the pseudo-locale's catalogue: about a second, and surer than
    keeping translations/messages.pot current. One for the session: Flask-Babel caches catalogues
    by language for every app at once."""
    folder = tmp_path_factory.mktemp("pseudo_translations")
    pot = folder / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", "babel.cfg", "--ignore-dirs", ".* _* tests bench migrations node_modules",
        "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "-k", "lazy_pgettext:1c,2", "-o", str(pot), "."])
    write_pseudo_catalogue(pot, folder)
    return folder
