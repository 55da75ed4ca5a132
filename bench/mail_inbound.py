"""Two-way mail: readers' replies through the inbound listener, and what hostile mail costs to read.

Migrates a temporary SQLite database (`flask db upgrade`) and gives it a published post, an approved
comment and `--replies` readers who each have an earlier approved comment, so that their replies are
approved as they come in. `flask mail inbound` then runs as production runs it (its own process,
BLOG_ENV=production), on a free port of 127.0.0.1: the client's threads do not share its interpreter,
so the latencies are the listener's and not the senders'. Each reader answers the notification with a
Gmail-shaped reply (multipart/alternative, the notification quoted below a signature) sent to their
signed reply address, one SMTP connection per message: first one after another, then from
`--concurrency` senders at once. The database must then hold every reply as a comment, or the run
says which went missing and exits with status 1.

Then, in this process: parse_mail on a typical reply and on three hostile mails (a 10 MB attachment,
5,000 nested multiparts, 100,000 quoted lines), and the peak memory (tracemalloc) of receive_message
taking the 10 MB reply. Figures are printed; nothing is kept.
    .venv/bin/python bench/mail_inbound.py [--replies 300] [--concurrency 4]
"""

import argparse
import os
import random
import shutil
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

REPLY_ADDRESS = "reply@bench.example"
POST_TITLE = "Engines of Thought"
USER_AGENT = "email reply"  # what notify.inbound.replies stores on a comment made from a mail
MAX_BYTES = 10 * 1024 * 1024  # MAIL_INBOUND_MAX_BYTES's default: the hostile mail stays just under it
SETTINGS = {"SECRET_KEY": "bench-secret", "MAIL_REPLY_ADDRESS": REPLY_ADDRESS, "MAIL_DEFAULT_SENDER":
            "Engines of Thought <blog@bench.example>", "SITE_URL": "http://127.0.0.1", "REDIS_URL": ""}


def blog_env(database_url: str) -> dict:
    """The environment of the blog's processes: production settings on the bench database."""
    return os.environ | SETTINGS | {"BLOG_ENV": "production", "DATABASE_URL": database_url, "FLASK_DEBUG": "0",
                                    "MAIL_SERVER": "", "MAIL_INBOUND_MAX_BYTES": str(MAX_BYTES)}


