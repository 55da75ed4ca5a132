"""What the shipped catalogues say, for tests that check a page or a mail in another language."""

from babel.support import Translations

from core.i18n import SHIPPED_CATALOGUES


def translated(language: str, message: str, context: str | None = None, **values) -> str:
    """`message` as the compiled catalogue of `language` has it; failing when it is not translated,
    so that a test built on it checks the language and not English twice."""
    catalogue = Translations.load(str(SHIPPED_CATALOGUES), [language])
    text = catalogue.pgettext(context, message) if context else catalogue.gettext(message)
    assert text != message, f"{message!r} is not translated into {language}"
    return text % values if values else text
