"""What the learning filter looks at in a comment: its words, word pairs, links' hosts, its shape and
its author's fields. Never its time, IP address or user agent: those say more about where a data set
came from than about spam.

Every step is one pass over the text, so a 65,000-character comment costs linear time.
"""

import hashlib
import html
import itertools
import re
import unicodedata
from urllib.parse import urlsplit

MAX_TEXT = 20_000  # characters read: a longer comment says nothing its beginning did not
MAX_FEATURES = 600  # distinct features kept, so that one comment reads and writes a bounded number of rows
PREFIX = 5  # words longer than this also count by their beginning: "subscribe", "subscribers", "subscribing"

# A word: letters and digits, with inner apostrophes ("don't").
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Scripts written without spaces between words (Chinese, Japanese, Korean, Thai, Lao, Khmer,
# Myanmar): their runs count as overlapping pairs of characters instead of as one long "word".
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                       r"\uac00-\ud7af\uf900-\ufaff]+")
# One token of text: a run of an unspaced script, or a word.
_TOKEN = re.compile(f"({_UNSPACED.pattern})|({_WORD.pattern})")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']+"
                  r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|info|biz|ly|co|me|tv|us|be|gl|ru|tk|xyz|io)\b[^\s<>\"']*",
                  re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_REPEATS = re.compile(r"(.)\1{2,}")  # "soooo" -> "soo": elongations spell one word many ways
_LATIN = re.compile(r"[a-z]")
_LOOKALIKE_SCRIPTS = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")  # Greek and Cyrillic letters that pass for Latin
# Unicode's format characters (category Cf): zero-width spaces and joiners, bidi marks, byte-order marks.
_INVISIBLE = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
                        "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")


def readable(text: str) -> str:
    """The text as a reader sees it: entities decoded, invisible format characters (zero-width
    spaces and joiners, byte-order marks) removed, compatibility forms folded (NFKC), case folded."""
    text = _INVISIBLE.sub("", html.unescape(text[:MAX_TEXT]))
    return unicodedata.normalize("NFKC", text).casefold()


def comment_features(body: str, author_name: str = "", author_email: str = "", author_url: str = "") -> list[str]:
    """The features of one comment, each once, in the order first met (at most MAX_FEATURES)."""
    text = readable(body)
    found: dict[str, None] = {}
    for link in _URL.findall(text):
        found[f"link:{_host(link)}"] = None
        found["has:link"] = None
    words = _words(_TAG.sub(" ", text))  # links' words too: "http", "com", "bit" are spam's vocabulary
    for word in words:
        found[word[:30]] = None
        if len(word) > PREFIX:
            found[f"pre:{word[:PREFIX]}"] = None
    for first, second in itertools.pairwise(words):
        found[f"{first[:30]} {second[:30]}"] = None
    for shape in _shapes(body, text, words):
        found[shape] = None
    if author_url:
        found[f"author_url:{_host(readable(author_url))}"] = None
    if "@" in author_email:
        found[f"email_domain:{author_email.rsplit('@', 1)[1].strip().casefold()[:60]}"] = None
    return list(found)[:MAX_FEATURES]


def _words(text: str) -> list[str]:
    """Words, numbers as one word, elongations shortened, unspaced scripts as pairs of characters."""
    words = []
    for run, word in _TOKEN.findall(text):
        if run:
            words.extend(run[i:i + 2] for i in range(max(1, len(run) - 1)))
        elif word.isdigit():
            words.append("#num")
        else:
            words.append(_REPEATS.sub(r"\1\1", word))
    return words


def _host(link: str) -> str:
    """A link's host without "www.", as written (a look-alike domain keeps its look-alike letters)."""
    link = link if "://" in link else f"http://{link}"
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:  # a malformed IPv6 literal, say
        return "invalid"
    host = host.removeprefix("www.")[:80]
    return host if host.isascii() else f"idn:{host}"


def _shapes(raw: str, text: str, words: list[str]) -> list[str]:
    """How the comment looks: its length, shouting, and words that mix Latin with look-alike letters."""
    shapes = ["len:long" if len(words) > 30 else "len:short" if len(words) < 6 else "len:mid"]
    letters = sum(map(str.isalpha, raw[:MAX_TEXT]))
    capitals = sum(map(str.isupper, raw[:MAX_TEXT]))
    if letters > 10 and capitals > letters / 2:
        shapes.append("shape:shouting")
    if any(_LATIN.search(word) and _LOOKALIKE_SCRIPTS.search(word) for word in words):
        shapes.append("shape:mixed-script")
    if len(text) >= MAX_TEXT:
        shapes.append("shape:huge")
    return shapes


def feature_key(feature: str) -> int:
    """A feature's row key: 63 bits of its BLAKE2 hash, never 0 (the bias row's)."""
    digest = hashlib.blake2b(feature.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 1) or 1
