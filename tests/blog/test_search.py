"""Search (/?s=words, /search/words/): what matches, in what order, how results show, and bad input."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from blog.models import Post
from blog.permalinks import post_url
from extensions import db
from tests.blog.test_query_budget import statements_for
from tests.core.test_migrations import empty_database_url  # noqa: F401  (a fixture)
from tests.support.factories import make_post
from tests.support.helpers import page_soup


def result_titles(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [a.get_text() for a in page_soup(response).select("article.search-result .entry-title a")]


def search(client, words: str, page: int = 1):
    return client.get(f"/page/{page}/" if page > 1 else "/", query_string={"s": words})


@pytest.fixture
def reader(app):
    return app.test_client()


def test_words_in_titles_and_bodies_of_published_posts_and_pages_match(app, reader):
    make_post(title="Networking for introverts", body="Small talk is a skill.")
    make_post(title="Coffee chats", body="An introverts guide to coffee.")
    make_post(title="About me", body="I write about introverts.", kind="page", slug="about")
    make_post(title="Gardening", body="Tomatoes.")
    assert sorted(result_titles(search(reader, "introverts"))) == ["About me", "Coffee chats",
                                                                  "Networking for introverts"]


def test_drafts_private_trashed_and_future_posts_never_appear(app, reader):
    make_post(title="Visible secretword")
    make_post(title="Draft secretword", status="draft")
    make_post(title="Private secretword", status="private")
    make_post(title="Trashed secretword", status="trash")
    make_post(title="Scheduled secretword", published_at=datetime.now(UTC) + timedelta(days=1))
    assert result_titles(search(reader, "secretword")) == ["Visible secretword"]
    assert "Scheduled" not in reader.get("/search/secretword/feed/").get_data(as_text=True)


def test_a_protected_post_matches_by_title_but_never_by_body_nor_shows_it(app, reader):
    make_post(title="Holiday plans", body="The hidden treasure is under the oak.", password="sesame")
    assert result_titles(search(reader, "treasure")) == []
    page = search(reader, "holiday")
    assert result_titles(page) == ["Protected: Holiday plans"]
    assert "oak" not in page.get_data(as_text=True)
    assert "oak" not in reader.get("/search/holiday/feed/").get_data(as_text=True)


def test_title_matches_rank_above_body_matches(app, reader):
    make_post(title="A day out", body="We talked about a lighthouse on the way.")
    make_post(title="The lighthouse", body="A tall white tower by the sea.")
    make_post(title="Another day", body="Nothing here.")
    assert result_titles(search(reader, "lighthouse")) == ["The lighthouse", "A day out"]


def test_phrase_exclusion_or_and_prefix_queries(app, reader):
    make_post(title="One", body="The quick brown fox jumps.")
    make_post(title="Two", body="A brown dog and a quick fox.")
    make_post(title="Three", body="Foxes and wolves.")
    make_post(title="Four", body="Cats only.")
    assert result_titles(search(reader, '"quick brown"')) == ["One"]
    assert sorted(result_titles(search(reader, "fox -dog"))) == ["One"]
    assert sorted(result_titles(search(reader, "wolves OR cats"))) == ["Four", "Three"]
    assert sorted(result_titles(search(reader, "fox*"))) == ["One", "Three", "Two"]
    assert sorted(result_titles(search(reader, "fox"))) == ["One", "Two"]  # no stemming: foxes is another word


def test_markup_is_not_searchable_but_the_text_it_wraps_is(app, reader):
    make_post(title="Links",
              body='See [the harbour](https://example.com/boats) and <strong class="big">piers</strong>.')
    make_post(title="Imported", body='<p><a href="https://example.com/">quayside</a> &amp; more</p>',
              body_format="html")
    for markup in ("strong", "href", "example", "boats", "class", "amp"):
        assert result_titles(search(reader, markup)) == [], markup
    assert result_titles(search(reader, "harbour piers")) == ["Links"]
    assert result_titles(search(reader, "quayside")) == ["Imported"]
    snippet = page_soup(search(reader, "harbour")).select_one(".entry-summary p")
    assert snippet.get_text() == "See the harbour and piers ."
    assert [m.get_text() for m in snippet.select("mark")] == ["harbour"]


def test_the_readers_words_are_marked_in_title_and_snippet(app, reader):
    body = " ".join(f"filler{n}" for n in range(60)) + " the Orchard blooms in spring " + \
        " ".join(f"tail{n}" for n in range(60))
    make_post(title="Orchard notes", body=body)
    page = page_soup(search(reader, "orchard"))
    assert [m.get_text() for m in page.select(".entry-title mark")] == ["Orchard"]
    snippet = page.select_one(".entry-summary p")
    assert [m.get_text() for m in snippet.select("mark")] == ["Orchard"]
    text = snippet.get_text()
    assert text.startswith("… filler53") and text.endswith(" …") and "filler10" not in text


def test_no_html_gets_in_from_a_post_body_or_the_query(app, reader):
    make_post(title="<img src=x onerror=alert(1)> payload",
              body="`<script>alert('body')</script>` payload <b onmouseover=alert(2)>bold</b>")
    response = search(reader, '<script>alert("q")</script> OR payload')
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html and "<img src=x" not in html and "onmouseover" not in html
    assert "&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt;" in html or "&lt;script&gt;alert(" in html
    soup = page_soup(response)
    assert soup.select("script:not([src])") == [] or all("alert" not in s.get_text() for s in soup.select("script"))
    assert "payload" in [m.get_text() for m in soup.select(".entry-title mark")]


@pytest.mark.parametrize("words", [
    '"unclosed quote', 'a "" b', "---", "-", "OR", "a OR OR b", "* ** ***", "NEAR(a b)", "title:fox", "^fox",
    "fox AND", "(fox", "fox)", "'; DROP TABLE posts; --", "\\", "\x00fox\x00", "fox\x00*", "x" * 10_000,
    "word " * 2_000, "the of and a to in", "مرحبا", "שלום עולם", "\u202eevil\u202c", "😀 emoji", "a:* & !b | <->",
    "%", "_", "fo*", "-fox", "-fox -dog", "\ud800", " ", "",
])
def test_any_search_string_gives_a_results_page(app, reader, words):
    make_post(title="The fox", body="of and the to in a fox")
    response = reader.get("/?s=" + quote(words, safe="", errors="surrogatepass"))
    assert response.status_code == 200, words
    if "\x00" not in words:  # a NUL in a path is refused before any view (core.clean_input)
        in_path = quote(words or "x", safe="", errors="surrogatepass")
        assert reader.get(f"/search/{in_path}/").status_code == 200, words


def test_right_to_left_words_are_found(app, reader):
    make_post(title="مرحبا بالعالم", body="نص عربي")
    make_post(title="Hebrew", body="שלום עולם")
    assert result_titles(search(reader, "بالعالم")) == ["مرحبا بالعالم"]
    assert result_titles(search(reader, "עולם")) == ["Hebrew"]


def test_only_common_words_still_search_them(app, reader):
    make_post(title="To be or not to be", body="That is the question.")
    make_post(title="Other", body="Something else.")
    assert result_titles(search(reader, "to be")) == ["To be or not to be"]


def test_a_very_long_query_is_cut_and_answers(app, reader):
    make_post(title="Needle", body="haystack")
    assert result_titles(search(reader, "needle " + "x" * 10_000)) == []  # the x's are one long word, required
    assert result_titles(search(reader, "needle" + " needle" * 3_000)) == ["Needle"]


def test_results_come_a_page_at_a_time_with_links_between(app_factory):
    app = app_factory(POSTS_PER_PAGE=2)
    with app.test_request_context():
        for n in range(5):
            make_post(title=f"Pebble {n}")
        reader = app.test_client()
        first = search(reader, "pebble")
        assert len(result_titles(first)) == 2
        assert page_soup(first).select_one("a.next")["href"] == "/page/2/?s=pebble"
        assert page_soup(first).select_one("a.prev") is None
        third = reader.get("/search/pebble/page/3/")
        assert len(result_titles(third)) == 1
        assert page_soup(third).select_one("a.prev")["href"] == "/search/pebble/page/2/"
        assert page_soup(third).select_one("a.next") is None
        assert page_soup(reader.get("/search/pebble/page/2/")).select_one("a.prev")["href"] == "/search/pebble/"
        seen = [t for page in (1, 2, 3) for t in result_titles(reader.get(
            "/search/pebble/" + (f"page/{page}/" if page > 1 else "")))]
        assert sorted(seen) == [f"Pebble {n}" for n in range(5)]


def test_bad_page_numbers_are_404_and_page_one_redirects(app, reader):
    make_post(title="Lonely")
    assert reader.get("/search/lonely/page/2/").status_code == 404
    assert reader.get("/search/lonely/page/0/").status_code == 404
    assert reader.get("/search/lonely/page/-1/").status_code == 404
    assert reader.get("/search/lonely/page/99999999999/").status_code == 404
    assert reader.get("/search/lonely/page/99999999999999999999999999/").status_code == 404
    assert search(reader, "lonely", page=2).status_code == 404
    first = reader.get("/search/lonely/page/1/")
    assert first.status_code == 301 and first.headers["Location"].endswith("/search/lonely/")


def test_no_results_page_says_so_and_offers_the_form_again(app, reader):
    response = search(reader, "nothing-like-this")
    soup = page_soup(response)
    assert response.status_code == 200 and "Nothing Found" in soup.get_text()
    assert soup.select_one("form.search-form input[name=s]")["value"] == "nothing-like-this"


def test_wordpress_plus_signs_in_the_address_are_spaces(app, reader):
    make_post(title="Green tea", body="A cup.")
    assert result_titles(reader.get("/search/green+tea/")) == ["Green tea"]
    assert result_titles(reader.get("/search/green%20tea/")) == ["Green tea"]


def test_the_index_follows_edits_password_changes_and_deletions(app, reader):
    post = make_post(title="Old title", body="Original words here.")
    assert result_titles(search(reader, "original")) == ["Old title"]
    post.title, post.body = "New title", "Rewritten sentences."
    db.session.commit()
    assert result_titles(search(reader, "original")) == []
    assert result_titles(search(reader, "rewritten")) == ["New title"]
    post.comment_count = 3  # a write that changes no indexed column
    db.session.commit()
    assert result_titles(search(reader, "rewritten")) == ["New title"]
    post.password = "secret"
    db.session.commit()
    assert result_titles(search(reader, "rewritten")) == []
    post.password = ""
    db.session.commit()
    assert result_titles(search(reader, "rewritten")) == ["New title"]
    db.session.delete(post)
    db.session.commit()
    assert result_titles(search(reader, "title")) == []


def test_a_rolled_back_post_leaves_nothing_in_the_index(app, reader):
    db.session.add(Post(title="Ghost", slug="ghost", body="boo", status="published",
                        published_at=datetime(2024, 1, 1, tzinfo=UTC)))
    db.session.flush()
    db.session.rollback()
    make_post(title="Real", body="boo")
    assert result_titles(search(reader, "boo")) == ["Real"]


def test_search_feed_lists_matches_newest_first(app, reader):
    make_post(title="Kettle one")
    make_post(title="Kettle two")
    make_post(title="Teapot")
    response = reader.get("/search/kettle/feed/")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    body = response.get_data(as_text=True)
    assert body.index("Kettle two") < body.index("Kettle one") and "Teapot" not in body
    assert "Search Results for “kettle”" in body
    assert reader.get("/search/%22/feed/").status_code == 200


def test_results_page_links_its_feed(app, reader):
    make_post(title="Kettle")
    link = page_soup(search(reader, "kettle/spout")).select_one("link[rel=alternate][href*='/search/']")
    assert link["href"] == "/search/kettle%20spout/feed/"


def test_only_the_newest_matches_are_ranked_and_the_rest_follow_newest_first(app_factory):
    """A common word: the candidates (CANDIDATE_PAGES pages) are ranked, later pages go by age;
    every match shows exactly once."""
    from blog.search import CANDIDATE_PAGES

    app = app_factory(POSTS_PER_PAGE=2)
    with app.test_request_context():
        candidates = CANDIDATE_PAGES * 2
        ids = [make_post(title=f"Common {n}", body="common " * (n % 4)).id for n in range(candidates + 5)]
        reader = app.test_client()
        seen = []
        for page in range(1, CANDIDATE_PAGES + 4):
            response = reader.get("/search/common/" + (f"page/{page}/" if page > 1 else ""))
            assert response.status_code == 200, page
            seen.extend(int(a["id"].removeprefix("post-")) for a in page_soup(response).select("article"))
        assert reader.get(f"/search/common/page/{CANDIDATE_PAGES + 4}/").status_code == 404
        assert sorted(seen) == sorted(ids)
        newest = sorted(ids, reverse=True)
        assert sorted(seen[:candidates]) == sorted(newest[:candidates])
        assert seen[candidates:] == newest[candidates:]  # older than the candidates: newest first


def test_search_page_statement_count_does_not_grow_with_posts(app):
    reader = app.test_client()
    reader.set_cookie("comment_author", "not-cached")  # measure the uncached page
    counts = {}
    for size in (12, 40):
        while db.session.scalar(sa.select(sa.func.count()).select_from(Post)) < size:
            make_post(title="Budget post", body="budget words")
        counts[size] = {path: len(statements_for(app, reader, path))
                        for path in ("/?s=budget", "/search/budget/", "/search/budget/page/2/",
                                     "/search/budget/feed/", "/?s=absent")}
    assert counts[12] == counts[40], counts
    assert max(counts[40].values()) <= 5, counts[40]


def test_no_like_scan_in_search_statements(app):
    make_post(title="Scan", body="scan")
    reader = app.test_client()
    reader.set_cookie("comment_author", "not-cached")
    statements = statements_for(app, reader, "/?s=scan")
    assert not any(" LIKE " in statement.upper() for statement, _ in statements)


def test_a_second_anonymous_search_is_a_page_cache_hit(app):
    make_post(title="Cached words")
    first, second = app.test_client(), app.test_client()
    for path in ("/?s=cached", "/search/cached/"):
        miss = first.get(path)
        hit = second.get(path)
        assert miss.headers["X-Page-Cache"] == "miss", path
        assert hit.headers["X-Page-Cache"] == "hit", path
        assert result_titles(hit) == ["Cached words"]
    other = second.get("/?s=words")
    assert other.headers["X-Page-Cache"] == "miss"  # the query string is part of the page's key


def test_the_search_page_links_each_result_to_its_post(app, reader):
    post = make_post(title="Linked result")
    assert page_soup(search(reader, "linked")).select_one(".entry-title a")["href"] == post_url(post)


def test_the_migration_indexes_the_posts_already_there(empty_database_url):  # noqa: F811  (the fixture)
    from app import create_app
    from tests.conftest import make_config

    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=empty_database_url))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0015_blog_structure"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.insert(Post.__table__), [
                {"title": title, "slug": f"old-{n}", "body": body, "body_format": "html", "password": password,
                 "status": "published", "published_at": datetime(2024, 1, 1, tzinfo=UTC)}
                for n, (title, body, password) in enumerate((("Before search", "<p>An <em>otter</em> swims.</p>", ""),
                                                             ("Locked", "A secret beaver.", "pw")))])
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    reader = app.test_client()
    assert result_titles(reader.get("/?s=otter")) == ["Before search"]
    assert result_titles(reader.get("/?s=beaver")) == []
    assert result_titles(reader.get("/?s=em")) == []
    with app.app_context():
        db.engine.dispose()
