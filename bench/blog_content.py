"""The benchmark's blog of any size: posts with bodies of a few hundred words, categories, tags and
dates, the same every time (the blog's fill, bench/posts_fill.py, and WordPress's copy of the same
posts, bench/wordpress_search.py, both take them from here).

Words follow a Zipf law over a vocabulary of English function words, common English content words
and made-up words, as a language's words do: search meets words in most posts and words in few.
Post number i is the same at every size (its own random generator), so a smaller blog's posts are
a larger one's first posts; only the dates depend on the size.
"""

import itertools
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FUNCTION_WORDS = (
    "the of and to a in is that it for was on with as he be at by this had not are but from or have an they "
    "which one you were her all she there would their we him been has when who will more no if out so said "
    "what up its about into than them can only other new some could these two may then do first any my now "
    "such like our over man me even most made after also did many before must through back years where much "
    "your way well down should because each just those people how too little state good very make world still"
).split()
CONTENT_WORDS = (
    "time garden river morning letter window kitchen winter island mountain coffee station market journey "
    "harbor library village forest summer bridge evening street travel autumn camera recipe bread festival "
    "museum painting teacher student lesson story novel chapter poem music guitar piano concert theatre "
    "cinema dinner breakfast lunch market bicycle train airport passport ticket hotel beach ocean desert "
    "valley meadow orchard vineyard cheese butter garlic pepper tomato lemon orange apple cherry walnut "
    "almond honey sugar flour salt kettle teapot blanket candle lantern mirror ladder hammer needle thread "
    "button pocket jacket sweater scarf boots umbrella suitcase notebook pencil ink paper printer keyboard "
    "screen network server program language memory history science physics chemistry biology planet comet "
    "telescope harvest season weather storm thunder rainbow cloud breeze sunset sunrise shadow silence "
    "friendship neighbor cousin grandmother grandfather wedding birthday holiday journal photograph portrait "
    "landscape sculpture pottery fabric weaving knitting carpentry plumbing electricity engine motor "
    "tractor canal lighthouse castle cathedral chapel monastery fountain square avenue alley courtyard "
    "balcony staircase attic cellar chimney fireplace workshop studio gallery archive manuscript"
).split()
SYLLABLES = ("ka", "lo", "mi", "ren", "tas", "vel", "dor", "pi", "sun", "bra", "quel", "mo", "tri", "zan", "fe",
             "gor", "hil", "ju", "nex", "or", "pla", "ru", "sil", "ton", "wen", "yar", "cor", "da", "el", "fin")
VOCABULARY_SIZE = 20_000
ZIPF_EXPONENT = 1.0
# Planted in a few posts at every size (the ten oldest and one in a thousand): the search for a word
# few posts hold. The common word ranks among the function words, as "time" does in English, and is
# in more than half of the posts: the search whose matches are too many to rank them all.
RARE_WORD = "zephyrine"
COMMON_WORD = CONTENT_WORDS[0]
COMMON_WORD_RANK = 30

# (slug, name, parent slug): ten categories, one of them with two children.
CATEGORIES = (("news", "News", None), ("essays", "Essays", None), ("travel", "Travel", None),
              ("europe", "Europe", "travel"), ("asia", "Asia", "travel"), ("notes", "Notes", None),
              ("reviews", "Reviews", None), ("recipes", "Recipes", None), ("photography", "Photography", None),
              ("books", "Books", None))
CATEGORY_WEIGHTS = (30, 15, 6, 5, 4, 12, 10, 8, 6, 4)  # travel's subtree holds about a seventh of the posts
TAG_COUNT = 200
# The archives the benchmark measures: a parent category (its page reads its children's posts too),
# a tag of middling use, the newest year. The ten oldest posts are in both terms, so that even the
# ten-post blog's pages are full and the sizes compare pages of the same length.
MEASURED_CATEGORY = "travel"
MEASURED_TAG_RANK = 20
PLANTED = 10
NEWEST = datetime(2025, 11, 28, 12, 0, tzinfo=UTC)
MEASURED_YEAR = NEWEST.year
TEN_YEARS = timedelta(days=3652)


@dataclass(frozen=True)
class GeneratedPost:
    number: int  # 0 for the oldest
    title: str
    slug: str
    paragraphs: tuple[str, ...]
    published_at: datetime
    categories: tuple[str, ...]  # slugs
    tags: tuple[str, ...]  # slugs

    @property
    def markdown(self) -> str:
        return "\n\n".join(self.paragraphs)


