"""Load with nothing lost: guest commenters and readers against gunicorn in production settings.

    python -m bench.load_nothing_lost --database sqlite --seconds 60
    python -m bench.load_nothing_lost --database postgres --kill-worker --stop-postgres 10

Starts the blog under gunicorn (deploy/gunicorn.conf.py, BLOG_ENV=production) on a fresh SQLite file
or a fresh PostgreSQL database, trusting one proxy hop so every commenter has its own address.
50 commenters post comments that each carry a unique token while 50 readers load pages; the mail
server is down throughout. Afterwards the database is read: every comment that got a 303 must be
stored exactly once, no refused one stored, no request answered 5xx (but the 503s of a database
outage, which must be friendly), the post's counters must match its rows, and the held mail must
go out once an SMTP server appears. Faults on request: SIGKILL of a gunicorn worker, PostgreSQL
stopped for N seconds. Talks to 127.0.0.1 only and stops by itself; exit status 1 when a check fails.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_clients import Commenter, Reader, Tally  # noqa: E402
from bench.run import PYTHON, Server, drop_database, free_port, prepare_database  # noqa: E402

SECRET = "load-nothing-lost-" + uuid.uuid4().hex


def blog_env(database_url: str, mail_port: int, **extra) -> dict:
    return {"BLOG_ENV": "production", "SECRET_KEY": SECRET, "DATABASE_URL": database_url, "PROXY_FIX_HOPS": "1",
            "SESSION_COOKIE_SECURE": "0",  # plain HTTP on loopback; TLS is the proxy's job
            "COMMENT_RATE_LIMIT": "20 per minute", "REDIS_URL": "", "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(mail_port), "MAIL_TIMEOUT": "2", "MAIL_RETRY_SECONDS": "5",
            "SITE_URL": "http://127.0.0.1", **extra}


def flask(database_url: str, mail_port: int, *args: str, **extra) -> str:
    env = os.environ | blog_env(database_url, mail_port, **extra)
    done = subprocess.run([PYTHON, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def prepare(database_url: str) -> dict:
    """Migrate, then make the post, its owner (who is mailed about comments) and the settings."""
    flask(database_url, 25, "db", "upgrade")
    out = subprocess.run([PYTHON, "-m", "bench.load_nothing_lost", "--inside", "prepare"], cwd=ROOT, timeout=120,
                         env=os.environ | blog_env(database_url, 25), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def inside(task: str, run: str = "") -> None:
    """Steps run in a child process with the blog's settings (so this process imports no app)."""
    from app import create_app
    from auth.services import save_admin
    from bench import seed
    from blog.permalinks import post_url
    from blog.settings import save_settings
    from extensions import db

    app = create_app()
    with app.test_request_context():
        if task == "prepare":
            save_admin("owner@example.com", "load-owner-password")
            post = seed.make_post("under-load", "A post under load", "Say something.\n\n" * 3)
            # Every comment is published at once, so the post's counters are checked too; a commenter
            # who posts again within 2 s is refused as a flood, as WordPress would.
            save_settings({"comment_previously_approved": False, "comment_flood_seconds": 2,
                           "comment_max_links": 0})
            db.session.commit()
            print(json.dumps({"post": post_url(post), "post_id": post.id}))
        elif task == "count":
            print(json.dumps(count_rows(run)))


def count_rows(run: str) -> dict:
    import sqlalchemy as sa

    from blog.models import Comment, Post
    from extensions import db
    from notify.models import OutboxMessage

    rows = db.session.execute(sa.select(Comment.body, Comment.author_name, Comment.author_email, Comment.status,
                                        Comment.root_id, Comment.post_id).where(Comment.body.contains(f"LNL-{run}-")))
    tokens, partial = Counter(), 0
    for body, name, email, status, root_id, post_id in rows:
        tokens[body.split()[1]] += 1
        partial += not (name and email and status == "approved" and root_id and post_id)
    post = db.session.scalars(sa.select(Post).where(Post.slug == "under-load")).one()
    approved = sa.select(sa.func.count()).select_from(Comment).where(Comment.post_id == post.id,
                                                                     Comment.status == "approved")
    outbox = dict(db.session.execute(sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status))
                  .tuples().all())
    return {"tokens": tokens, "partial": partial, "comment_count": post.comment_count,
            "thread_count": post.thread_count, "approved_rows": db.session.scalar(approved),
            "top_level_rows": db.session.scalar(approved.where(Comment.depth == 0)), "outbox": outbox}


def postgres(action: str) -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action], check=True, timeout=60)


