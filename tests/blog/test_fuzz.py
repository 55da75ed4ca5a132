"""Hypothesis throws random form data and query strings at every route: nothing answers 500.

The URL map is walked, so a route added later is fuzzed too. URL arguments are real ids, slugs,
signed tokens or random values; half the POSTs carry a valid CSRF token so that the random data
reaches the forms' validation and the services behind them, as a reader and as the administrator.
"""

import os
import string

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from blog.permalinks import post_url
from blog.settings import save_settings
from extensions import db
from notify.tokens import make_token
from tests.support.admin import csrf_token_from, login_as, make_user
from tests.support.factories import make_comment, make_post

# A few seconds by default; FUZZ_EXAMPLES=5000 for a deeper run before a release.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "400"))
FIELD_NAMES = ["comment", "author", "email", "url", "comment_parent", "comment_post_ID", "hp_website",
               "remember", "next", "password", "ids", "action", "status", "body", "title", "slug",
               "published_at", "post_filter", "notify_comments", "notify_posts", "author_name",
               "author_email", "author_url", "comment_moderation", "comments_per_page", "confirm", "reason"]
QUERY_NAMES = ["page", "p", "page_id", "s", "next", "replytocom", "comment_status", "paged", "moderator",
               "comment", "post_status", "cpage", "error", "state", "code", "ids"]
LARGE_INTS = st.one_of(st.integers(0, 3), st.integers(0, 2**70), st.sampled_from([2**31, 2**63, 10**30]))
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.printable, max_size=40),
    LARGE_INTS.map(str),
    st.sampled_from(["", "-1", "0", "1e309", "nan", "//evil.example", "javascript:alert(1)", "\x00",
                     "a" * 70000, "%00", "[", "http://[::1", "2024-13-45T25:61", "approve", "trash"]),
)


def url_arguments(rule, known: dict):
    """A strategy for the values of a rule's arguments: existing ones or random ones."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = st.sampled_from(sorted(converter.items))
        elif isinstance(converter, IntegerConverter):
            values[name] = st.one_of(st.sampled_from(known.get(name, [1])), LARGE_INTS)
        elif isinstance(converter, PathConverter):
            values[name] = st.one_of(st.just("css/blog.css"), st.text(max_size=20))
        else:
            values[name] = st.one_of(st.sampled_from(known.get(name, ["x"])), st.text(min_size=1, max_size=30))
    return st.fixed_dictionaries(values)


@pytest.fixture
def fuzz_target(app_factory):
    """A blog with a post, comments (approved and held), an admin and signed links to aim at."""
    app = app_factory(COMMENT_RATE_LIMIT="100000 per minute", LOGIN_LIMIT_PER_IP="100000 per minute",
                      LOGIN_LIMIT_PER_ACCOUNT="100000 per minute", SERVER_NAME="127.0.0.1")
    with app.test_request_context():
        save_settings({"comment_flood_seconds": 0})
        post = make_post()
        approved, held = make_comment(post), make_comment(post, status="pending")
        admin = make_user(True, "Fuzz Owner", "fuzz-owner@example.com")
        dated = post_url(post).strip("/").split("/")
        tokens = [make_token("moderate", {"comment": held.id, "action": "approve"}),
                  make_token("manage", {"email": "reader@example.com"}),
                  make_token("unsubscribe", {"ids": [1, 2]}),
                  make_token("confirm", {"ids": [1], "email": "reader@example.com"}),
                  make_token("moderate", {"comment": "x", "action": 3})]
        known = {"year": [int(dated[0])], "month": [int(dated[1])], "day": [int(dated[2])],
                 "slug": [post.slug], "post_id": [post.id], "comment_id": [approved.id, held.id],
                 "cpage": [1, 2], "name": ["google", "github"], "token": tokens,
                 "digest": ["0123456789abcdef"], "filename": ["css/blog.css"]}
        db.session.commit()
        yield app, known, admin


def test_random_requests_to_every_route_never_answer_500(fuzz_target):
    app, known, admin_user = fuzz_target
    rules = sorted((r for r in app.url_map.iter_rules()), key=lambda r: r.rule)
    assert len(rules) >= 40, "the fuzzer walks the whole URL map"
    anonymous, admin = app.test_client(), app.test_client()
    login_as(admin, admin_user)
    with app.test_request_context():
        page = url_for("blog.post", year=known["year"][0], month=known["month"][0], day=known["day"][0],
                       slug=known["slug"][0])
    tokens = {id(anonymous): csrf_token_from(anonymous.get(page)), id(admin): csrf_token_from(admin.get("/admin/"))}
    seen = set()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def one_request(data):
        rule = data.draw(st.sampled_from(rules), label="rule")
        method = data.draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})), label="method")
        values = data.draw(url_arguments(rule, known), label="arguments")
        try:
            url = rule.build(values, append_unknown=False)[1]
        except Exception:  # noqa: BLE001  (a value the converter cannot put in a URL: not a request)
            return
        query = data.draw(st.dictionaries(st.one_of(st.sampled_from(QUERY_NAMES), st.text(max_size=8)), TEXT,
                                          max_size=4), label="query")
        client = data.draw(st.sampled_from([anonymous, admin]), label="client")
        form = None
        if method != "GET":
            form = data.draw(st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)),
                                             TEXT, max_size=8), label="form")
            if data.draw(st.booleans(), label="with CSRF token"):
                form["csrf_token"] = tokens[id(client)]
        response = client.open(url, method=method, query_string=query, data=form,
                               environ_base={"REMOTE_ADDR": "198.51.100.77"})
        seen.add(rule.endpoint)
        assert response.status_code < 500, f"{method} {url} {query} {form} -> {response.status_code}"

    one_request()
    assert len(seen) >= 25, f"the fuzzer reached most routes, not just {sorted(seen)}"
