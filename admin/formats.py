"""Sizes as the admin shows them, in the current language's words and decimal sign."""

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale

from admin import bp
from core.i18n import gettext as _
from core.i18n import ngettext


@bp.app_template_filter("file_size")
def file_size(value) -> str:
    """A size in bytes as Jinja's filesizeformat(binary=True) writes it ("1 Byte", "2.2 KiB",
    "50.0 MiB"), its unit translated: French says "Kio" and "Mio"."""
    size = float(value)
    if size < 1024:
        return ngettext("%(num)d Byte", "%(num)d Bytes", int(size))
    units = (lambda n: _("%(num)s KiB", num=n), lambda n: _("%(num)s MiB", num=n),
             lambda n: _("%(num)s GiB", num=n), lambda n: _("%(num)s TiB", num=n),
             lambda n: _("%(num)s PiB", num=n), lambda n: _("%(num)s EiB", num=n),
             lambda n: _("%(num)s ZiB", num=n), lambda n: _("%(num)s YiB", num=n))
    for power, unit in enumerate(units, start=1):
        if size < 1024 ** (power + 1) or power == len(units):
            number = f"{size / 1024 ** power:.1f}".replace(".", get_decimal_symbol(get_locale()))
            return unit(number)
    raise AssertionError("unreachable")
