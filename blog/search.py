"""Search: the reader's words over the titles and bodies of visible posts and pages, ranked, a page
at a time, with the words marked in each result (/?s=words, /search/words/ and its feed).

Ranking every match costs as much as the matches: a common word matches half the blog. So only
the newest CANDIDATE_PAGES pages' worth of matches (by id, which the FTS5 rowid and the primary
key read backwards without a sort) are ranked; the older matches follow them, newest first. A rare
word's matches all fit in the candidates and are ranked as a whole. Each page is then two
statements (the ids of a page, and those posts) whatever the number of posts.

The rank: PostgreSQL's ts_rank (title words weigh A, body words B); on SQLite the number of the
reader's words in the title, then the newest (WordPress's own order), because FTS5's bm25 first
reads the whole index entry of every word searched for.
"""

import html
import re
from collections import deque
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, url_for
from markupsafe import Markup, escape

from blog import bp, protected_posts
from blog.models import Post
from blog.queries import visible
from blog.search_query import SearchQuery, fts5_match, parse, words_of
from core.dbtypes import utcnow
from core.i18n import gettext as _
from extensions import db

CANDIDATE_PAGES = 20  # pages of results ranked by relevance; later pages are newest first
MAX_RESULTS = 1000  # like the search engines, no page past this many results
SNIPPET_WORDS = 30
WORDS_BEFORE_MATCH = 8
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](target): the text
_DISPLAY_MARKUP = re.compile(r"<[^>]*>|[*_`~#>|]+")
_WORD = re.compile(r"[^\W_]+")
_PAGE_NOT_A_NUMBER = re.compile(r"(?:^|/)page/[^/]*$")


@dataclass
class Result:
    post: Post
    title: Markup  # the title as lists show it ("Protected: …"), the reader's words marked
    snippet: Markup  # the body's words around the first match, marked


@dataclass
class SearchPage:
    """One page of results, as the template shows it."""

    words: str
    page: int
    results: list[Result]
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def search(words: str, page: int) -> SearchPage | None:
    """A page of results for the reader's words; None for a page past the results (a 404)."""
    query = parse(words)
    per_page = current_app.config["POSTS_PER_PAGE"]
    offset = (page - 1) * per_page
    if page < 1 or offset >= MAX_RESULTS:
        return None
    ids, has_next = _page_ids(query, offset, per_page) if not query.empty else ([], False)
    if not ids and page > 1:
        return None
    posts = {post.id: post for post in db.session.scalars(sa.select(Post).where(Post.id.in_(ids)))} if ids else {}
    has_next = has_next and offset + per_page < MAX_RESULTS
    return SearchPage(query.text, page, [_result(posts[i], query) for i in ids if i in posts], has_next)


def _page_ids(query: SearchQuery, offset: int, per_page: int) -> tuple[list[int], bool]:
    """The ids of one page of matches in result order, and whether another page follows."""
    candidates = CANDIDATE_PAGES * per_page
    matches = _matches(query)
    if offset >= candidates:  # past the ranked pages: newest first, after the candidates
        rows = db.session.execute(matches.with_only_columns(matches.selected_columns.id)
                                  .limit(per_page + 1).offset(offset)).scalars().all()
        return rows[:per_page], len(rows) > per_page
    rows = db.session.execute(matches.limit(candidates + 1)).all()
    more_than_candidates = len(rows) > candidates
    ranked = sorted(rows[:candidates], key=lambda row: (-row.score, -row.id))
    page = [row.id for row in ranked[offset:offset + per_page]]
    return page, offset + per_page < min(len(rows), candidates) or more_than_candidates


def _matches(query: SearchQuery) -> sa.Select:
    """(id, score) of the visible posts and pages that match, newest id first; higher scores rank first."""
    if db.engine.dialect.name == "postgresql":
        tsquery = _tsquery(query)
        return (sa.select(Post.id.label("id"), sa.func.ts_rank(Post.search_vector, tsquery, 1).label("score"))
                .where(Post.search_vector.bool_op("@@")(tsquery), visible(Post, utcnow()))
                .order_by(Post.id.desc()))
    index = sa.table("posts_search", sa.column("rowid", sa.Integer), sa.column("title", sa.Text))
    # The reader's words found in the title (highlight() marks each with one character), then the
    # newest: WordPress's own order. bm25 would first count the matches of each word in the whole
    # index, which for a common word is most of the search's time.
    marked_title = sa.func.highlight(sa.literal_column("posts_search"), 0, "\x01", "")
    score = sa.func.length(marked_title) - sa.func.length(index.c.title)
    return (sa.select(index.c.rowid.label("id"), score.label("score"))
            .join(Post, Post.id == index.c.rowid)
            .where(sa.literal_column("posts_search").op("MATCH")(fts5_match(query)), visible(Post, utcnow()))
            .order_by(index.c.rowid.desc()))


