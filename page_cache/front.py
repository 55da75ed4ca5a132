"""Serves cached pages to anonymous readers in front of Flask, at close to the cost of a bare WSGI app.

A reader qualifies when they send no log-in or commenter cookie and their session holds nothing
but a CSRF secret. Everything else, and every miss, goes on to Flask, which renders the page and
offers it for caching (`page_cache.hooks`); this layer stores it with its final headers. A hit
still gets what Flask would have given it: the reader's own CSRF token (and a session cookie for
a new reader), a fresh CSP nonce, ETag/304 and the X-Request-Id header; the proxy in front logs it,
as it would a proxy cache's hit (the app's own line with LOG_CACHE_HITS).
"""

import hashlib
import os
import secrets
import threading
import time

import sqlalchemy as sa
from flask import Flask
from itsdangerous import BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.url_safe import URLSafeSerializerMixin
from werkzeug.http import dump_cookie, parse_cookie, parse_etags
from werkzeug.sansio.utils import host_is_trusted

from core import request_log
from extensions import cache, db
from page_cache import hooks
from page_cache.hooks import CachedPage


class PageCacheFront:
    """WSGI middleware: answer cache hits for anonymous readers, pass everything else to Flask.

    page_cache.init_app wraps the app's wsgi_app in it, with the app's HeldCounter for likes.
    """

    def __init__(self, app: Flask, wsgi_app, likes_shown: hooks.HeldCounter):
        self.wsgi_app = wsgi_app
        lease_seconds = app.config["PAGE_CACHE_VERSION_LEASE_MS"] / 1000  # see page_cache.invalidation
        with app.app_context():
            self.versions = VersionReader(db.engine, lease_seconds, likes_shown)
            self.store = cache.cache
        self.sessions = ShortValueSerializer.like(app.session_interface.get_signing_serializer(app))
        self.session_max_age = int(app.permanent_session_lifetime.total_seconds())
        self.session_cookie = app.session_interface.get_cookie_name(app)
        self.cookie_options = _session_cookie_options(app)
        self.log_hits = app.config.get("LOG_CACHE_HITS", False)
        self.language = app.config["BLOG_LANGUAGE"]  # readers' pages are in the site's language
        self.skip_cookies = hooks.personal_cookie_names(app)
        self.trusted_hosts = app.config["TRUSTED_HOSTS"]  # another host goes on to Flask's 400
        self.hosts_judged: dict[str, bool] = {}  # werkzeug's check is slow beside a hit: remembered
        # Flask-WTF's own token format, so its validation on POST accepts what is issued here.
        self.csrf_key = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.tokens = ShortValueSerializer(app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key,
                                           salt="wtf-csrf-token")

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        answer = self._cached_answer(environ)
        if answer is None:
            return self._through_flask(environ, start_response)
        status, headers, body = answer
        request_id = request_log.request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        headers.append(("X-Request-Id", request_id))
        start_response(status, headers)
        if self.log_hits:
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")  # WSGI's str
            request_log.log_request(request_id, environ["REQUEST_METHOD"], path, int(status[:3]), started)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _through_flask(self, environ, start_response):
        """Let Flask answer, and store the page when it offered one (see page_cache.hooks)."""
        sent = {}

        def remember_headers(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, remember_headers)
        offered = environ.get(hooks.PAGE_TO_STORE)
        # Cookies checked again on the final headers: app-wide hooks may set some after blog's own.
        if offered and sent.get("status", "").startswith("200") and hooks.sets_no_cookie_but(
                (value for name, value in sent["headers"] if name.lower() == "set-cookie"), self.session_cookie):
            self.store.set(offered["key"], CachedPage(offered["parts"], tuple(
                (name, value.replace(offered["nonce"], hooks.NONCE_MARK)) for name, value in sent["headers"]
                if name.lower() not in hooks.PER_RESPONSE_HEADERS), offered["last_modified"]))
        return result

    def _trusted(self, host: str) -> bool:
        judged = self.hosts_judged.get(host)
        if judged is None:
            judged = host_is_trusted(host, self.trusted_hosts)
            if len(self.hosts_judged) < 64:  # bounded: any client can send any Host
                self.hosts_judged[host] = judged
        return judged

    def _cached_answer(self, environ) -> tuple[str, list, bytes] | None:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or \
                not hooks.CACHED_PATHS.fullmatch(environ.get("PATH_INFO", "")) or \
                not self._trusted(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")):
            return None
        csrf_secret = self._anonymous_csrf_secret(environ)
        if csrf_secret is False:
            return None
        version = self.versions.read()
        if version is None:
            return None
        key = hooks.page_key(self.language, version, environ)
        etag = hooks.page_etag(key)
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and parse_etags(if_none_match).contains(etag):
            return "304 Not Modified", hooks.cache_validators(etag, None), b""
        page = self.store.get(key)
        if not isinstance(page, CachedPage):
            return None
        return self._hit(page, etag, csrf_secret)

    def _anonymous_csrf_secret(self, environ) -> str | None | bool:
        """The reader's CSRF secret (None for a new reader), or False when Flask must decide."""
        header = environ.get("HTTP_COOKIE")
        if not header:
            return None
        cookies = parse_cookie(header)
        if hooks.carries_personal_cookie(cookies, self.skip_cookies):
            return False
        value = cookies.get(self.session_cookie)
        if value is None:
            return None
        try:
            data = self.sessions.loads(value, max_age=self.session_max_age)
        except BadSignature:
            return None  # Flask too starts an expired or forged session afresh
        if set(data) - {self.csrf_key, "_fresh"}:  # Flask-Login marks every visitor's session not fresh
            return False
        return data.get(self.csrf_key)

    def _hit(self, page: CachedPage, etag: str, csrf_secret: str | None) -> tuple[str, list, bytes]:
        nonce = secrets.token_urlsafe(16)
        headers = [(name, value.replace(hooks.NONCE_MARK, nonce)) for name, value in page.headers]
        headers += hooks.cache_validators(etag, page.last_modified)
        headers.append(("X-Page-Cache", "hit"))
        if csrf_secret is None:
            csrf_secret = hashlib.sha1(os.urandom(64)).hexdigest()
            cookie = self.sessions.dumps({self.csrf_key: csrf_secret})
            headers.append(("Set-Cookie", dump_cookie(self.session_cookie, cookie, **self.cookie_options)))
        body = self.tokens.dumps(csrf_secret).encode().join(page.parts)
        headers.append(("Content-Length", str(len(body))))
        return "200 OK", headers, body


class ShortValueSerializer(URLSafeTimedSerializer):
    """Flask's and Flask-WTF's serializer for values of a few dozen bytes (a CSRF secret).

    It leaves out the zlib attempt, which cannot shorten such a value yet cost more than the
    signature (a new reader's hit signs two). What it writes is the library's uncompressed form,
    which Flask's and Flask-WTF's `loads` read.
    """

    def dump_payload(self, obj) -> bytes:
        return base64_encode(super(URLSafeSerializerMixin, self).dump_payload(obj))

    @classmethod
    def like(cls, other: URLSafeTimedSerializer) -> "ShortValueSerializer":
        """The same keys, salt, value format and signer as `other` (Flask's session serializer)."""
        return cls(other.secret_keys, salt=other.salt, serializer=other.serializer,
                   serializer_kwargs=other.serializer_kwargs, signer=other.signer, signer_kwargs=other.signer_kwargs)


def _session_cookie_options(app: Flask) -> dict:
    """The attributes Flask's own session cookie gets, read from the same settings."""
    interface = app.session_interface
    return {"domain": interface.get_cookie_domain(app), "path": interface.get_cookie_path(app),
            "httponly": interface.get_cookie_httponly(app), "secure": interface.get_cookie_secure(app),
            "samesite": interface.get_cookie_samesite(app),
            "partitioned": interface.get_cookie_partitioned(app)}


class VersionReader:
    """Reads the content version on a connection of each thread's own, kept open between reads,
    and answers from the last read for the lease's length (see page_cache.invalidation).

    A pooled connection costs a ping on checkout and a rollback on return (two more round trips on
    PostgreSQL) around a one-row read; a kept autocommit connection costs the read alone.
    """

    def __init__(self, engine: sa.Engine, lease_seconds: float, likes_shown: hooks.HeldCounter | None = None,
                 clock=time.monotonic):
        self.lease_seconds, self.clock = lease_seconds, clock
        self.likes_shown = likes_shown or hooks.HeldCounter(0, clock)
        self.leased = ((0, 0), float("-inf"))  # ((content, likes) version, when the lease ends)
        self.engine = engine
        self.sql = str(hooks.VERSION_QUERY.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
        # One in-memory SQLite database lives in one shared connection: it cannot be kept apart.
        self.keep_connections = not isinstance(engine.pool, sa.pool.StaticPool)
        self.local = threading.local()
        self.kept: list = []
        self.lock = threading.Lock()
        sa.event.listen(engine, "engine_disposed", lambda _engine: self.close_all())

    def read(self) -> tuple[int, int] | None:
        """The (content, likes) version, or None when the database cannot say (Flask answers then)."""
        version, lease_ends = self.leased
        asked_at = self.clock()  # before the read: its snapshot is no older than this
        if asked_at < lease_ends:
            return version
        row = self._read_now()
        if row is None:
            return None
        version = (row[0], self.likes_shown.show(row[1]))
        self.leased = (version, asked_at + self.lease_seconds)
        return version

    def _read_now(self) -> tuple[int, int] | None:
        try:
            connection = self._connection()
        except Exception:  # noqa: BLE001  (any connect failure: Flask's error pages answer instead)
            return None
        try:
            cursor = connection.cursor()
            cursor.execute(self.sql)
            row = cursor.fetchone()
            cursor.close()
        except self.engine.dialect.loaded_dbapi.Error:
            self._discard(connection)
            return None
        if not self.keep_connections:
            connection.close()
        return tuple(row) if row else (0, 0)

    def _connection(self):
        if not self.keep_connections:
            return self.engine.raw_connection()
        kept = getattr(self.local, "connection", None)
        if kept is None or self.local.pid != os.getpid():
            kept = self.engine.raw_connection()
            kept.detach()  # ours alone from now: the pool neither counts nor resets it
            if self.engine.dialect.name == "postgresql":
                kept.dbapi_connection.rollback()  # nothing may be open when autocommit is switched on
                kept.dbapi_connection.autocommit = True  # each read sees the latest commit
            self.local.connection, self.local.pid = kept, os.getpid()
            with self.lock:
                self.kept.append(kept)
        return kept

    def _discard(self, connection) -> None:
        if not self.keep_connections:
            connection.invalidate()  # the pool replaces it
            return
        self.local.connection = None
        with self.lock:
            self.kept.remove(connection)
        _close_quietly(connection)

    def close_all(self) -> None:
        """Close every kept connection (the engine was disposed, as tests do after each app)."""
        with self.lock:
            kept, self.kept = self.kept, []
        for connection in kept:
            _close_quietly(connection)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001, S110  (a broken connection may fail to close; it is gone either way)
        pass