def migrate(database_url: str) -> None:
    subprocess.run([PYTHON, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=blog_env(database_url),
                   check=True, capture_output=True)


def fill(readers: int) -> tuple[int, list[tuple[str, str]]]:
    """The post, the comment readers answer and each reader's earlier approved comment; the comment's
    id and the readers (name, address), the last of them kept for the 10 MB reply."""
    from blog.demo import comment_row, insert_comments, next_comment_id, publish_post
    from blog.settings import save_settings
    from core.dbtypes import utcnow
    from extensions import db

    save_settings({"comment_flood_seconds": 0})
    db.session.commit()
    post = publish_post("engines-of-thought", POST_TITLE, "On Babbage and the engines.\n\n" * 3,
                        utcnow() - timedelta(days=2))
    people = [(f"Reader {n}", f"reader{n}@mail.example") for n in range(readers + 1)]
    first, earlier = next_comment_id(), utcnow() - timedelta(days=1)
    rows = [comment_row(post, first, None, first, 0, "Ada Lovelace", "ada@mail.example", "",
                        "The Bernoulli numbers table has an error in row seven.", earlier)]
    rows += [comment_row(post, first + 1 + n, None, first + 1 + n, 0, name, address, "",
                         f"An earlier word from {name}.", earlier + timedelta(seconds=n))
             for n, (name, address) in enumerate(people)]
    insert_comments(post, rows)
    return first, people


def gmail_reply(name: str, address: str, to: str, text: str) -> EmailMessage:
    """A reply as Gmail sends it: plain and HTML alternatives, a signature, the notification quoted."""
    local = address.partition("@")[0]
    date = formatdate(localtime=False)
    quoted = ["-- Reply above this line to answer Ada Lovelace's comment --", "",
              f"Ada Lovelace commented on \"{POST_TITLE}\":", "",
              "The Bernoulli numbers table has an error in row seven.", "",
              "Read it and reply: http://127.0.0.1/engines-of-thought/#comment-1"]
    message = EmailMessage()
    message["Received"] = (f"from mail-wr1-f41.google.com (mail-wr1-f41.google.com [127.0.0.1]) by mx.bench.example "
                           f"(Postfix) with ESMTPS for <{to}>; {date}")
    message["Authentication-Results"] = (f"mx.bench.example; dkim=pass header.d=mail.example; spf=pass "
                                         f"smtp.mailfrom={address}")
    message["MIME-Version"] = "1.0"
    message["From"] = f"{name} <{address}>"
    message["Date"] = date
    message["Message-ID"] = make_msgid(local, domain="mail.gmail.com")  # a domain given: no DNS lookup
    message["Subject"] = f"Re: New comment on \u201c{POST_TITLE}\u201d"
    message["To"] = f"{POST_TITLE} <{to}>"
    message.set_content(f"{text}\n\n-- \n{name}\nhttps://{local}.example\n\nOn {date}, {POST_TITLE} <\n{to}> wrote:\n\n"
                        + "\n".join(f"> {line}".rstrip() for line in quoted) + "\n")
    quote_html = "<br>\n".join(quoted)
    message.add_alternative(
        f'<div dir="ltr"><div>{text}</div><div><br></div><span class="gmail_signature_prefix">-- </span><br>'
        f'<div dir="ltr" class="gmail_signature">{name}<br><a href="https://{local}.example">https://{local}.example'
        f'</a></div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On {date}, {POST_TITLE} '
        f'&lt;<a href="mailto:{to}">{to}</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px '
        f'0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">{quote_html}</blockquote></div>\n',
        subtype="html")
    return message


def reply_text(round_name: str, n: int) -> str:
    return (f"Thank you for the {round_name} answer, number {n}: did Babbage ever build the anticipating "
            f"carriage? I would read a post about the Jacquard loom next.")


def replies_for(parent_id: int, people: list[tuple[str, str]], round_name: str) -> list[tuple[str, str, bytes]]:
    """(sender, recipient, raw message) of each reader's reply in one round."""
    from notify.reply_addresses import READER_REPLY, address_for

    mails = []  # in SMTP's CRLF lines, as a mail client sends them: smtplib sends bytes unchanged
    for n, (name, address) in enumerate(people):
        to = address_for(READER_REPLY, parent_id, address)
        mails.append((address, to, gmail_reply(name, address, to, reply_text(round_name, n)).as_bytes(policy=SMTP)))
    return mails


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on right now (tests/support/servers.py's, which a
    script run as a file cannot import: bench/tests takes the name `tests`)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_listener(database_url: str, port: int, log: Path) -> subprocess.Popen:
    """`flask mail inbound` on 127.0.0.1:port, once it accepts connections."""
    with log.open("wb") as stderr:
        listener = subprocess.Popen([PYTHON, "-m", "flask", "--app", "app", "mail", "inbound", "--host", "127.0.0.1",
                                     "--port", str(port)], cwd=ROOT, env=blog_env(database_url),
                                    stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if listener.poll() is not None:
            raise RuntimeError(f"flask mail inbound exited: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return listener
        except OSError:
            time.sleep(0.1)
    listener.kill()
    raise RuntimeError("flask mail inbound did not listen within 30 s")


def stop(listener: subprocess.Popen) -> None:
    listener.terminate()
    try:
        listener.wait(10)
    except subprocess.TimeoutExpired:
        listener.kill()
        listener.wait()


def send(port: int, mail: tuple[str, str, bytes]) -> tuple[float, str]:
    """One message on a connection of its own: ms from connect to QUIT, and "" or what went wrong."""
    sender, to, raw = mail
    started = time.perf_counter()
    try:
        with smtplib.SMTP("127.0.0.1", port, local_hostname="127.0.0.1", timeout=60) as client:
            client.sendmail(sender, [to], raw)
        error = ""
    except (smtplib.SMTPException, OSError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    return (time.perf_counter() - started) * 1000, error


def send_all(port: int, mails: list, concurrency: int) -> dict:
    """Every mail from `concurrency` senders; latencies, rate and failures."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda mail: send(port, mail), mails))
    seconds = time.perf_counter() - started
    ms = sorted(latency for latency, _ in results)
    return {"median": statistics.median(ms), "p95": ms[min(len(ms) - 1, int(len(ms) * 0.95))],
            "rate": len(mails) / seconds, "errors": [error for _, error in results if error]}


def replies_stored(parent_id: int) -> dict[str, int]:
    """Comments made from mail under the answered comment, by status."""
    import sqlalchemy as sa

    from blog.models import Comment
    from extensions import db

    db.session.remove()
    rows = db.session.execute(sa.select(Comment.status, sa.func.count())
                              .where(Comment.parent_id == parent_id, Comment.user_agent == USER_AGENT)
                              .group_by(Comment.status)).tuples().all()
    return dict(rows)


def big_reply(name: str, address: str, to: str, text: str) -> bytes:
    """A reply with a PDF attachment that brings it just under MAIL_INBOUND_MAX_BYTES."""
    message = gmail_reply(name, address, to, text)
    message.make_mixed()
    # base64: 4 characters for 3 bytes, and CRLF after each 76
    message.add_attachment(random.Random(28).randbytes(MAX_BYTES * 57 // 78 - 100_000), maintype="application",
                           subtype="pdf", filename="bernoulli-table.pdf")
    raw = message.as_bytes(policy=SMTP)
    assert len(raw) < MAX_BYTES, len(raw)
    return raw


def nested_mail(depth: int) -> bytes:
    """A mail of `depth` multiparts each inside the last, a line of text at the bottom."""
    head = b"From: Nested <nested@mail.example>\r\nTo: %s\r\nSubject: Re: deep\r\nMIME-Version: 1.0\r\n" % (
        REPLY_ADDRESS.encode())
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n) for n in range(depth))
    closing = b"".join(b"\r\n--b%d--\r\n" % n for n in reversed(range(depth)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nHello from the bottom.\r\n" + closing


def quoted_mail(lines: int) -> bytes:
    """A plain-text reply of one line above `lines` quoted ones."""
    message = EmailMessage()
    message["From"] = "Quoter <quoter@mail.example>"
    message["To"] = REPLY_ADDRESS
    message["Subject"] = "Re: quoted"
    message["Message-ID"] = make_msgid("quoter", domain="mail.example")
    body = "One new line.\n\nOn a day, the blog wrote:\n" + "".join(f"> quoted line {n}\n" for n in range(lines))
    message.set_content(body, cte="8bit")
    return message.as_bytes(policy=SMTP)


def parse_ms(raw: bytes, repeat: int) -> tuple[float, int]:
    """Median ms of parse_mail on `raw`, and the length of the text it found."""
    from notify.inbound.message import parse_mail

    times, parsed = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        parsed = parse_mail(raw)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(parsed.text)


def receive_peak(raw: bytes, again: bytes, sender: str, to: str) -> tuple[float, float, str]:
    """receive_message on `raw`: its ms (untraced); then on `again` (another reply, as `raw` is now
    received) the peak traced memory above the start, in MB; and the two outcomes."""
    from notify.inbound.receive import receive_message

    started = time.perf_counter()
    first = receive_message(raw, envelope_from=sender, recipients=[to])
    ms = (time.perf_counter() - started) * 1000
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    second = receive_message(again, envelope_from=sender, recipients=[to])
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return ms, (peak - baseline) / 2**20, f"{first.outcome}, {second.outcome}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=300, help="readers, each replying once per round")
    parser.add_argument("--concurrency", type=int, default=4, help="senders at once in the second round")
    args = parser.parse_args()

    from app import create_app
    from config import Config

    workdir = Path(tempfile.mkdtemp(prefix="blog-bench-mail-"))
    database_url = f"sqlite:///{workdir / 'bench.sqlite'}"
    listener = None
    try:
        migrate(database_url)
        app = create_app(type("BenchConfig", (Config,), SETTINGS | {"SQLALCHEMY_DATABASE_URI": database_url}))
        with app.app_context():
            parent_id, people = fill(args.replies)
            readers, big_sender = people[:-1], people[-1]
            rounds = [("one at a time", 1, replies_for(parent_id, readers, "first")),
                      (f"{args.concurrency} senders", args.concurrency, replies_for(parent_id, readers, "second"))]
        port = free_port()
        listener = start_listener(database_url, port, workdir / "listener.log")
        return run(app, port, parent_id, rounds, big_sender, workdir / "listener.log")
    finally:
        if listener is not None:
            stop(listener)
        shutil.rmtree(workdir, ignore_errors=True)  # figures are printed; nothing is kept


def run(app, port: int, parent_id: int, rounds: list, big_sender: tuple[str, str], log: Path) -> int:
    """Send the rounds, check the database, measure the parsing; print the tables; the exit status."""
    warm_up = rounds[0][2][0][:2] + (b"Subject: warm-up\r\n\r\nnot a reply\r\n",)
    send(port, warm_up)  # refused, having loaded what a message's DATA needs
    lost = not send_rounds(app, port, parent_id, rounds)
    with app.app_context():
        parse_costs(parent_id, rounds[0][2][0][2], big_sender)
    if lost:
        ours = [line for line in log.read_text().splitlines() if not line.startswith("INFO:mail.log")]
        print("The listener's log, its last lines:", *ours[-20:], sep="\n", file=sys.stderr)
    return 1 if lost else 0


def send_rounds(app, port: int, parent_id: int, rounds: list) -> bool:
    """Each round's replies through the listener, its figures printed; whether every one is stored."""
    whole, expected = True, 0
    print(f"{'replies through `flask mail inbound`':<40} {'messages':>8} {'median ms':>10} {'p95 ms':>8} "
          f"{'msg/s':>7}  stored by now")
    for name, concurrency, mails in rounds:
        figures = send_all(port, mails, concurrency)
        expected += len(mails)
        with app.app_context():
            stored = replies_stored(parent_id)
        count = sum(stored.values())
        print(f"{name:<40} {len(mails):>8} {figures['median']:>10.1f} {figures['p95']:>8.1f} {figures['rate']:>7.1f}  "
              f"{count} of {expected} ({', '.join(f'{n} {s}' for s, n in sorted(stored.items()))})")
        if count != expected or figures["errors"]:
            whole = False
            print(f"!!! REPLIES LOST: {expected - count} not stored as comments; {len(figures['errors'])} "
                  f"refused or failed in SMTP, such as {figures['errors'][:2]}")
    return whole


def parse_costs(parent_id: int, typical: bytes, big_sender: tuple[str, str]) -> None:
    """parse_mail on a typical reply and hostile mails, then receive_message's memory; printed."""
    from notify.reply_addresses import READER_REPLY, address_for

    to = address_for(READER_REPLY, parent_id, big_sender[1])
    big, again = (big_reply(*big_sender, to, f"The scan of the table is attached ({n}).") for n in (1, 2))
    mails = [("typical reply (Gmail)", typical, 200), ("10 MB attachment", big, 3),
             ("5,000 nested multiparts", nested_mail(5000), 3), ("100,000 quoted lines", quoted_mail(100_000), 3)]
    print(f"\n{'parse_mail':<40} {'size KB':>8} {'median ms':>10} {'text chars':>11}")
    for label, raw, repeat in mails:
        ms, text = parse_ms(raw, repeat)
        print(f"{label:<40} {len(raw) / 1024:>8.0f} {ms:>10.1f} {text:>11}")
    ms, peak_mb, outcomes = receive_peak(big, again, big_sender[1], to)
    print(f"\nreceive_message, 10 MB reply: {ms:.0f} ms; peak traced memory {peak_mb:.1f} MB above the start "
          f"(tracemalloc); outcomes: {outcomes}")


if __name__ == "__main__":
    sys.exit(main())
