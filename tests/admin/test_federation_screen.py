"""The Mentions & fediverse screen: its four lists, Retry on failed rows, the federation settings,
who may open it, and a fixed number of SQL statements however long the lists are."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from activitypub.models import Activity, Delivery, Follower, RemoteActor
from auth.roles import AUTHOR, CONTRIBUTOR, EDITOR, MODERATOR
from blog.settings import get_settings
from core.dbtypes import utcnow
from extensions import db
from tests.support.admin import admin_post, client_as, csrf_token_from, staff_user
from tests.support.factories import make_comment, make_post
from tests.support.helpers import page_soup, statements_during
from webmention.models import Webmention

SCREEN = "/admin/federation"


def make_follower(n: int, name: str = "", handle: str = "") -> Follower:
    actor = RemoteActor(uri=f"http://127.0.0.1:9/users/u{n}", key_id=f"http://127.0.0.1:9/users/u{n}#key",
                        public_key_pem="-", inbox=f"http://127.0.0.1:9/users/u{n}/inbox",
                        handle=handle or f"@u{n}@social.test", name=name or f"User {n}",
                        profile_url=f"http://social.test/@u{n}", domain="social.test")
    follower = Follower(remote_actor=actor)
    db.session.add(follower)
    db.session.commit()
    return follower


def make_mention(direction: str, n: int, **fields) -> Webmention:
    values = {"direction": direction, "source": f"http://other.test/notes/{n}",
              "target": f"http://127.0.0.1:5000/2024/03/04/post-{n}/"}
    mention = Webmention(**(values | fields))
    db.session.add(mention)
    db.session.commit()
    return mention


def make_delivery(n: int, activity: Activity | None = None, **fields) -> Delivery:
    if activity is None:
        activity = Activity(type="Create", payload={"type": "Create"})
        db.session.add(activity)
        db.session.flush()
    delivery = Delivery(activity_id=activity.id, inbox=f"http://inbox{n}.test/inbox", **fields)
    db.session.add(delivery)
    db.session.commit()
    return delivery


def rows(response) -> list[str]:
    return [" ".join(row.get_text(" ", strip=True).split()) for row in page_soup(response).select("tr.federation-row")]


def test_the_followers_tab_lists_them_newest_first_with_their_count_and_the_blogs_handle(app, admin_client):
    make_follower(1, name="Ada Lovelace", handle="@ada@social.test")
    make_follower(2, name="Grace Hopper", handle="@grace@social.test")
    response = admin_client.get(SCREEN)
    assert response.status_code == 200
    assert rows(response)[0].startswith("@grace@social.test Grace Hopper")
    assert rows(response)[1].startswith("@ada@social.test Ada Lovelace")
    soup = page_soup(response)
    assert "Followers (2)" in soup.select_one(".federation-tabs a[aria-current=page]").get_text(" ", strip=True)
    assert soup.select_one(".fediverse-handle").get_text(strip=True) == "@blog@127.0.0.1:5000"
    assert soup.select_one('.admin-menu a[href="/admin/federation"]').get_text(strip=True) == "Mentions & fediverse"


def test_the_received_tab_shows_source_target_post_kind_status_error_and_the_comment(app, admin_client):
    post = make_post(title="Hello fediverse")
    comment = make_comment(post)
    make_mention("received", 1, post_id=post.id, kind="reply", status="accepted", comment_id=comment.id)
    make_mention("received", 2, post_id=post.id, status="rejected", last_error="The source does not link the post")
    response = admin_client.get(SCREEN + "?tab=received")
    shown = rows(response)
    assert shown[0].startswith("http://other.test/notes/2 Hello fediverse — rejected The source does not link the post")
    assert "Retry" in shown[0]
    assert shown[1].startswith("http://other.test/notes/1 Hello fediverse reply accepted —")
    assert f"#{comment.id}" in shown[1] and "Retry" not in shown[1]
    link = page_soup(response).select_one("a.mention-comment")
    assert link["href"] == f"/admin/comments/{comment.id}/edit"


def test_the_sent_tab_shows_endpoint_attempts_and_error_and_filters_the_failed(app, admin_client):
    make_mention("sent", 1, status="sent", endpoint="http://other.test/webmention", attempts=1)
    make_mention("sent", 2, status="failed", endpoint="http://other.test/wm", attempts=5, last_error="HTTP 500")
    shown = rows(admin_client.get(SCREEN + "?tab=sent"))
    assert shown[0].startswith("http://127.0.0.1:5000/2024/03/04/post-2/ http://other.test/wm failed 5 HTTP 500")
    assert shown[1].startswith("http://127.0.0.1:5000/2024/03/04/post-1/ http://other.test/webmention sent 1 —")
    failed = admin_client.get(SCREEN + "?tab=sent&show=failed")
    assert len(rows(failed)) == 1 and "Failed only (1)" in failed.get_data(as_text=True)


def test_the_deliveries_tab_shows_the_activity_inbox_and_last_answer(app, admin_client):
    make_delivery(1, status="delivered", attempts=1, last_status=202)
    make_delivery(2, status="failed", attempts=8, last_status=503, last_error="Service Unavailable")
    shown = rows(admin_client.get(SCREEN + "?tab=deliveries"))
    assert shown[0].startswith("Create http://inbox2.test/inbox failed 8 HTTP 503: Service Unavailable")
    assert "Retry" in shown[0] and "Retry" not in shown[1]
    assert rows(admin_client.get(SCREEN + "?tab=deliveries&show=failed"))[0].startswith("Create http://inbox2")


def test_an_unknown_tab_is_not_found(app, admin_client):
    assert admin_client.get(SCREEN + "?tab=nope").status_code == 404


def test_lists_page_fifty_rows_at_a_time(app, admin_client):
    for n in range(55):
        make_mention("received", n)
    first = admin_client.get(SCREEN + "?tab=received")
    second = admin_client.get(SCREEN + "?tab=received&paged=2")
    assert len(rows(first)) == 50 and len(rows(second)) == 5
    assert rows(first)[0].startswith("http://other.test/notes/54 ")
    assert admin_client.get(SCREEN + "?tab=received&paged=99999999999999").status_code == 200


def test_retry_queues_a_failed_delivery_again_now(app, admin_client):
    delivery = make_delivery(1, status="failed", attempts=8, last_error="timed out",
                             next_attempt_at=utcnow() + timedelta(days=3))
    page = admin_client.get(SCREEN + "?tab=deliveries")
    response = admin_post(admin_client, f"/admin/federation/retry/delivery/{delivery.id}", csrf_token_from(page),
                          next="/admin/federation?tab=deliveries")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/federation?tab=deliveries"
    db.session.expire_all()
    row = db.session.get(Delivery, delivery.id)
    assert (row.status, row.attempts, row.last_error) == ("queued", 0, "")
    assert row.next_attempt_at <= utcnow()
    assert "Queued again" in admin_client.get(response.headers["Location"]).get_data(as_text=True)


def test_retry_queues_a_failed_sent_webmention_again(app, admin_client):
    mention = make_mention("sent", 1, status="failed", attempts=5, last_error="HTTP 500",
                           next_attempt_at=None)
    token = csrf_token_from(admin_client.get(SCREEN + "?tab=sent"))
    assert admin_post(admin_client, f"/admin/federation/retry/webmention/{mention.id}", token).status_code == 303
    db.session.expire_all()
    row = db.session.get(Webmention, mention.id)
    assert (row.status, row.attempts, row.last_error) == ("queued", 0, "")
    assert row.next_attempt_at is not None and row.next_attempt_at <= utcnow()


def test_retry_leaves_a_row_that_did_not_fail_alone(app, admin_client):
    mention = make_mention("sent", 1, status="sent", attempts=1)
    token = csrf_token_from(admin_client.get(SCREEN))
    response = admin_post(admin_client, f"/admin/federation/retry/webmention/{mention.id}", token)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Webmention, mention.id).status == "sent"
    assert "Only a failed row" in admin_client.get(SCREEN).get_data(as_text=True)


def test_retry_without_a_csrf_token_is_refused(app, admin_client):
    delivery = make_delivery(1, status="failed", attempts=3)
    response = admin_client.post(f"/admin/federation/retry/delivery/{delivery.id}")
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == "failed"


def test_the_settings_form_saves_the_switches_and_normalized_domains(app, admin_client):
    token = csrf_token_from(admin_client.get(SCREEN))
    response = admin_post(admin_client, "/admin/federation/settings", token, webmention_enabled="y",
                          federation_blocked_domains="  Spam.EXAMPLE \n\nbücher.test\nspam.example\n")
    assert response.status_code == 303
    settings = get_settings()
    assert settings["webmention_enabled"] is True and settings["activitypub_enabled"] is False
    assert settings["federation_blocked_domains"] == "spam.example\nxn--bcher-kva.test"
    form = page_soup(admin_client.get(SCREEN))
    assert form.select_one("#federation_blocked_domains").get_text() .strip() == "spam.example\nxn--bcher-kva.test"


@pytest.mark.parametrize("bad", ["https://spam.example/", "spam.example:8080", "*.spam.example", "spam example",
                                 "<script>alert(1)</script>", "-bad-.example"])
def test_the_settings_form_refuses_what_is_not_a_domain_and_saves_nothing(app, admin_client, bad):
    token = csrf_token_from(admin_client.get(SCREEN))
    response = admin_post(admin_client, "/admin/federation/settings", token, activitypub_enabled="y",
                          federation_blocked_domains=f"fine.example\n{bad}")
    assert response.status_code == 400
    error = page_soup(response).select_one(".field-federation_blocked_domains .field-error").get_text()
    assert "is not a domain" in error and bad[:20] in error
    assert "<script>" not in response.get_data(as_text=True).split("Blocked domains")[0]
    assert get_settings()["federation_blocked_domains"] == "" and get_settings()["webmention_enabled"] is True


def test_the_settings_form_needs_a_csrf_token(app, admin_client):
    response = admin_client.post("/admin/federation/settings", data={"federation_blocked_domains": "x.example"})
    assert response.status_code == 400
    assert get_settings()["federation_blocked_domains"] == ""


@pytest.mark.parametrize("role", [AUTHOR, CONTRIBUTOR])
def test_authors_and_contributors_may_not_open_the_screen_or_retry(app, role):
    delivery = make_delivery(1, status="failed")
    client = client_as(app, staff_user(role))
    assert client.get(SCREEN).status_code == 403
    token = csrf_token_from(client.get("/admin/"))
    assert admin_post(client, f"/admin/federation/retry/delivery/{delivery.id}", token).status_code == 403
    assert "/admin/federation" not in client.get("/admin/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == "failed"


def test_a_logged_out_visitor_is_sent_to_log_in(app, client):
    response = client.get(SCREEN)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [MODERATOR, EDITOR])
def test_moderators_and_editors_see_the_lists_but_not_the_settings(app, role):
    client = client_as(app, staff_user(role))
    response = client.get(SCREEN)
    assert response.status_code == 200
    assert page_soup(response).select_one("#federation_blocked_domains") is None
    token = csrf_token_from(response)
    denied = admin_post(client, "/admin/federation/settings", token, federation_blocked_domains="x.example")
    assert denied.status_code == 403
    assert get_settings()["federation_blocked_domains"] == ""


def test_hostile_values_are_escaped_and_not_linked(app, admin_client):
    make_follower(1, name="<script>alert(1)</script>", handle="@<b>x</b>@social.test")
    db.session.execute(sa.update(RemoteActor).values(profile_url="javascript:alert(1)"))
    make_mention("received", 1, source="javascript:alert(2)", last_error="<img src=x onerror=alert(3)>")
    db.session.commit()
    for tab in ("followers", "received"):
        html = admin_client.get(f"{SCREEN}?tab={tab}").get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>x</b>" not in html
        assert 'href="javascript:' not in html


def _statements(app, client, path: str) -> int:
    client.get(path)
    responses = []
    seen = statements_during(app, lambda: responses.append(client.get(path)))
    assert responses[0].status_code == 200, path
    return len(seen)


def test_each_list_runs_as_many_statements_however_many_rows(app, admin_client):
    """No query per row: the mentions' posts and the deliveries' activities come in one query each."""
    counts: dict[str, dict[int, int]] = {tab: {} for tab in ("followers", "received", "sent", "deliveries")}
    made = 0
    for size in (2, 20, 60):
        for n in range(made, size):
            post = make_post()
            make_follower(n)
            make_mention("received", n, post_id=post.id, status="accepted", kind="reply")
            make_mention("sent", n, post_id=post.id, status="failed")
            make_delivery(n, status="failed")
        made = size
        for tab in counts:
            counts[tab][size] = _statements(app, admin_client, f"{SCREEN}?tab={tab}")
    for tab, by_size in counts.items():
        assert len(set(by_size.values())) == 1, (tab, by_size)
