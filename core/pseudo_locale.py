"""The pseudo-locale: every marked string accented, made 40 % longer and bracketed.

A page shown in it tells at a glance what was left unmarked (plain English, no brackets) and what
does not fit once a translation is longer than English. Its catalogue is written from the message
template (translations/messages.pot) by `make translations`, never committed:

    python -m core.pseudo_locale translations/messages.pot translations
"""

import math
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

# A locale Babel has data for and no reader will choose: the pseudo-translation is filed under it.
PSEUDO_LOCALE = "en_US_POSIX"
OPEN, CLOSE = "[", "]"
_ACCENTED = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                          "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ")
# Kept as they are: placeholders (%(name)s, %d, %%), HTML tags and entities.
_KEEP = re.compile(r"%\([A-Za-z0-9_]+\)[sdif]|%[sdif%]|<[^<>]*>|&#?\w+;")
_PAD_WORD = "~~~~"


def pseudo(text: str) -> str:
    """`text` accented outside its placeholders and markup, 40 % longer, in brackets."""
    if not text:
        return text
    pieces, end, letters = [], 0, 0
    for kept in _KEEP.finditer(text):
        plain = text[end:kept.start()]
        pieces += [plain.translate(_ACCENTED), kept.group(0)]
        letters += len(plain)
        end = kept.end()
    plain = text[end:]
    pieces.append(plain.translate(_ACCENTED))
    letters += len(plain)
    extra = math.ceil(letters * 0.4)
    padding = " ".join([_PAD_WORD] * math.ceil(extra / (len(_PAD_WORD) + 1))) if extra else ""
    return f"{OPEN}{''.join(pieces)}{' ' + padding if padding else ''}{CLOSE}"


def pseudo_catalogue(template: Catalog) -> Catalog:
    """A catalogue translating every message of `template` into the pseudo-locale."""
    catalogue = Catalog(locale=PSEUDO_LOCALE, domain="messages")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):  # a plural: one form per plural category of English
            string = tuple(pseudo(form) for form in message.id)
        else:
            string = pseudo(message.id)
        catalogue.add(message.id, string, context=message.context, flags=message.flags)
    return catalogue


def write_pseudo_catalogue(pot_path: Path, translations: Path) -> Path:
    """Compile the pseudo-locale's catalogue from the message template; where it went."""
    with pot_path.open("rb") as pot:
        template = read_po(pot)
    target = translations / PSEUDO_LOCALE / "LC_MESSAGES" / "messages.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        write_mo(out, pseudo_catalogue(template))
    return target


if __name__ == "__main__":
    write_pseudo_catalogue(Path(sys.argv[1]), Path(sys.argv[2]))
