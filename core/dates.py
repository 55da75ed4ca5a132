"""Dates, times and relative times as the page's language writes them.

English keeps WordPress's own formats, byte for byte ("March 4, 2024 at 10:04 AM"): Babel's English
differs from them (a narrow no-break space before "AM", no "at"). Every other language gets CLDR's
patterns for its locale through Babel. A format is named by its English strftime form; each maps to
the CLDR style that stands for it:

    "%B %-d, %Y"               the long date            4. März 2024 · 2024年3月4日
    "%B %-d, %Y at %-I:%M %p"  long date and time       4. März 2024, 10:04
    "%Y/%m/%d"                 the medium date          04.03.2024 · 2024/03/04 · 4 mars 2024
    "%Y/%m/%d at %-I:%M %p"    medium date and time     04.03.2024, 10:04
    "%b %-d, %Y at %H:%M"      medium date and time
    "%-I:%M %p"                the short time           10:04 · 22:04
    "%B %Y"                    a month (skeleton yMMMM) März 2024 · 2024年3月

Any other format (the admin's "%Y/%m/%d %H:%M" of logs and queues: numeric, 24-hour, the same in
every language) is strftime's everywhere. The caller converts a moment to the blog's time zone first.

Each CLDR pattern is compiled once per language into a %-format and per-field lookups (month names
and day periods read once from Babel), so a date costs about what strftime does.
"""

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from babel import Locale
from babel.dates import DateTimeFormat, format_timedelta, match_skeleton, parse_pattern

from core.i18n import current_language

# The languages that read WordPress's English formats.
ENGLISH = frozenset({"en", "en_US"})

# English format -> (CLDR date width or skeleton, time width, date-time combination width).
_STYLES = {
    "%B %-d, %Y": ("long", None, None),
    "%B %-d, %Y at %-I:%M %p": ("long", "short", "long"),
    "%Y/%m/%d": ("medium", None, None),
    "%Y/%m/%d at %-I:%M %p": ("medium", "short", "medium"),
    "%b %-d, %Y at %H:%M": ("medium", "short", "medium"),
    "%-I:%M %p": (None, "short", None),
    "%B %Y": ("yMMMM", None, None),
}
_WIDTHS = ("full", "long", "medium", "short")


def language() -> str:
    """The current language as Babel names it ("de", "pt_BR"); English outside a request."""
    current = current_language()
    return current.name if current is not None else "en"


def format_local(moment: datetime | date, fmt: str, lang: str | None = None) -> str:
    """`moment` (already in the blog's time zone) written in the English format `fmt`, or in the
    CLDR style that stands for it in the current language (`lang` when given)."""
    lang = lang or language()
    if lang in ENGLISH or fmt not in _STYLES:
        return moment.strftime(fmt)
    return compiled(fmt, lang)(moment)


@lru_cache(maxsize=128)
def compiled(fmt: str, lang: str) -> Callable[[datetime | date], str]:
    """A function writing a moment in the CLDR style that stands for `fmt` in `lang`."""
    return _compile(cldr_pattern(fmt, lang), Locale.parse(lang))


def cldr_pattern(fmt: str, lang: str) -> str:
    """The CLDR pattern that `fmt` stands for in `lang` ("d. MMMM y, HH:mm" for German's long date
    and time)."""
    locale = Locale.parse(lang)
    date_width, time_width, combination = _STYLES[fmt]
    if date_width in _WIDTHS:
        date_pattern = locale.date_formats[date_width].pattern
    elif date_width:
        date_pattern = _skeleton_pattern(date_width, locale)
    time_pattern = locale.time_formats[time_width].pattern if time_width else ""
    if not date_width:
        return time_pattern
    if not time_width:
        return date_pattern
    # The locale's own order and joint ("{1}, {0}", "{1} {0}", "{1}، {0}"), patterns put in whole
    # so that their quoted literals stay quoted.
    return locale.datetime_formats[combination].replace("{1}", date_pattern).replace("{0}", time_pattern)


def _skeleton_pattern(skeleton: str, locale: Locale) -> str:
    skeletons = locale.datetime_skeletons
    return str(skeletons[skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)])


def _compile(pattern: str, locale: Locale) -> Callable[[datetime | date], str]:
    """The pattern as a %-format and one lookup per field: numbers formatted directly, names (months,
    AM/PM) from tables Babel filled once; any other field asked of Babel for each moment."""
    template = parse_pattern(pattern).format  # "%(d)s. %(MMMM)s %(y)s"
    fields = {name: _field(name, locale) for name in _field_names(template)}

    def write(moment: datetime | date) -> str:
        return template % {name: field(moment) for name, field in fields.items()}

    return write


def _field_names(template: str) -> list[str]:
    names, start = [], template.find("%(")
    while start != -1:
        end = template.index(")", start)
        names.append(template[start + 2:end])
        start = template.find("%(", end)
    return names


def _field(name: str, locale: Locale) -> Callable[[datetime | date], str]:
    char, width = name[0], len(name)
    padded = f"%0{width}d"
    if char == "y":
        return (lambda m: (padded % m.year)[-2:]) if width == 2 else (lambda m: padded % m.year)
    if char in "ML":
        if width <= 2:
            return lambda m: padded % m.month
        names = tuple(DateTimeFormat(date(2000, month, 1), locale)[name] for month in range(1, 13))
        return lambda m: names[m.month - 1]
    if char == "d":
        return lambda m: padded % m.day
    if char == "H":
        return lambda m: padded % m.hour
    if char == "h":
        return lambda m: padded % ((m.hour - 1) % 12 + 1)
    if char == "m":
        return lambda m: padded % m.minute
    if char == "a":
        periods = (DateTimeFormat(time(0), locale)[name], DateTimeFormat(time(12), locale)[name])
        return lambda m: periods[m.hour >= 12]
    return lambda m: DateTimeFormat(m, locale)[name]


# The units of "N … ago" by their length in seconds (a month of 30 days, a year of 365, as Babel counts).
_UNIT_NAMES = {365 * 86400: "year", 30 * 86400: "month", 7 * 86400: "week", 86400: "day", 3600: "hour", 60: "minute",
               1: "second"}


def reads_english_phrases(lang: str) -> bool:
    """Whether `lang` is a kind of English (en_GB, the pseudo-locale en_US_POSIX), which says relative
    times with the catalogue's words ("2 minutes ago"); other languages use CLDR's (cldr_ago)."""
    return lang.split("_")[0] == "en"


def cldr_ago(unit_seconds: int, count: int, lang: str) -> str:
    """"vor 2 Minuten", "2 分前", "قبل دقيقتين": CLDR's phrase in `lang` for `count` units of
    `unit_seconds` ago, with the language's plural forms (Intl.RelativeTimeFormat says the same)."""
    # A threshold no value reaches makes Babel keep the unit given as granularity, with this count.
    return format_timedelta(timedelta(seconds=-count * unit_seconds), granularity=_UNIT_NAMES[unit_seconds],
                            threshold=math.inf, add_direction=True, format="long", locale=lang)