def _tsquery(query: SearchQuery):
    """The query as a tsquery: phrases and words through websearch_to_tsquery (given only quoted
    words, so none of its syntax), a prefix as a lexeme with :*; joined with tsquery's operators."""
    config = sa.literal_column("'simple'::regconfig")

    def clause_tsquery(clause):
        if clause.prefix:
            lexemes = [f"'{word}'" for word in clause.words]
            lexemes[-1] += ":*"
            part = sa.func.to_tsquery(config, " <-> ".join(lexemes))
        else:
            part = sa.func.websearch_to_tsquery(config, '"' + " ".join(clause.words) + '"')
        return sa.func.tsquery_not(part) if clause.negated else part

    groups = []
    for group in query.groups:
        combined = clause_tsquery(group[0])
        for clause in group[1:]:
            combined = sa.func.tsquery_and(combined, clause_tsquery(clause))
        groups.append(combined)
    result = groups[0]
    for group in groups[1:]:
        result = sa.func.tsquery_or(result, group)
    return result


def _result(post: Post, query: SearchQuery) -> Result:
    whole, prefixes = query.highlighted_words()
    protected = protected_posts.is_protected(post)
    snippet = escape(_(protected_posts.NO_EXCERPT)) if protected else _snippet(display_text(post.body), whole, prefixes)
    return Result(post, _marked(protected_posts.display_title(post), whole, prefixes), snippet)


def display_text(body: str) -> str:
    """A body as plain text: its tags, link targets and Markdown marks dropped, entities decoded."""
    text = _DISPLAY_MARKUP.sub(" ", _MARKDOWN_LINK.sub(r"\1", body or ""))
    return " ".join(html.unescape(text).split())


def _matches_word(word: str, whole: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    lowered = word.lower()
    return lowered in whole or lowered.startswith(prefixes)


def _marked(text: str, whole: frozenset[str], prefixes: tuple[str, ...]) -> Markup:
    """`text` escaped, with the reader's words in <mark>."""
    out, last = [], 0
    for match in _WORD.finditer(text):
        if _matches_word(match.group(), whole, prefixes):
            out.append(escape(text[last:match.start()]))
            out.append(Markup("<mark>%s</mark>") % match.group())
            last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _snippet(text: str, whole: frozenset[str], prefixes: tuple[str, ...]) -> Markup:
    """About SNIPPET_WORDS words of `text` from a little before its first marked word (or its start)."""
    before: deque[re.Match] = deque(maxlen=WORDS_BEFORE_MATCH + 1)
    words = _WORD.finditer(text)
    for match in words:
        before.append(match)
        if _matches_word(match.group(), whole, prefixes):
            break
    else:
        before = deque(list(before)[:1]) if before else deque()
        words = _WORD.finditer(text)
        next(words, None)
    if not before:
        return Markup("")
    start = before[0].start()
    end = before[-1].end()
    for n, match in enumerate(words, start=len(before)):
        if n >= SNIPPET_WORDS:
            break
        end = match.end()
    if not _WORD.search(text, end):
        end = len(text)  # only punctuation left: keep it
    lead = "… " if start > 0 else ""
    tail = " …" if end < len(text) else ""
    return escape(lead) + _marked(text[start:end], whole, prefixes) + escape(tail)


def search_page(words: str, page: int, page_link=None):
    """The search results page for /?s=words (blog.index hands over); anyone may call.

    `page_link(n)` gives page n's address; by default /page/n/?s=words, as WordPress links them.
    """
    found = search(words, page)
    if found is None:
        abort(404)
    page_link = page_link or (lambda n: url_for("blog.index", s=words, page=n if n > 1 else None))
    return render_template("blog/search.html", search=found, page_link=page_link,
                           feed_url=_feed_url(found.words))


def path_words(words: str) -> str:
    """The words as a /search/…/ address holds them: "/" and "+" are no search syntax, so spaces."""
    return " ".join(words.replace("/", " ").replace("+", " ").split())


def _feed_url(words: str) -> str | None:
    in_path = path_words(words)
    return url_for("blog.search_feed", words=in_path) if words_of(in_path) else None


@bp.get("/search/<path:words>/", endpoint="search")
@bp.get("/search/<path:words>/page/<int:page>/", endpoint="search")
def search_view(words: str, page: int | None = None):
    """Search results at WordPress's /search/words/ address; anyone may call."""
    if page == 1:
        return redirect(url_for("blog.search", words=words), 301)
    if _PAGE_NOT_A_NUMBER.search(words):  # /search/words/page/-1/: a bad page number, not more words
        abort(404)
    kept = path_words(words)
    return search_page(kept, 1 if page is None else page,
                       lambda n: url_for("blog.search", words=kept, page=n if n > 1 else None))


@bp.get("/search/<path:words>/feed/", endpoint="search_feed")
def search_feed(words: str):
    """The newest matches as RSS (WordPress's search feed); anyone may call."""
    from blog.feeds import FEED_SIZE, posts_feed_response

    query = parse(path_words(words))
    matches = None if query.empty else _matches(query)
    ids = [] if matches is None else db.session.execute(
        matches.with_only_columns(matches.selected_columns.id).limit(FEED_SIZE)).scalars().all()
    posts = {post.id: post for post in db.session.scalars(sa.select(Post).where(Post.id.in_(ids)))} if ids else {}
    title = _("Search Results for “%(words)s”", words=query.text)
    return posts_feed_response("rss", [posts[i] for i in ids if i in posts], title,
                               url_for("blog.search", words=path_words(words), _external=True))
