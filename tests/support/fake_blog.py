"""Another blog on 127.0.0.1 for the Webmention tests: it serves the pages a test gives it (status,
headers, body; a body of many megabytes is streamed) and has a Webmention endpoint of its own.

Its endpoint does what a real receiver does, independently of the blog's code: it fetches the
source over HTTP and checks that it links the target, and records each mention with the outcome.
Every request it gets is recorded too, so a test can prove that nothing was asked of it.
"""

import html.parser
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urldefrag, urljoin

CHUNK = 64 * 1024


@dataclass
class Page:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    streamed_bytes: int = 0  # instead of body: this many bytes of filler, sent in chunks


@dataclass(frozen=True)
class Hit:
    method: str
    path: str


@dataclass(frozen=True)
class Received:
    """A mention the endpoint got, and what checking its source found."""

    source: str
    target: str
    verified: bool
    reason: str


class _Hrefs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.urls.append(value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a reader that hangs up early (as on a page too large) is expected here


class FakeBlog:
    """The server; `url` is its address (http://127.0.0.1:<port>), `endpoint` its Webmention endpoint."""

    def __init__(self):
        self.pages: dict[str, Page] = {}
        self.hits: list[Hit] = []
        self.received: list[Received] = []
        self.endpoint_statuses: list[int] = []  # answers to give, in turn; 202 once they run out
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self._httpd.server_port}"
        self.endpoint = self.url + "/webmention"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._thread.join(2)
        self._httpd.server_close()

    def page(self, path: str, body: str | bytes = "", status: int = 200, headers: dict | None = None,
             streamed_bytes: int = 0, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve `path`; its absolute URL."""
        body = body.encode() if isinstance(body, str) else body
        self.pages[path] = Page(status, body, {"Content-Type": content_type, **(headers or {})}, streamed_bytes)
        return self.url + path

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.page(path, status=status, headers={"Location": location})

    def hits_to(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    def record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def next_endpoint_status(self) -> int:
        with self._lock:
            return self.endpoint_statuses.pop(0) if self.endpoint_statuses else 202

    def verify(self, source: str, target: str) -> Received:
        """Fetch the source (following redirects, as receivers do) and look for a link to the target."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(urllib.request.Request(source, headers={"Accept": "text/html"}), timeout=5) as answer:
                final, text = answer.geturl(), answer.read(1024 * 1024).decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as error:
            return Received(source, target, False, f"source unreadable: {error}")
        hrefs = _Hrefs()
        hrefs.feed(text)
        wanted = urldefrag(target)[0]
        linked = any(urldefrag(urljoin(final, url))[0] == wanted for url in hrefs.urls)
        return Received(source, target, linked, "links the target" if linked else "no link to the target")


def _handler_for(blog: FakeBlog):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            blog.record(Hit("GET", self.path))
            page = blog.pages.get(self.path)
            if page is None:
                return self._answer(404, b"Not found", {"Content-Type": "text/plain"})
            if page.streamed_bytes:
                return self._stream(page)
            return self._answer(page.status, page.body, page.headers)

        def do_POST(self):
            blog.record(Hit("POST", self.path))
            length = int(self.headers.get("Content-Length") or 0)
            fields = parse_qs(self.rfile.read(length).decode())
            if self.path != "/webmention":
                return self._answer(405, b"", {})
            source, target = (fields.get(name, [""])[0] for name in ("source", "target"))
            status = blog.next_endpoint_status()
            if status >= 300:
                return self._answer(status, b"Try again later", {"Content-Type": "text/plain"})
            if not source or not target:
                return self._answer(400, b"source and target are required", {"Content-Type": "text/plain"})
            received = blog.verify(source, target)
            with blog._lock:
                blog.received.append(received)
            return self._answer(status, received.reason.encode(), {"Content-Type": "text/plain"})

        def _answer(self, status: int, body: bytes, headers: dict) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream(self, page: Page) -> None:
            """Chunked, with no Content-Length: the reader finds out the size by reading."""
            self.send_response(page.status)
            for name, value in page.headers.items():
                self.send_header(name, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"x" * (CHUNK - 7) + b"</p>\n"
            try:
                for _ in range(page.streamed_bytes // len(chunk)):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the reader stopped reading, as it should
            self.close_connection = True

    return Handler


def entry(target: str, *, prop: str = "in-reply-to", content: str = "Nice post!", name: str = "Ada Lovelace",
          url: str = "", photo: str = "", extra: str = "") -> str:
    """An h-entry page replying to (prop="in-reply-to"), liking ("like-of") or reposting ("repost-of")
    the target, with its author's h-card."""
    photo_tag = f'<img class="u-photo" src="{photo}" alt="">' if photo else ""
    named = f'<a class="p-name u-url" href="{url}">{name}</a>' if url else f'<span class="p-name">{name}</span>'
    author = f'<span class="p-author h-card">{photo_tag}{named}</span>'
    return f"""<!doctype html><html><head><title>A page</title></head><body>
<article class="h-entry">{author}
<a class="u-{prop}" href="{target}">the post</a>
<div class="e-content">{content}</div>{extra}
</article></body></html>"""
