"""The simulated crowd of bench/load_nothing_lost.py: guest commenters and readers, one thread each.

Each commenter is a browser of its own (session, CSRF token, address through X-Forwarded-For) that
posts comments carrying a unique token, and now and then sends the same text twice, as a reader who
double-clicks does. Every answer is recorded with its reason, so the database can be checked after.
"""

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ACTION = re.compile(r'<form id="commentform"[^>]*action="([^"]+)"')
NOTICE = re.compile(r'<p class="notice notice-error" role="alert">([^<]+)</p>')
CUT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


@dataclass
class Tally:
    """Everything the crowd saw, shared by the threads (appends are atomic under the GIL)."""

    accepted: list = field(default_factory=list)  # tokens that got a 303
    refused: Counter = field(default_factory=Counter)  # reason -> count
    refused_tokens: list = field(default_factory=list)  # (token, reason) of every refusal
    cut: list = field(default_factory=list)  # tokens whose request died with the connection
    server_errors: list = field(default_factory=list)  # (method, path, status, snippet) of 5xx but 503
    outage_answers: list = field(default_factory=list)  # (at, kind, ok?) for each 503
    post_latencies: list = field(default_factory=list)
    read_latencies: list = field(default_factory=list)
    reads: Counter = field(default_factory=Counter)  # status -> count
    answers: list = field(default_factory=list)  # (time, ok) of every answer, to see recovery

    def record_503(self, response, kind: str, text: str | None = None) -> None:
        body = response.text
        friendly = "briefly unavailable" in body and "Traceback" not in body
        ok = friendly and int(response.headers.get("Retry-After", "0") or 0) > 0
        if text is not None:  # a comment refused by the outage: the page must say so and keep it
            ok = ok and "Your comment was not saved yet" in body and _escaped(text) in body
        self.outage_answers.append((time.monotonic(), kind, ok))


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def refusal_reason(response) -> str:
    """Why the blog refused a comment, from its status and the message it showed."""
    body = response.text
    notice = NOTICE.search(body)
    if response.status_code == 409:
        return "duplicate"
    if response.status_code == 429:
        return "flood" if "too quickly" in body else "rate limit"
    if response.status_code == 400:
        return "expired form" if "had expired" in body else "invalid form"
    return f"{response.status_code}: {notice.group(1) if notice else 'no message'}"


class Commenter(threading.Thread):
    def __init__(self, base: str, post_path: str, number: int, run: str, deadline: float, tally: Tally,
                 pause: tuple[float, float]):
        super().__init__(daemon=True)
        self.base, self.post_path, self.number, self.run_id = base, post_path, number, run
        self.deadline, self.tally, self.pause = deadline, tally, pause
        self.session = requests.Session()
        self.ip = f"10.77.{number // 250}.{number % 250 + 1}"
        self.author = f"Load Commenter {number}"
        self.email = f"load-{run}-{number}@example.com"

    def _open_form(self) -> tuple[str, str]:
        while time.monotonic() < self.deadline:
            try:
                page = self.session.get(self.base + self.post_path, timeout=10)
                if page.status_code == 200:
                    return TOKEN.search(page.text).group(1), ACTION.search(page.text).group(1)
            except CUT:
                pass
            time.sleep(0.5)
        raise TimeoutError("the post page never opened")

    def run(self) -> None:
        try:
            token, action = self._open_form()
        except TimeoutError:
            return
        n, previous = 0, None
        rhythm = random.Random(self.number)
        while time.monotonic() < self.deadline:
            n += 1
            again = previous is not None and n % 9 == 0  # a double click: the same text once more
            marker = previous if again else f"LNL-{self.run_id}-{self.number}-{n}"
            text = f"Comment {marker} from commenter {self.number}: <b>fine</b> & dandy."
            data = {"csrf_token": token, "comment_parent": "0", "author": self.author, "email": self.email,
                    "url": "", "comment": text}
            started = time.monotonic()
            try:
                response = self.session.post(self.base + action, data=data, allow_redirects=False, timeout=30,
                                             headers={"X-Forwarded-For": self.ip})
            except CUT:
                self.tally.cut.append(marker)
                self.tally.answers.append((time.monotonic(), False))
                continue
            self.tally.post_latencies.append(time.monotonic() - started)
            self._classify(response, marker, text, again)
            previous = marker
            time.sleep(rhythm.uniform(*self.pause))

    def _classify(self, response, marker: str, text: str, again: bool) -> None:
        status = response.status_code
        self.tally.answers.append((time.monotonic(), status < 500))
        if status == 303:
            self.tally.accepted.append(marker)
        elif status == 503:
            self.tally.record_503(response, "comment", text)
            self.tally.refused["database unavailable (503)"] += 1
            self.tally.refused_tokens.append((marker, "503"))
        elif status >= 500:
            self.tally.server_errors.append(("POST", marker, status, response.text[:200]))
        else:
            reason = refusal_reason(response)
            self.tally.refused[reason + (" (double click)" if again and reason == "duplicate" else "")] += 1
            self.tally.refused_tokens.append((marker, reason))


class Reader(threading.Thread):
    """Loads the post, the home page and the feeds, as readers and feed readers do."""

    def __init__(self, base: str, paths: list[str], number: int, deadline: float, tally: Tally):
        super().__init__(daemon=True)
        self.base, self.paths, self.number, self.deadline, self.tally = base, paths, number, deadline, tally
        self.session = requests.Session()
        if number % 2:  # half of them are returning commenters: the page cache cannot serve them
            self.session.cookies.set("comment_author", "returning-reader")

    def run(self) -> None:
        n = 0
        while time.monotonic() < self.deadline:
            path = self.paths[(self.number + n) % len(self.paths)]
            n += 1
            started = time.monotonic()
            try:
                response = self.session.get(self.base + path, timeout=30)
            except CUT:
                self.tally.reads["connection cut"] += 1
                continue
            self.tally.read_latencies.append(time.monotonic() - started)
            self.tally.reads[response.status_code] += 1
            self.tally.answers.append((time.monotonic(), response.status_code < 500))
            if response.status_code == 503:
                self.tally.record_503(response, "page")
            elif response.status_code >= 500:
                self.tally.server_errors.append(("GET", path, response.status_code, response.text[:200]))
            time.sleep(0.05)
