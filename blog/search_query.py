"""A reader's search words, parsed once into clauses that both databases' queries are built from.

The syntax is websearch_to_tsquery's, which readers know from search engines, plus WordPress's
habit of typing the start of a word:
  words          every word must appear (in the title or the body)
  "a phrase"     these words next to each other, in this order
  -word, -"a b"  must not appear
  a OR b         either side (AND binds tighter: `a b OR c` is `(a b) OR c`)
  word*          a word that starts with `word` (at least PREFIX_MIN letters, else the word itself)

A word is a run of letters and digits, as the index cuts it (blog.search_index): anything else
separates words, so no character the reader types reaches the database as syntax. The input is cut
to MAX_QUERY_CHARACTERS and MAX_CLAUSES, which bounds the work one query can ask for.
"""

import re
from dataclasses import dataclass

MAX_QUERY_CHARACTERS = 200
MAX_CLAUSES = 8
MAX_PHRASE_WORDS = 8
PREFIX_MIN = 3  # shorter prefixes would read a large part of the index ("a*")

_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')  # a quoted phrase (closed or not), or a run of non-space
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Clause:
    """Words that must appear next to each other (one word: anywhere); the last may be a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Groups of clauses: a post matches when every clause of some group holds."""

    text: str  # the reader's words as kept (trimmed, cut to length)
    groups: tuple[tuple[Clause, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.groups

    def highlighted_words(self) -> tuple[frozenset[str], tuple[str, ...]]:
        """(whole words, prefixes) a result shows marked: those of the clauses that must match."""
        whole, prefixes = set(), []
        for group in self.groups:
            for clause in group:
                if clause.negated:
                    continue
                last = len(clause.words) - 1
                for n, word in enumerate(clause.words):
                    if clause.prefix and n == last:
                        prefixes.append(word)
                    else:
                        whole.add(word)
        return frozenset(whole), tuple(prefixes)


def words_of(text: str) -> list[str]:
    """The words of a text as the index and the highlighter see them, lower-cased."""
    return [word.lower() for word in _WORD.findall(text)]


def parse(text: str) -> SearchQuery:
    """Parse the reader's search string; any string gives a query (maybe one that matches nothing)."""
    kept = " ".join(text.replace("\x00", " ").split())[:MAX_QUERY_CHARACTERS]
    groups, current, clauses = [], [], 0
    for match in _CHUNK.finditer(kept):
        negated_phrase, phrase, bare = match.groups()
        if bare is not None and bare.lower() == "or":
            groups.append(current)
            current = []
            continue
        clause = _phrase_clause(phrase, bool(negated_phrase)) if bare is None else _bare_clause(bare)
        if clause is not None and clauses < MAX_CLAUSES:
            current.append(clause)
            clauses += 1
    groups.append(current)
    # A group of exclusions alone would match nearly every post: such a group is dropped.
    kept_groups = tuple(tuple(group) for group in groups if any(not c.negated for c in group))
    return SearchQuery(kept, kept_groups)


def _phrase_clause(phrase: str, negated: bool) -> Clause | None:
    words = words_of(phrase)[:MAX_PHRASE_WORDS]
    return Clause(tuple(words), negated=negated) if words else None


def _bare_clause(chunk: str) -> Clause | None:
    negated = chunk.startswith("-") and len(chunk) > 1
    body = chunk[1:] if negated else chunk
    words = words_of(body)[:MAX_PHRASE_WORDS]
    if not words:
        return None
    # "e-mail" or "don't" are several words to the index: a phrase, as websearch_to_tsquery reads them.
    prefix = body.endswith("*") and len(words[-1]) >= PREFIX_MIN
    return Clause(tuple(words), prefix=prefix, negated=negated)


def fts5_match(query: SearchQuery) -> str:
    """The query as an SQLite FTS5 MATCH expression: every word quoted, so none is FTS5 syntax."""
    return " OR ".join(
        "(" + " ".join(_fts5_clause(clause, first=n == 0) for n, clause in enumerate(_positive_first(group))) + ")"
        for group in query.groups
    )


def _positive_first(group: tuple[Clause, ...]) -> list[Clause]:
    # FTS5's NOT is binary (a NOT b): a group must start with a clause that must match.
    return sorted(group, key=lambda clause: clause.negated)


def _fts5_clause(clause: Clause, first: bool) -> str:
    phrase = " + ".join(f'"{word}"' for word in clause.words) + ("*" if clause.prefix else "")
    if clause.negated:
        return f"NOT {phrase}"
    return phrase if first else f"AND {phrase}"
