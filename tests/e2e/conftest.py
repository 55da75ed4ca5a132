"""Browser tests: the real app under a real WSGI server on 127.0.0.1, driven by Debian's Chromium.

One server socket lives for the session; each test plugs in an app of its own, built by the main
conftest's `app_factory` on a database of its own: an SQLite file in the test's tmp folder, or
TEST_DATABASE_URL's PostgreSQL, which app_factory empties after the test (the app is unplugged
and its requests have finished by then). Local OAuth/OIDC providers and an SMTP sink also live
for the session. Without Chromium the tests are skipped with the reason; under CI they fail.
"""

import copy
import os
import threading
from contextlib import ExitStack
from types import SimpleNamespace

import oidc_provider_mock
import pytest
from werkzeug.wrappers import Response

from blog.demo import load_demo_content
from blog.settings import save_settings
from extensions import db
from tests.e2e.browser import AXE_SCRIPT, BrowserProblems
from tests.support.fake_providers import FakeOAuth2Provider, serve
from tests.support.mail import MailSink, free_port
from tests.support.oauth import OIDC_USERS, SHAPE_USERS, fake_provider_settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The last flag keeps every DNS lookup on the machine (see TOOLING.md): without it Chromium asks
# the outside resolver for Google's hosts and for any host a page links.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
OWNER_EMAIL, OWNER_PASSWORD = "owner@example.com", "correct horse battery staple"


def unavailable(reason: str, what: str = "browser tests"):
    """Skip with the reason on a developer's machine; fail under CI, where they must run."""
    if IN_CI:
        pytest.fail(f"{what} cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"{what} skipped: {reason}")


def pytest_terminal_summary(terminalreporter):
    """One clear line per reason when browser tests were skipped (they never are under CI)."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        if "tests/e2e/" in report.nodeid and isinstance(report.longrepr, tuple):
            reason = report.longrepr[2].removeprefix("Skipped: ")
            reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.write_sep("=", f"{count} {reason}", yellow=True, bold=True)


@pytest.fixture(scope="session", autouse=True)
def chromium_present():
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)")


@pytest.fixture(scope="session")
def axe_script():
    if not AXE_SCRIPT.exists():
        unavailable(
            f"axe-core is not installed ({AXE_SCRIPT.name} missing): run `npm ci`",
            "accessibility tests",
        )
    return AXE_SCRIPT


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium (never a downloaded one) with our flags."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": {"width": 1280, "height": 800},
    }


class AppSlot:
    """The WSGI app the live server runs: each test plugs its own app in, then unplugs it."""

    def __init__(self):
        self.app = None
        self.busy = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            app, self.busy = self.app, self.busy + 1
        try:
            if app is None:
                return Response("No app is plugged in.", 503)(environ, start_response)
            return app(environ, start_response)
        finally:
            with self.changed:
                self.busy -= 1
                self.changed.notify_all()

    def plug(self, app) -> None:
        self.app = app

    def unplug(self, timeout: float = 5) -> None:
        """Take the app out and wait for its requests to end (PostgreSQL is emptied next)."""
        with self.changed:
            self.app = None
            self.changed.wait_for(lambda: self.busy == 0, timeout)


@pytest.fixture(scope="session")
def live_server():
    """werkzeug's threaded WSGI server on 127.0.0.1 at a free port."""
    slot = AppSlot()
    with serve(slot) as url:
        yield SimpleNamespace(url=url, slot=slot)


@pytest.fixture(scope="session")
def providers(live_server):
    """Google as oidc-provider-mock; X, Facebook, WordPress.com and GitHub as Authlib servers.

    Each has its own session cookie name (oidc_provider_session, fake_<shape>_session): cookies
    are kept per host, not per port, and the blog's is blog_session.
    """
    with ExitStack() as stack:
        mock = oidc_provider_mock.app(require_nonce=True, user_claims=OIDC_USERS)
        mock.config["SESSION_COOKIE_NAME"] = "oidc_provider_session"
        google = stack.enter_context(serve(mock))
        settings = {
            "GOOGLE_CLIENT_ID": "blog-client",
            "GOOGLE_CLIENT_SECRET": "google-secret",
            "GOOGLE_SERVER_METADATA_URL": f"{google}/.well-known/openid-configuration",
        }
        # provider name -> (field on its consent page, value to type, name the blog shows)
        logins = {"google": ("sub", "ada-sub", "Ada Lovelace")}
        origins = {google}
        for shape, users in SHAPE_USERS.items():
            provider = FakeOAuth2Provider(
                shape,
                users=copy.deepcopy(users),
                redirect_prefix=f"{live_server.url}/auth/callback/",
            )
            url = stack.enter_context(serve(provider.wsgi_app()))
            settings |= fake_provider_settings(provider, url)
            key, profile = next(iter(users.items()))
            logins[shape] = ("user", key, profile.get("name") or profile.get("display_name"))
            origins.add(url)
        yield SimpleNamespace(settings=settings, logins=logins, origins=origins)


@pytest.fixture(scope="session")
def mail_sink():
    sink = MailSink(free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture
def site_language():
    """The blog's language (BLOG_LANGUAGE); a test parametrizes it to walk the blog in another."""
    return "en"


@pytest.fixture
def live_app(app_factory, live_server, providers, mail_sink, tmp_path, site_language):
    """A fresh app behind the live server: the demo post, all five providers, mail to the sink."""
    overrides = {
        "BLOG_LANGUAGE": site_language,
        "SITE_URL": live_server.url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_sink.port,
        **providers.settings,
    }
    if not ON_POSTGRES:  # a file, so that the server's threads share one database
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'e2e.sqlite'}"
    app = app_factory(**overrides)
    with app.app_context():
        load_demo_content()
        save_settings({"comment_flood_seconds": 0})  # journeys comment faster than people do
        db.session.commit()
    mail_sink.messages.clear()
    live_server.slot.plug(app)
    yield app
    live_server.slot.unplug()


@pytest.fixture
def owner(live_app):
    """The blog's owner, created with the CLI as the README says; returns (email, password)."""
    result = live_app.test_cli_runner().invoke(
        args=["create-admin", OWNER_EMAIL, "--password", OWNER_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    return OWNER_EMAIL, OWNER_PASSWORD


@pytest.fixture
def problems(providers):
    return BrowserProblems(outside=providers.origins)


@pytest.fixture
def browse(new_context, problems, live_app):
    """Open a page in a new browser context (own cookies), watched and fenced to 127.0.0.1."""

    def open_page(**context_args):
        context = new_context(**context_args)
        context.set_default_timeout(10_000)
        problems.watch(context)
        return context.new_page()

    return open_page


@pytest.fixture
def page(browse):
    return browse()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test that passed still fails when its pages logged errors or tried to leave 127.0.0.1."""
    result = yield
    watched = item.funcargs.get("problems")
    if watched is not None:
        found = watched.report()
        assert not found, "problems in the browser:\n" + "\n".join(found)
    return result
