"""A local Akismet on 127.0.0.1 that speaks Akismet's REST API (1.1): comment-check, submit-spam, submit-ham.

It checks the key, answers spam for Akismet's own test author and for text carrying SPAM_MARKER (with the
"discard" tip for DISCARD_MARKER), and records every call for the test's assertions. A test can slow it
down (`delay`, or `trickle` its answer a byte at a time) or make it fail (`fail_with`).
"""

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

API_KEY = "local-akismet-key"
SPAM_MARKER = "[akismet-spam]"
DISCARD_MARKER = "[akismet-discard]"
GUARANTEED_SPAM_AUTHOR = "akismet-guaranteed-spam"  # Akismet's documented test author
METHODS = ("comment-check", "submit-spam", "submit-ham")
REQUIRED = ("blog", "user_ip")  # what comment-check refuses to run without
THANKS = "Thanks for making the web a better place."


@dataclass(frozen=True)
class Call:
    method: str  # "comment-check", "submit-spam" or "submit-ham"
    fields: dict  # the form's fields, one value each
    content_type: str


class AkismetServer:
    """The server; `url` is what AKISMET_URL takes."""

    def __init__(self, api_key: str = API_KEY):
        self.api_key = api_key
        self.calls: list[Call] = []
        self.delay = 0.0  # seconds to wait before answering each call
        self.trickle = 0.0  # seconds between the bytes of each answer (each read of the client is quick)
        self.fail_with: int | None = None  # an HTTP status to answer every call with
        self._stopping = threading.Event()
        self._arrived = threading.Condition()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_port}/1.1"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()  # releases any call still waiting out its delay
        self._httpd.shutdown()
        self._thread.join(2)
        self._httpd.server_close()

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls to `method` once there are `count` of them (they may come from a background thread)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.calls_to(method)) < count and (left := deadline - time.monotonic()) > 0:
                self._arrived.wait(left)
        return self.calls_to(method)

    def record(self, call: Call) -> None:
        with self._arrived:
            self.calls.append(call)
            self._arrived.notify_all()

    def answer(self, call: Call) -> tuple[int, str, dict]:
        """Status, body and headers for a call, as Akismet answers it."""
        if self.fail_with:
            return self.fail_with, "Internal Server Error", {}
        if call.method not in METHODS:
            return 404, "Not Found", {}
        fields = call.fields
        if fields.get("api_key") != self.api_key:
            return 200, "invalid", {"X-akismet-debug-help": "We were unable to verify your API key."}
        if call.method != "comment-check":
            return 200, THANKS, {}
        if missing := [name for name in REQUIRED if not fields.get(name)]:
            return 200, "invalid", {"X-akismet-debug-help": f"Empty \"{missing[0]}\" value"}
        if fields.get("user_role") == "administrator":
            return 200, "false", {}
        content = fields.get("comment_content", "")
        if DISCARD_MARKER in content:
            return 200, "true", {"X-akismet-pro-tip": "discard"}
        if SPAM_MARKER in content or fields.get("comment_author") == GUARANTEED_SPAM_AUTHOR:
            return 200, "true", {}
        return 200, "false", {}


def _handler_for(server: AkismetServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as Akismet's servers do

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
            method = self.path.removeprefix("/1.1/") if self.path.startswith("/1.1/") else self.path
            call = Call(method, {name: values[-1] for name, values in form.items()},
                        self.headers.get("Content-Type", ""))
            server.record(call)
            if server.delay:
                server._stopping.wait(server.delay)
            status, body, headers = server.answer(call)
            data = body.encode()
            headers = {"Content-Type": "text/plain; charset=utf-8", **headers, "Content-Length": str(len(data))}
            head = "".join([f"HTTP/1.1 {status} {self.responses[status][0]}\r\n",
                            *(f"{name}: {value}\r\n" for name, value in headers.items()), "\r\n"])
            try:
                self._write(head.encode("latin-1") + data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting, as the app's deadline makes it do

        def _write(self, answer: bytes) -> None:
            if not server.trickle:
                self.wfile.write(answer)
                return
            for index in range(len(answer)):
                if server._stopping.wait(server.trickle):
                    return
                self.wfile.write(answer[index:index + 1])

        def log_message(self, *_args) -> None:
            pass  # the test's output stays readable

    return Handler