def faults(args, blog: Server, started: float, deadline: float, log: list) -> None:
    """Run the requested faults at a third of the load, each logged with its time."""
    time.sleep(max(0.0, (deadline - started) / 3))
    if args.kill_worker:
        victim = int(blog._worker_pids()[0])
        os.kill(victim, signal.SIGKILL)
        log.append((time.monotonic(), f"SIGKILL sent to gunicorn worker {victim}"))
    if args.stop_postgres:
        log.append((time.monotonic(), "PostgreSQL stopping"))
        postgres("stop")
        log.append((time.monotonic(), "PostgreSQL stopped"))
        time.sleep(args.stop_postgres)
        postgres("start")
        log.append((time.monotonic(), "PostgreSQL started again"))


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000  # noqa: E731
    return (f"p50 {statistics.median(ordered) * 1000:.0f} ms, p90 {pick(0.90):.0f} ms, "
            f"p99 {pick(0.99):.0f} ms, max {ordered[-1] * 1000:.0f} ms ({len(ordered)} answers)")


class MailCounter:
    """An SMTP server on 127.0.0.1 that counts what it is sent (aiosmtpd)."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 Message accepted for delivery"


def deliver_held_mail(database_url: str, expected: int) -> tuple[str, int]:
    """Start an SMTP server, then run the mail sender as cron would; returns its report and the count."""
    from aiosmtpd.controller import Controller

    counter, port = MailCounter(), free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port, server_hostname="127.0.0.1")
    controller.start()
    try:
        # A pass sends a batch; cron runs it again until the outbox is empty. A message that failed
        # while the server was down waits for its back-off (MAIL_RETRY_SECONDS=5 here) first.
        passes, started = 0, time.monotonic()
        while counter.received < expected and time.monotonic() - started < 60:
            passes += 1
            if flask(database_url, port, "mail", "send").startswith("Mail: 0 sent"):
                time.sleep(1)
        return f"{passes} passes in {time.monotonic() - started:.0f} s, {counter.received} sent", counter.received
    finally:
        controller.stop()


def mail_pass_while_down(database_url: str, port: int, delay: float, result: list) -> None:
    """Two thirds into the load, the cron job tries to send while the mail server is down."""
    time.sleep(delay)
    result.append(flask(database_url, port, "mail", "send").strip())


def run(args) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix=f"blog-load-{args.database}-"))
    database_url = prepare_database(args.database, workdir)
    run_id = uuid.uuid4().hex[:6]
    closed_mail_port = free_port()  # nothing listens there: the mail server is down during the load
    try:
        target = prepare(database_url)
        blog = Server("app:create_app()", blog_env(database_url, closed_mail_port), args.workers, workdir / "blog.log")
        try:
            tally, events = Tally(), []
            started = time.monotonic()
            deadline = started + args.seconds
            crowd = [Commenter(blog.url, target["post"], n, run_id, deadline, tally, (0.5, 3.0))
                     for n in range(args.commenters)]
            paths = [target["post"], "/", "/comments/feed/", target["post"] + "feed/"]
            crowd += [Reader(blog.url, paths, n, deadline, tally) for n in range(args.readers)]
            for thread in crowd:
                thread.start()
            fault = threading.Thread(target=faults, args=(args, blog, started, deadline, events), daemon=True)
            fault.start()
            mail_during: list = []
            mailer = threading.Thread(target=mail_pass_while_down, daemon=True,
                                      args=(database_url, closed_mail_port, args.seconds * 2 / 3, mail_during))
            mailer.start()
            for thread in crowd:
                thread.join(args.seconds + 90)
            fault.join(120)
            mailer.join(120)
            alive = sum(thread.is_alive() for thread in crowd)
            log_text = blog.log.read_text()
        finally:
            blog.stop()
        counted = json.loads(subprocess.run(
            [PYTHON, "-m", "bench.load_nothing_lost", "--inside", "count", "--run", run_id], cwd=ROOT, timeout=120,
            env=os.environ | blog_env(database_url, closed_mail_port), capture_output=True, text=True,
            check=True).stdout.strip().splitlines()[-1])
        mail_report, delivered = deliver_held_mail(database_url, sum(counted["outbox"].values()))
        return report(args, tally, counted, events, started, alive, " ".join(mail_during), mail_report, delivered,
                      log_text)
    finally:
        drop_database(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


def report(args, tally: Tally, counted: dict, events: list, started: float, alive: int, mail_during: str,
           mail_report: str, delivered: int, log_text: str) -> bool:
    stored = Counter(counted["tokens"])
    accepted = Counter(tally.accepted)
    lost = [t for t in accepted if stored[t] == 0]
    twice = [t for t in stored if stored[t] > 1]
    refused_only = {t for t, _ in tally.refused_tokens} - set(accepted) - set(tally.cut)
    phantom = [t for t in refused_only if stored[t]]
    cut_stored = sum(1 for t in set(tally.cut) if stored[t])
    unexplained = [t for t in stored if t not in accepted and t not in tally.cut and t not in refused_only]
    outage = [ok for _, _, ok in tally.outage_answers]
    kind = "PostgreSQL" if args.database == "postgres" else "SQLite"
    print(f"\n== Load with nothing lost: {kind}, {args.commenters} commenters + {args.readers} readers, "
          f"{args.seconds:g} s, {args.workers} gunicorn workers ==")
    for at, what in events:
        print(f"  fault at {at - started:5.1f} s: {what}")
    submissions = len(tally.accepted) + sum(tally.refused.values()) + len(tally.cut) + len(tally.server_errors)
    print(f"comment submissions: {submissions}")
    print(f"  accepted (303):     {len(tally.accepted)}")
    print(f"  refused (4xx/503):  {sum(tally.refused.values())}  " + ", ".join(
        f"{reason}: {n}" for reason, n in tally.refused.most_common()))
    print(f"  cut by a fault:     {len(tally.cut)}  (stored once: {cut_stored}, not stored: "
          f"{len(set(tally.cut)) - cut_stored})")
    print(f"  5xx other than 503: {len(tally.server_errors)}")
    print(f"stored rows with a token: {sum(stored.values())}; accepted and stored exactly once: "
          f"{sum(1 for t in accepted if stored[t] == 1)}")
    print(f"lost (303 but not stored): {len(lost)}; stored twice: {len(twice)}; refused but stored: {len(phantom)}; "
          f"stored without any answer: {len(unexplained)}; incomplete rows: {counted['partial']}")
    print(f"post counters: comment_count {counted['comment_count']} vs {counted['approved_rows']} approved rows, "
          f"thread_count {counted['thread_count']} vs {counted['top_level_rows']}")
    print(f"reader requests: {sum(tally.reads.values())}  " + ", ".join(
        f"{status}: {n}" for status, n in sorted(tally.reads.items(), key=str)))
    print(f"latency, comment POST: {percentiles(tally.post_latencies)}")
    print(f"latency, page GET:     {percentiles(tally.read_latencies)}")
    if outage:
        print(f"503 answers during the outage: {len(outage)}, friendly with Retry-After"
              f"{' and the comment text kept' if any(k == 'comment' for _, k, _ in tally.outage_answers) else ''}: "
              f"{sum(outage)}")
    recovered = _recovered(tally, events)
    if recovered is not None:
        print(f"first good answer after PostgreSQL came back: {recovered:.1f} s later (no restart)")
    print(f"mail: server down during the load ({mail_during or 'no pass'}); outbox after: {counted['outbox']}; "
          f"once an SMTP server is up: {mail_report}")
    tracebacks = log_text.count("Traceback")
    print(f"gunicorn log: {tracebacks} tracebacks, {log_text.count('database unavailable')} 'database unavailable' "
          f"lines, {log_text.count('was sent SIGKILL')} worker killed and replaced")
    failures = {
        "lost comments": len(lost), "stored twice": len(twice), "refused but stored": len(phantom),
        "stored without answer": len(unexplained), "incomplete rows": counted["partial"],
        "5xx": len(tally.server_errors), "unfriendly 503": outage.count(False), "threads still running": alive,
        "counter mismatch": int(counted["comment_count"] != counted["approved_rows"]
                                or counted["thread_count"] != counted["top_level_rows"]),
        "mail not delivered": int(delivered != sum(counted["outbox"].values())),
        "503 without an outage": int(bool(outage) and not args.stop_postgres),
        "no comment accepted": int(not tally.accepted),
    }
    bad = {name: n for name, n in failures.items() if n}
    print("RESULT: " + ("nothing lost, no 5xx" if not bad else f"FAILED {bad}"))
    return not bad


def _recovered(tally: Tally, events: list) -> float | None:
    back = next((at for at, what in events if what == "PostgreSQL started again"), None)
    if back is None:
        return None
    good = [at for at, ok in tally.answers if ok and at >= back]
    return (min(good) - back) if good else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load (default 60)")
    parser.add_argument("--commenters", type=int, default=50)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL one gunicorn worker a third of the way in")
    parser.add_argument("--stop-postgres", type=float, default=0, metavar="SECONDS",
                        help="stop PostgreSQL for this long a third of the way in (postgres only)")
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    parser.add_argument("--run", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args.inside, args.run)
        return
    if args.stop_postgres and args.database != "postgres":
        parser.error("--stop-postgres needs --database postgres")
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
