"""Delivering the blog's activities: the worker's pass sends each due Delivery to its inbox, signed,
many at once, and records what each inbox answered.

Threads only make the HTTP requests (each in an app context of its own, for the signing and the
fetch limits); reading the due rows and writing the results happen in the pass's own thread, a
batch at a time, so that a pass over many thousand deliveries holds one batch in memory.
"""

import json
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite

from activitypub import publish
from activitypub.keys import blog_key
from activitypub.models import Activity, ActorKey, Delivery, InboxHost
from activitypub.signatures import sign_headers
from core.dbtypes import utcnow
from core.i18n import gettext as _
from core.i18n import ngettext
from core.safe_fetch import FetchRefused, fetch
from extensions import db

BATCH = 500  # due rows read, and results written, at a time
TIME_BUDGET = 20.0  # seconds a pass starts new requests for; the other passes wait that long at most
CLAIM_FOR = timedelta(minutes=10)  # longer than a pass lasts, its last requests' timeouts included
CONTENT_TYPE = "application/activity+json"
SCHEMES = ("rfc9421", "cavage")  # tried in this order at an inbox the blog knows nothing about
KNOCK_AGAIN = (401, 403)  # the other scheme may be the one the inbox accepts
RETRY_STATUSES = (401, 403, 408, 429)  # 4xx answers worth trying again later; 5xx always are


@dataclass(frozen=True)
class Job:
    """One delivery to make, as the sending thread needs it (no ORM object crosses threads)."""

    id: int
    inbox: str
    attempts: int
    body: bytes
    scheme: str  # the signature scheme to try first


@dataclass(frozen=True)
class Outcome:
    """What one inbox answered."""

    job: Job
    status: int | None  # the HTTP status, None when no answer came
    error: str = ""
    scheme: str | None = None  # the scheme the inbox accepted after the first was refused
    transient: bool = False  # no answer came, and asking again later may get one (FetchRefused.transient)


def delivery_pass(budget: float = TIME_BUDGET) -> str | None:
    """Announce posts whose scheduled date came, then send due deliveries until none is left or
    `budget` seconds passed; a line on what happened, or None when there was nothing to do.
    Nothing is sent while the owner has turned ActivityPub off: the deliveries wait."""
    publish.fresh_settings()
    if not publish.enabled():
        return None
    announced = publish.publish_due_posts()
    counts = send_due(time.monotonic() + budget)
    if not announced and not any(counts.values()):
        return None
    numbers = {status: f"{count:,}" for status, count in counts.items()}
    if counts["queued"]:
        line = _("delivered %(delivered)s, failed %(failed)s, to retry %(queued)s", **numbers)
    else:
        line = _("delivered %(delivered)s, failed %(failed)s", **numbers)
    if not announced:
        return line
    return ngettext("%(line)s (announced %(num)d scheduled post)", "%(line)s (announced %(num)d scheduled posts)",
                    announced, line=line)


def send_due(deadline: float) -> dict[str, int]:
    """Send the due deliveries, a few requests at once, until none is left or `deadline` (monotonic)
    passed; how many were delivered, failed for good, or queued for another try."""
    counts = {"delivered": 0, "failed": 0, "queued": 0}
    app = current_app._get_current_object()
    key = None  # read with the first due delivery: an idle pass reads nothing more
    workers = max(1, int(current_app.config["ACTIVITYPUB_DELIVERY_CONCURRENCY"]))
    running: set[Future] = set()
    finished: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ap-delivery") as pool:
        for batch in _claimed_batches():
            key = key or _detached(blog_key())
            started = 0
            for job in batch:
                if time.monotonic() > deadline:
                    break
                if len(running) >= workers:
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    finished += [future.result() for future in done]
                if len(finished) >= BATCH:
                    _record(finished, counts)
                    finished = []
                running.add(pool.submit(_send_in_app, app, job, key))
                started += 1
            if started < len(batch):
                _release([job.id for job in batch[started:]])
                break
        finished += [future.result() for future in wait(running).done]
    _record(finished, counts)
    return counts


def _claimed_batches() -> Iterator[list[Job]]:
    """The due deliveries in id order, a batch at a time (memory stays flat), each batch claimed
    for this pass: its rows are not due again for CLAIM_FOR, so that a second worker running at the
    same time does not send them too, and a crashed pass's rows come back later. With each job
    its activity's body and the scheme its inbox host accepted."""
    after, bodies = 0, {}
    while True:
        now = utcnow()
        due = (sa.select(Delivery.id).where(Delivery.status == "queued", Delivery.next_attempt_at <= now,
                                            Delivery.id > after).order_by(Delivery.id).limit(BATCH))
        claimed = db.session.execute(
            sa.update(Delivery).where(Delivery.id.in_(due.scalar_subquery()), Delivery.status == "queued",
                                      Delivery.next_attempt_at <= now)
            .values(next_attempt_at=now + CLAIM_FOR).execution_options(synchronize_session=False)
            .returning(Delivery.id, Delivery.activity_id, Delivery.inbox, Delivery.attempts)).all()
        if not claimed:
            db.session.commit()
            return
        rows = sorted(claimed, key=lambda row: row.id)
        after = rows[-1].id
        _load_bodies(bodies, {row.activity_id for row in rows})
        schemes = _known_schemes({_host(row.inbox) for row in rows})
        db.session.commit()  # the claim holds; no transaction stays open while the requests run
        yield [Job(row.id, row.inbox, row.attempts, bodies[row.activity_id],
                   schemes.get(_host(row.inbox), SCHEMES[0])) for row in rows]