def _made_up_words() -> list[str]:
    """Words of two to four syllables, in a fixed order, none an English word of the lists above."""
    known = set(FUNCTION_WORDS) | set(CONTENT_WORDS) | {RARE_WORD}
    words = []
    for length in (2, 3, 4):
        for parts in itertools.product(SYLLABLES, repeat=length):
            word = "".join(parts)
            if word not in known:
                known.add(word)
                words.append(word)
                if len(FUNCTION_WORDS) + len(CONTENT_WORDS) + len(words) == VOCABULARY_SIZE:
                    return words
    return words


def _cumulative(count: int) -> list[float]:
    return list(itertools.accumulate(1 / rank ** ZIPF_EXPONENT for rank in range(1, count + 1)))


_FUNCTION = list(dict.fromkeys(FUNCTION_WORDS))
_FUNCTION_SET = frozenset(_FUNCTION)
VOCABULARY = list(dict.fromkeys(_FUNCTION[:COMMON_WORD_RANK - 1] + [COMMON_WORD] + _FUNCTION[COMMON_WORD_RANK - 1:]
                                + CONTENT_WORDS)) + _made_up_words()
_WORD_WEIGHTS = _cumulative(len(VOCABULARY))
_TITLE_WORDS = [word for word in VOCABULARY if word not in _FUNCTION_SET]  # titles are made of content words
_TITLE_WEIGHTS = _cumulative(len(_TITLE_WORDS))
TAGS = tuple(_TITLE_WORDS[50:50 + TAG_COUNT])  # tag names: content words, less common than the commonest
_TAG_WEIGHTS = _cumulative(TAG_COUNT)
MEASURED_TAG = TAGS[MEASURED_TAG_RANK - 1]
_CATEGORY_WEIGHTS = list(itertools.accumulate(CATEGORY_WEIGHTS))


def date_step(count: int) -> timedelta:
    """Time between consecutive posts: ten years for the whole blog, at most a day between two."""
    return min(TEN_YEARS / max(count, 1), timedelta(days=1))


def generate(count: int, start: int = 0, stop: int | None = None):
    """Posts number `start` to `stop` (default: all) of a blog of `count` posts, oldest first."""
    step = date_step(count)
    for number in range(start, count if stop is None else stop):
        yield post(number, NEWEST - (count - 1 - number) * step)


def has_rare_word(number: int) -> bool:
    return number < PLANTED or number % 1000 == 0


def post(number: int, published_at: datetime) -> GeneratedPost:
    rng = random.Random(number)
    title_words = rng.choices(_TITLE_WORDS, cum_weights=_TITLE_WEIGHTS, k=rng.randint(3, 7))
    title = " ".join(title_words).capitalize()
    words = rng.choices(VOCABULARY, cum_weights=_WORD_WEIGHTS, k=rng.randint(150, 450))
    if has_rare_word(number):
        words[len(words) // 2] = RARE_WORD
    paragraphs, sentence, paragraph = [], [], []
    sentence_length, paragraph_length = rng.randint(6, 18), rng.randint(3, 6)
    for word in words:
        sentence.append(word)
        if len(sentence) == sentence_length:
            paragraph.append(" ".join(sentence).capitalize() + ".")
            sentence, sentence_length = [], rng.randint(6, 18)
            if len(paragraph) == paragraph_length:
                paragraphs.append(" ".join(paragraph))
                paragraph, paragraph_length = [], rng.randint(3, 6)
    if sentence:
        paragraph.append(" ".join(sentence).capitalize() + ".")
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    categories = rng.choices([slug for slug, _name, _parent in CATEGORIES], cum_weights=_CATEGORY_WEIGHTS,
                             k=1 + (rng.random() < 0.2))
    tags = rng.choices(TAGS, cum_weights=_TAG_WEIGHTS, k=rng.randint(0, 5))
    if number < PLANTED:
        categories.append(MEASURED_CATEGORY)
        tags.append(MEASURED_TAG)
    return GeneratedPost(number, title, f"{'-'.join(title_words)}-{number}"[:200], tuple(paragraphs),
                         published_at, tuple(dict.fromkeys(categories)), tuple(dict.fromkeys(tags)))
