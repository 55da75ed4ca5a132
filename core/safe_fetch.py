"""Requests the server makes to addresses strangers give it (a Webmention's source, a fediverse
actor, an inbox), with limits: time, size, redirects, and never its own network.

A hostile URL could point the server at 127.0.0.1, the cloud's metadata address or a machine
behind the firewall. Every hop's host is resolved here and refused when any of its addresses is
not a public one (unless OUTBOUND_ALLOWED_PRIVATE_HOSTS lists it), and the connection goes to the
very address that was checked, so a name that resolves differently a second time changes nothing.
"""

import ipaddress
import json
import socket
import time
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urljoin, urlunsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers, parse_header_links

from core.clean_input import web_address

REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 64 * 1024


class FetchRefused(Exception):
    """The request was not made or its answer not read; the message says why, for the owner's screens.

    `transient` when asking again later may succeed (the other server was down, slow, or its name
    did not resolve); a private address, a bad URL, a redirect loop or a too large answer will not
    change by asking again.
    """

    def __init__(self, message: str, transient: bool = False):
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Fetched:
    """An answer read within the limits."""

    url: str  # where it came from, after redirects
    status: int
    headers: CaseInsensitiveDict
    content: bytes

    @cached_property
    def text(self) -> str:
        encoding = get_encoding_from_headers(self.headers) or "utf-8"
        try:
            return self.content.decode(encoding, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")

    @cached_property
    def links(self) -> dict[str, dict[str, str]]:
        """The Link header by rel, each URL made absolute (as requests.Response.links, resolved)."""
        found: dict[str, dict[str, str]] = {}
        for header in self.headers.get("Link", "").split("\n"):
            for link in parse_header_links(header) if header.strip() else []:
                link["url"] = urljoin(self.url, link.get("url", ""))
                for rel in link.get("rel", "").split():
                    found.setdefault(rel.lower(), link)
        return found

    def json(self):
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.content)


class _PinnedAdapter(HTTPAdapter):
    """Connects to a checked address while TLS still names (and verifies) the URL's host."""

    def __init__(self, hostname: str):
        self._hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs.update(server_hostname=self._hostname, assert_hostname=self._hostname)
        super().init_poolmanager(*args, **kwargs)


def fetch(url: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
          follow_redirects: bool = True, max_bytes: int | None = None) -> Fetched:
    """Request `url` within the configured limits; any HTTP status is returned. Raises FetchRefused
    for a URL or address it will not reach, an answer too large or too slow, or a redirect loop."""
    config = current_app.config
    limit = max_bytes if max_bytes is not None else config["OUTBOUND_MAX_BYTES"]
    seen: set[str] = set()
    current = url
    for _hop in range(config["OUTBOUND_MAX_REDIRECTS"] + 1):
        if current in seen:
            raise FetchRefused(f"redirect loop at {current[:200]}")
        seen.add(current)
        answer = _request_once(method, current, headers or {}, body, limit)
        location = answer.headers.get("Location")
        if not (follow_redirects and answer.status in REDIRECTS and location and method in ("GET", "HEAD")):
            return answer
        current = urljoin(current, location)
    raise FetchRefused(f"more than {config['OUTBOUND_MAX_REDIRECTS']} redirects")


def _request_once(method: str, url: str, headers: dict, body: bytes | None, limit: int) -> Fetched:
    parts = web_address(url)
    if parts is None:
        raise FetchRefused("not an http(s) address")
    if parts.username or parts.password:
        raise FetchRefused("an address with a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchRefused("an address with a bad port") from None
    address = checked_address(parts.hostname, port)
    netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    timeout = current_app.config["OUTBOUND_TIMEOUT"]
    with requests.Session() as session:
        session.trust_env = False  # no proxy or .netrc from the environment: the checked address only
        session.mount(f"{parts.scheme}://", _PinnedAdapter(parts.hostname))
        sent = {"User-Agent": _user_agent(), **headers, "Host": parts.netloc.rpartition("@")[2]}
        try:
            response = session.request(method, pinned, headers=sent, data=body, timeout=(timeout, timeout),
                                       stream=True, allow_redirects=False)
        except requests.RequestException as error:
            raise FetchRefused(f"could not connect: {type(error).__name__}", transient=True) from None
        except ValueError:  # requests reads a redirect's Location even when not following it
            raise FetchRefused("a redirect to a malformed address") from None
        with response:
            content = _read_limited(response, limit, deadline=time.monotonic() + 3 * timeout)
            return Fetched(url, response.status_code, response.headers, content)


def _read_limited(response: requests.Response, limit: int, deadline: float) -> bytes:
    """The body, refused past `limit` bytes (as sent or once decompressed) or past the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchRefused(f"larger than {limit} bytes")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise FetchRefused(f"larger than {limit} bytes")
            if time.monotonic() > deadline:
                raise FetchRefused("took too long to answer", transient=True)
            chunks.append(chunk)
    except requests.RequestException as error:
        raise FetchRefused(f"the answer broke off: {type(error).__name__}", transient=True) from None
    return b"".join(chunks)


def checked_address(host: str, port: int) -> str:
    """The address to connect to for host: every address it resolves to must be public, or listed
    in OUTBOUND_ALLOWED_PRIVATE_HOSTS (an address, or address:port). With OUTBOUND_LISTED_ONLY
    only those may be reached, and no name is looked up."""
    if current_app.config["OUTBOUND_LISTED_ONLY"]:
        return _listed_only(host, port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchRefused(f"{host} does not resolve", transient=True) from None
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        ip = getattr(ip, "ipv4_mapped", None) or ip
        if not ip.is_global and not _allowed(str(ip), port):
            raise FetchRefused(f"{host} is a private or local address ({ip})")
    return addresses[0]


def _listed_only(host: str, port: int) -> str:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        raise FetchRefused(f"{host} is not an address this blog may reach (OUTBOUND_LISTED_ONLY)") from None
    if not _allowed(str(ip), port):
        raise FetchRefused(f"{host} is not an address this blog may reach (OUTBOUND_LISTED_ONLY)")
    return str(ip)


def _allowed(ip: str, port: int) -> bool:
    listed = {entry.strip().lower() for entry in current_app.config["OUTBOUND_ALLOWED_PRIVATE_HOSTS"].split(",")}
    plain = ip if ":" not in ip else f"[{ip}]"
    return ip in listed or plain in listed or f"{plain}:{port}" in listed


def _user_agent() -> str:
    return f"Blog/1.0 (+{current_app.config['SITE_URL']})"
