"""The blog's HTTP Signatures as another server checks them: the fake fediverse server verifies
what sign_headers makes by fetching our actor's key over HTTP; and the inbox's rate limit."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from activitypub.actors import fetch_actor
from activitypub.keys import blog_key, key_id
from activitypub.models import ActorKey, RemoteActor
from activitypub.signatures import SignatureRefused, sign_headers, verify_request
from core.safe_fetch import fetch
from extensions import db
from tests.support.fediverse_server import sign


@pytest.mark.parametrize("scheme", ["cavage", "rfc9421"])
def test_a_signed_post_from_the_blog_verifies_at_another_server(fediverse, live_blog, scheme):
    ada = fediverse.add_actor("ada")
    body = json.dumps({"type": "Create", "actor": f"{live_blog.url}/ap/actor"}).encode()
    for inbox in (ada.inbox, f"{fediverse.url}/inbox"):
        headers = sign_headers("POST", inbox, body, blog_key(), scheme) | {"Content-Type": "application/activity+json"}
        answer = fetch(inbox, method="POST", headers=headers, body=body)
        assert answer.status == 202
    received = fediverse.wait_for(2)
    assert [(r.scheme, r.verified, r.error) for r in received] == [(scheme, True, "")] * 2
    assert received[0].activity["type"] == "Create"


def test_the_blog_key_is_made_once_and_kept(live_blog):
    first = blog_key()
    assert blog_key().id == first.id and db.session.scalar(sa.select(sa.func.count()).select_from(ActorKey)) == 1
    assert key_id() == f"{live_blog.url}/ap/actor#main-key"


def test_a_changed_body_fails_at_the_other_server(fediverse, live_blog):
    ada = fediverse.add_actor("ada")
    headers = sign_headers("POST", ada.inbox, b'{"a": 1}', blog_key(), "cavage")
    assert fetch(ada.inbox, method="POST", headers=headers, body=b'{"a": 2}').status == 401
    [received] = fediverse.wait_for(1)
    assert not received.verified and "digest" in received.error


def test_verify_request_names_the_signer_in_either_scheme(fediverse, live_blog):
    ada = fediverse.add_actor("ada", "Ada Lovelace")
    url = f"{live_blog.url}/ap/inbox"
    for scheme in ("cavage", "rfc9421"):
        body = b'{"type": "Like"}'
        headers = sign(scheme, "POST", url, body, ada.key_id, ada.key)
        signer = verify_request("POST", url, headers, body)
        assert (signer.uri, signer.handle, signer.name) == (ada.uri, ada.handle, "Ada Lovelace")
        with pytest.raises(SignatureRefused) as refused:
            verify_request("POST", url + "?elsewhere", headers, body)
        assert refused.value.status == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteActor)) == 1, "fetched once, cached"


def test_an_actor_document_from_another_host_or_without_the_key_is_not_cached(fediverse, live_blog):
    ada = fediverse.add_actor("ada")
    assert fetch_actor(f"{ada.uri}#other-key", key_id=f"{ada.uri}#other-key") is None
    assert fetch_actor(f"{fediverse.url}/users/nobody") is None
    assert fetch_actor("file:///etc/passwd") is None
    assert db.session.scalars(sa.select(RemoteActor)).all() == []


def test_the_inbox_is_rate_limited_with_a_json_answer(app_factory):
    app = app_factory(ACTIVITYPUB_INBOX_RATE_LIMIT="2 per minute")
    client = app.test_client()
    answers = [client.post("/ap/inbox", data=b"{}") for _ in range(3)]
    assert [a.status_code for a in answers] == [400, 400, 429]
    assert answers[2].is_json and answers[2].get_json()["error"]


def test_a_date_in_the_future_beyond_the_allowed_skew_is_refused(fediverse, live_blog):
    ada = fediverse.add_actor("ada")
    later = datetime.now(UTC) + timedelta(seconds=live_blog.app.config["ACTIVITYPUB_SIGNATURE_MAX_AGE"] + 60)
    headers = sign("cavage", "POST", live_blog.inbox, b"{}", ada.key_id, ada.key, later)
    with pytest.raises(SignatureRefused):
        verify_request("POST", live_blog.inbox, headers, b"{}")
