"""Settings read from the environment (and an optional .env); one class per BLOG_ENV."""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

load_dotenv()

INSTANCE_DIR = Path(__file__).resolve().parent / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_milliseconds(name: str, default: float) -> float:
    """A duration in milliseconds, 0 or more; anything else stops the app with the setting's name."""
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        milliseconds = float(value)
    except ValueError:
        milliseconds = -1.0
    if not 0 <= milliseconds < float("inf"):
        raise RuntimeError(f"{name} must be a number of milliseconds, 0 or more (got {value!r}).")
    return milliseconds


def _env_list(name: str) -> list[str] | None:
    """A comma-separated setting as a list, or None when it is not set."""
    value = os.environ.get(name)
    return None if value is None else [item.strip() for item in value.split(",") if item.strip()]


def _development_secret_key(instance_path: str) -> str:
    """A random key made once per checkout and kept in the instance folder."""
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'blog.sqlite'}"
    )
    # No pool_pre_ping (a round trip per request): a pooled connection idle this long or more is
    # pinged before use instead (core.db_connections.ping_after_idle).
    DATABASE_PING_AFTER_IDLE_SECONDS = float(os.environ.get("DATABASE_PING_AFTER_IDLE_SECONDS", "1"))
    REDIS_URL = os.environ.get("REDIS_URL")
    BLOG_TITLE = os.environ.get("BLOG_TITLE", "Career Notes")
    # The language of the blog's pages and mails (core.i18n.LANGUAGES); catalogues in translations/.
    BLOG_LANGUAGE = os.environ.get("BLOG_LANGUAGE", "en")
    BABEL_DEFAULT_LOCALE = "en"
    BLOG_TAGLINE = os.environ.get("BLOG_TAGLINE", "Job search, networking and working life")
    BLOG_TIMEZONE = os.environ.get("BLOG_TIMEZONE", "UTC")
    POSTS_PER_PAGE = 10
    # A folder whose templates/ and static/ override the blog's own files by name (core.theme).
    THEME_DIR = os.environ.get("THEME_DIR") or None
    # Posts /sitemap.xml lists itself; a blog with more gets an index of monthly sitemaps (blog.seo).
    SITEMAP_MAX_URLS = 2000

    # Cookies: HttpOnly and SameSite=Lax everywhere, Secure where served over HTTPS.
    SESSION_COOKIE_NAME = "blog_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SESSION_PROTECTION = "basic"  # Flask-Login: a changed IP/browser marks the session not fresh
    # scrypt with N=2^13, r=8, p=10: one of OWASP's equally strong scrypt settings, and the one that
    # needs the least memory to check a password (Werkzeug's default, N=2^15 and p=1, needs four
    # times as much), which a web worker would then keep as its peak memory.
    PASSWORD_HASH_METHOD = "scrypt:8192:8:10"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, so a form left open for hours still posts

    # Pages answered from the page cache are logged by the proxy in front (README, Logs), as a
    # proxy cache's hits would be: the app's own line, written by every worker to one log, costs a
    # large share of a hit's throughput.
    LOG_CACHE_HITS = _env_bool("LOG_CACHE_HITS")

    # Number of reverse proxies in front of the app whose X-Forwarded-For and -Proto are trusted
    # (never X-Forwarded-Host: every absolute URL comes from SITE_URL).
    PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
    # Host names the app answers (Flask refuses others with 400); unset: SITE_URL's host alone.
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")
    LOCAL_HOSTS: tuple[str, ...] = ()  # also trusted when TRUSTED_HOSTS is unset

    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"  # limits' in-process counters: one app server only
    COMMENT_RATE_LIMIT = os.environ.get("COMMENT_RATE_LIMIT", "10 per minute; 100 per hour")
    LIKE_RATE_LIMIT_PER_READER = os.environ.get("LIKE_RATE_LIMIT_PER_READER", "30 per minute; 300 per hour")
    LIKE_RATE_LIMIT_PER_ADDRESS = os.environ.get("LIKE_RATE_LIMIT_PER_ADDRESS", "120 per minute")
    # Guesses at a protected post's password, per address (blog.protected_posts).
    POST_PASSWORD_RATE_LIMIT = os.environ.get("POST_PASSWORD_RATE_LIMIT", "10 per minute; 50 per hour")
    RATELIMIT_HEADERS_ENABLED = True
    CACHE_TYPE = "RedisCache" if REDIS_URL else "extensions.InProcessPageStore"
    CACHE_REDIS_URL = REDIS_URL
    CACHE_DEFAULT_TIMEOUT = 300
    # How long a worker may answer cached pages from a content version it read, and how long a
    # change waits after its commit before answering (page_cache.invalidation): every server must agree.
    PAGE_CACHE_VERSION_LEASE_MS = _env_milliseconds("PAGE_CACHE_VERSION_LEASE_MS", 5.0)
    # How late anonymous readers' cached pages may show like counts (likes do not empty the cache).
    PAGE_CACHE_LIKES_DELAY_SECONDS = float(os.environ.get("PAGE_CACHE_LIKES_DELAY_SECONDS", "10"))
    # Without REDIS_URL each worker keeps whole pages in its own memory: bound their number.
    CACHE_THRESHOLD = int(os.environ.get("CACHE_THRESHOLD", "64"))
    # Several blogs (or test runs) can share one Redis when each has its own prefixes.
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "blog:")
    # Empty by default: Flask-Limiter keeps the first non-empty prefix it sees for good.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")

    # Log-in. Provider keys follow Authlib's <PROVIDER>_<KEY> convention (GOOGLE_CLIENT_ID, ...);
    # they are read from the environment by auth.providers when OAUTH_SETTINGS_FROM_ENV is on.
    OAUTH_SETTINGS_FROM_ENV = True
    OIDC_PROVIDERS = os.environ.get("OIDC_PROVIDERS", "")
    OAUTH_TIMEOUT = float(os.environ.get("OAUTH_TIMEOUT", "10"))
    DEV_SIGNIN_URL = os.environ.get("DEV_SIGNIN_URL")
    ADMIN_EMAILS = os.environ.get("ADMIN_EMAILS", "")
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per 10 minutes")
    # Failed log-ins only: per (account, address or known browser), and a far higher ceiling per
    # account, so that strangers guessing cannot lock the owner out (auth.throttle).
    LOGIN_LIMIT_PER_ACCOUNT_AND_CLIENT = os.environ.get(
        "LOGIN_LIMIT_PER_ACCOUNT_AND_CLIENT", "5 per 15 minutes"
    )
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "100 per hour")
    # How long the link in an invitation to join the blog's staff (auth.invites) stays valid.
    INVITE_EXPIRY_DAYS = float(os.environ.get("INVITE_EXPIRY_DAYS", "7"))
    # Flask-Login's default is a year; a new session token ends remember cookies sooner.
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_COOKIE_DAYS", "30")))
    # Mail: links in mails are built on SITE_URL, never on a request's Host header.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")  # unset: mail waits in the outbox
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Blog <wordpress@blog.invalid>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
    MAIL_RETRY_SECONDS = float(os.environ.get("MAIL_RETRY_SECONDS", "60"))  # doubles each try
    MAIL_WORKER_INTERVAL = float(os.environ.get("MAIL_WORKER_INTERVAL", "10"))
    MAIL_BACKGROUND_THREAD = False
    # Two-way mail (notify.inbound): with MAIL_REPLY_ADDRESS set ("reply@blog.example"), each
    # notification's Reply-To is reply+<signed token>@ that domain and bounces return to it; the
    # inbound process (`flask mail inbound` behind the mail server, or IMAP polling) reads what comes back.
    MAIL_REPLY_ADDRESS = os.environ.get("MAIL_REPLY_ADDRESS", "")
    MAIL_REPLY_MAX_AGE_DAYS = int(os.environ.get("MAIL_REPLY_MAX_AGE_DAYS", "30"))
    MAIL_INBOUND_HOST = os.environ.get("MAIL_INBOUND_HOST", "127.0.0.1")
    MAIL_INBOUND_PORT = int(os.environ.get("MAIL_INBOUND_PORT", "8025"))
    MAIL_INBOUND_MAX_BYTES = int(os.environ.get("MAIL_INBOUND_MAX_BYTES", str(10 * 1024 * 1024)))
    # Only Authentication-Results headers added by this server (its authserv-id) are believed;
    # unset, the topmost one (the last hop's) is.
    MAIL_INBOUND_AUTHSERV_ID = os.environ.get("MAIL_INBOUND_AUTHSERV_ID", "")
    MAIL_IMAP_HOST = os.environ.get("MAIL_IMAP_HOST", "")  # set: the worker polls this mailbox
    MAIL_IMAP_PORT = int(os.environ.get("MAIL_IMAP_PORT", "993"))
    MAIL_IMAP_SSL = _env_bool("MAIL_IMAP_SSL", True)
    MAIL_IMAP_USERNAME = os.environ.get("MAIL_IMAP_USERNAME", "")
    MAIL_IMAP_PASSWORD = os.environ.get("MAIL_IMAP_PASSWORD", "")
    MAIL_IMAP_MAILBOX = os.environ.get("MAIL_IMAP_MAILBOX", "INBOX")
    # After this many bounces (failed DSNs) an address gets no more mail.
    MAIL_BOUNCE_LIMIT = int(os.environ.get("MAIL_BOUNCE_LIMIT", "3"))
    # The largest request body (413 above it); the WXR import sets its own larger limit.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024)))
    # Admin Tools -> Import: the largest upload (the whole request), answered with 413 above it.
    WXR_UPLOAD_MAX_BYTES = int(os.environ.get("WXR_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))

    # Media library (blog.media): "folder" keeps files under MEDIA_ROOT (instance/media, served by
    # the proxy in production); "database" keeps them in the database every app server shares.
    MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "folder")
    MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or None
    MEDIA_ORIGINALS_ROOT = os.environ.get("MEDIA_ORIGINALS_ROOT") or None  # never served
    MEDIA_MAX_PIXELS = int(os.environ.get("MEDIA_MAX_PIXELS", str(50_000_000)))  # refuse larger (bombs)
    MEDIA_MAX_FRAMES = int(os.environ.get("MEDIA_MAX_FRAMES", "1000"))  # of an animated image
    # Images up to this many pixels (all frames) get their sizes within the upload's request;
    # larger ones answer at once and are processed in the background.
    MEDIA_INLINE_MAX_PIXELS = int(os.environ.get("MEDIA_INLINE_MAX_PIXELS", str(2_000_000)))
    MEDIA_BACKGROUND_THREAD = _env_bool("MEDIA_BACKGROUND_THREAD", True)
    MEDIA_UPLOAD_RATE_LIMIT = os.environ.get("MEDIA_UPLOAD_RATE_LIMIT", "60 per minute; 600 per hour")  # per user

    # Akismet (blog.spam.akismet): on when a key is set. Every comment it checks is sent to it.
    AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY") or None
    AKISMET_URL = os.environ.get("AKISMET_URL", "https://rest.akismet.com/1.1")
    AKISMET_TIMEOUT = float(os.environ.get("AKISMET_TIMEOUT", "0.8"))  # a comment POST stays under 1 s
    # Readers' reports of comments, per address (blog.spam.reports).
    REPORT_RATE_LIMIT = os.environ.get("REPORT_RATE_LIMIT", "5 per minute; 30 per day")

    # Webmention and ActivityPub (webmention/, activitypub/). What the blog fetches from other sites
    # (core.safe_fetch) never reaches a private, loopback or link-local address unless that address
    # (or address:port) is listed here, comma-separated.
    OUTBOUND_ALLOWED_PRIVATE_HOSTS = os.environ.get("OUTBOUND_ALLOWED_PRIVATE_HOSTS", "")
    # Only those listed addresses, and no name looked up: a blog tried out on a laptop (make run) or
    # under test sends nothing to the internet, whatever its posts link.
    OUTBOUND_LISTED_ONLY = _env_bool("OUTBOUND_LISTED_ONLY", False)
    OUTBOUND_TIMEOUT = float(os.environ.get("OUTBOUND_TIMEOUT", "5"))  # seconds, connect and each read
    OUTBOUND_MAX_BYTES = int(os.environ.get("OUTBOUND_MAX_BYTES", str(1024 * 1024)))  # a larger answer is refused
    OUTBOUND_MAX_REDIRECTS = int(os.environ.get("OUTBOUND_MAX_REDIRECTS", "5"))
    FEDERATION_MAX_ATTEMPTS = int(os.environ.get("FEDERATION_MAX_ATTEMPTS", "8"))  # sends and deliveries
    FEDERATION_RETRY_SECONDS = float(os.environ.get("FEDERATION_RETRY_SECONDS", "60"))  # doubles each try
    WEBMENTION_RATE_LIMIT = os.environ.get("WEBMENTION_RATE_LIMIT", "30 per minute; 1000 per day")  # per address
    ACTIVITYPUB_USERNAME = os.environ.get("ACTIVITYPUB_USERNAME", "blog")  # the blog's handle: @blog@host
    ACTIVITYPUB_INBOX_RATE_LIMIT = os.environ.get("ACTIVITYPUB_INBOX_RATE_LIMIT", "600 per minute")  # per address
    ACTIVITYPUB_SIGNATURE_MAX_AGE = int(os.environ.get("ACTIVITYPUB_SIGNATURE_MAX_AGE", "3600"))  # seconds of skew
    ACTIVITYPUB_DELIVERY_CONCURRENCY = int(os.environ.get("ACTIVITYPUB_DELIVERY_CONCURRENCY", "16"))

    @staticmethod
    def init_app(app) -> None:
        """Finish settings that need the app (instance folder) or refuse ones that must never run."""


def apply_site_url(app) -> None:
    """Check SITE_URL and trust its host (security.SiteURLFlask builds every URL on it)."""
    site = urlsplit(app.config["SITE_URL"])
    if site.scheme not in ("http", "https") or not site.hostname:
        raise RuntimeError(f"SITE_URL must be an absolute http(s) URL, not {app.config['SITE_URL']!r}.")
    app.config["PREFERRED_URL_SCHEME"] = site.scheme
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = [site.hostname, *app.config["LOCAL_HOSTS"]]


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
    # `make run` sends mail from a thread started on the first request (see notify/background.py).
    MAIL_BACKGROUND_THREAD = _env_bool("MAIL_BACKGROUND_THREAD", True)
    # Another blog or fediverse server tried on this machine may answer on 127.0.0.1; nothing else.
    OUTBOUND_ALLOWED_PRIVATE_HOSTS = os.environ.get("OUTBOUND_ALLOWED_PRIVATE_HOSTS", "127.0.0.1")
    OUTBOUND_LISTED_ONLY = _env_bool("OUTBOUND_LISTED_ONLY", True)

    @staticmethod
    def init_app(app) -> None:
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _development_secret_key(app.instance_path)


class TestConfig(Config):
    ENV_NAME = "testing"
    LOCAL_HOSTS = ("127.0.0.1", "localhost")  # the test client's default host
    TRUSTED_HOSTS = None
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    # The same code path at a fraction of the cost: the suite hashes and checks hundreds of passwords
    # (tests/auth/test_auth_password.py checks that every other environment keeps the strong one).
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    CACHE_TYPE = "extensions.InProcessPageStore"
    CACHE_REDIS_URL = None
    REDIS_URL = None
    OAUTH_SETTINGS_FROM_ENV = False
    OIDC_PROVIDERS = ""
    OAUTH_TIMEOUT = 2.0
    DEV_SIGNIN_URL = None
    ADMIN_EMAILS = ""
    LOGIN_LIMIT_PER_IP = "20 per 10 minutes"
    LOGIN_LIMIT_PER_ACCOUNT_AND_CLIENT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "100 per hour"
    SITE_URL = "http://127.0.0.1:5000"
    THEME_DIR = None
    MAIL_SERVER = None
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False
    MAIL_DEFAULT_SENDER = "Career Notes <blog@example.com>"
    MAIL_REPLY_ADDRESS = ""  # tests that read replies set it
    MAIL_IMAP_HOST = ""
    MAIL_INBOUND_AUTHSERV_ID = ""
    MEDIA_STORAGE = "folder"  # under a folder of the test's own (tests/conftest.py app_factory)
    MEDIA_BACKGROUND_THREAD = False  # tests process queued images through the worker's pass
    AKISMET_API_KEY = None  # tests that need it point it at their local Akismet
    OUTBOUND_ALLOWED_PRIVATE_HOSTS = "127.0.0.1"  # the tests' fake blogs and fediverse servers
    OUTBOUND_LISTED_ONLY = True  # nothing leaves the machine, not even a DNS lookup
    OUTBOUND_TIMEOUT = 3.0
    FEDERATION_RETRY_SECONDS = 0.0  # a failed send is due again at the next pass
    ACTIVITYPUB_DELIVERY_CONCURRENCY = 4


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @staticmethod
    def init_app(app) -> None:
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set when BLOG_ENV=production.")
        if app.debug:
            raise RuntimeError("Refusing to run BLOG_ENV=production with debug on.")
        if app.config.get("DEV_SIGNIN_URL"):
            raise RuntimeError("DEV_SIGNIN_URL (development sign-in) must not be set in production.")
        if "SITE_URL" not in os.environ:
            app.logger.warning("SITE_URL is not set: links in mails will point to %s.",
                               app.config["SITE_URL"])
        if not app.config.get("REDIS_URL"):
            app.logger.warning("REDIS_URL is not set: each worker process keeps its own rate-limit "
                               "counts, so with N workers a client gets up to N times each limit.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestConfig,
    "production": ProductionConfig,
}


def config_for_environment() -> type[Config]:
    """The settings class that BLOG_ENV names (development by default)."""
    name = os.environ.get("BLOG_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"BLOG_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.") from None


# Authlib reads these <PROVIDER>_<KEY> settings; the dict-valued ones are given as JSON.
OAUTH_SETTING_KEYS = (
    "client_id", "client_secret", "authorize_url", "authorize_params", "access_token_url",
    "access_token_params", "api_base_url", "client_kwargs", "server_metadata_url",
    "label", "icon_color", "scope",
)
OAUTH_JSON_KEYS = {"authorize_params", "access_token_params", "client_kwargs"}


def oauth_settings_from_environment(names) -> dict:
    """`<PROVIDER>_<KEY>` values found in the environment for the given provider names."""
    found = {}
    for name in names:
        for key in OAUTH_SETTING_KEYS:
            conf_key = f"{name}_{key}".upper()
            value = os.environ.get(conf_key)
            if value is None or value == "":
                continue
            found[conf_key] = json.loads(value) if key in OAUTH_JSON_KEYS else value
    return found