def _release(ids: list[int]) -> None:
    """Make claimed deliveries the pass had no time for due again at once; commits."""
    db.session.execute(sa.update(Delivery).where(Delivery.id.in_(ids), Delivery.status == "queued")
                       .values(next_attempt_at=utcnow()))
    db.session.commit()


def _load_bodies(bodies: dict[int, bytes], activity_ids: set[int]) -> None:
    """The JSON bodies of these activities, added to `bodies` (each serialized once per pass)."""
    missing = activity_ids - bodies.keys()
    if missing:
        for activity_id, payload in db.session.execute(
                sa.select(Activity.id, Activity.payload).where(Activity.id.in_(missing))):
            bodies[activity_id] = json.dumps(payload, ensure_ascii=False).encode()


def _known_schemes(hosts: set[str]) -> dict[str, str]:
    return dict(db.session.execute(sa.select(InboxHost.host, InboxHost.signature_scheme)
                                   .where(InboxHost.host.in_(hosts))).tuples().all())


def _host(inbox: str) -> str:
    return urlsplit(inbox).netloc.lower()[:255]


def _detached(key: ActorKey) -> ActorKey:
    """A copy of the key outside the session, which the sending threads may read."""
    return ActorKey(id=key.id, actor=key.actor, private_key_pem=key.private_key_pem, public_key_pem=key.public_key_pem)


def _send_in_app(app: Flask, job: Job, key: ActorKey) -> Outcome:
    """Run in a sending thread: deliver one job, in an app context of the thread's own."""
    with app.app_context():
        try:
            return send(job, key)
        except Exception as error:  # a bug must cost one delivery a retry, not the pass
            current_app.logger.exception("delivery %s failed", job.id)
            return Outcome(job, None, f"internal error: {type(error).__name__}")


def send(job: Job, key: ActorKey) -> Outcome:
    """POST the activity to the inbox, signed with the scheme to try first and, when the inbox
    refuses that one (401, 403), at once with the other ("double knocking")."""
    try:
        status = _post(job, key, job.scheme)
        if status not in KNOCK_AGAIN:
            return Outcome(job, status)
        other = SCHEMES[1] if job.scheme == SCHEMES[0] else SCHEMES[0]
        second = _post(job, key, other)
        return Outcome(job, second, scheme=other if 200 <= second < 300 else None)
    except FetchRefused as refused:
        return Outcome(job, None, str(refused)[:500], transient=refused.transient)


def _post(job: Job, key: ActorKey, scheme: str) -> int:
    headers = sign_headers("POST", job.inbox, job.body, key, scheme=scheme)
    headers |= {"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE}
    return fetch(job.inbox, method="POST", headers=headers, body=job.body, follow_redirects=False,
                 max_bytes=64 * 1024).status


def _record(outcomes: list[Outcome], counts: dict[str, int]) -> None:
    """Write what the inboxes answered: one bulk UPDATE by id, and the schemes that worked; commits."""
    if not outcomes:
        return
    config = current_app.config
    now = utcnow()
    rows = [_result(outcome, now, config["FEDERATION_RETRY_SECONDS"], config["FEDERATION_MAX_ATTEMPTS"])
            for outcome in outcomes]
    db.session.execute(sa.update(Delivery), rows)
    for row in rows:
        counts[row["status"]] += 1
    learnt = {_host(outcome.job.inbox): outcome.scheme for outcome in outcomes if outcome.scheme}
    if learnt:
        _remember_schemes(learnt, now)
    db.session.commit()


def _result(outcome: Outcome, now, retry_seconds: float, max_attempts: int) -> dict:
    """The Delivery row's new values for this outcome."""
    attempts = outcome.job.attempts + 1
    status = _status_after(outcome, attempts, max_attempts)
    later = now + timedelta(seconds=retry_seconds * 2 ** outcome.job.attempts)
    error = outcome.error or ("" if status == "delivered" else f"HTTP {outcome.status}")
    return {"id": outcome.job.id, "status": status, "attempts": attempts, "last_status": outcome.status,
            "last_error": error[:500], "next_attempt_at": later if status == "queued" else None, "updated_at": now}


def _status_after(outcome: Outcome, attempts: int, max_attempts: int) -> str:
    """delivered (2xx), failed (given up: a final answer, a refused address, the last attempt) or queued."""
    code = outcome.status
    if code is not None and 200 <= code < 300:
        return "delivered"
    if code is None:
        retry = outcome.transient
    else:
        retry = code >= 500 or code in RETRY_STATUSES
    return "queued" if retry and attempts < max_attempts else "failed"


def _remember_schemes(learnt: dict[str, str], now) -> None:
    """Upsert the scheme each host accepted, tried first there from now on."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    for host, scheme in learnt.items():
        statement = insert(InboxHost).values(host=host, signature_scheme=scheme, updated_at=now)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=["host"], set_={"signature_scheme": scheme, "updated_at": now}))
