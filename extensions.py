"""Extension objects, created once and bound to each app in create_app."""

import time

from flask import request
from flask_caching import Cache
from flask_caching.backends import SimpleCache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that Alembic can alter them on every database, SQLite included.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
cache = Cache()


class _AsStored:
    """A cachelib serializer that keeps each value as it is."""

    def dumps(self, value):
        return value

    def loads(self, value):
        return value


class InProcessPageStore(SimpleCache):
    """Flask-Caching's in-process store (CACHE_TYPE without REDIS_URL) holding the pages themselves.

    cachelib pickles every value, and unpickling a 151 KB page took about a twentieth of each cache
    hit. What the blog caches is immutable (blog.page_cache.CachedPage), so handing out the
    stored object is safe; anything mutable cached here would be shared between requests.
    """

    serializer = _AsStored()


class InProcessLimitStore(MemoryStorage):
    """limits' in-process counters ("memory-swept://", the rate limits' store without REDIS_URL),
    with expired counters swept by the request that counts, at most once a second.

    limits' own MemoryStorage sweeps from a timer thread it starts again whenever the last one has
    run out (10 ms): about every other comment POST started a thread, 0.17 ms of a 3 ms request.
    A counter is also expired on its own when it is read, as MemoryStorage does, so limits stay exact.
    """

    STORAGE_SCHEME = ["memory-swept"]
    SWEEP_EVERY_SECONDS = 1.0

    def __init__(self, *args, **kwargs):
        self._next_sweep = 0.0
        super().__init__(*args, **kwargs)

    # limits names its hook privately (self.__schedule_expiry); requirements.txt pins the release.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_EVERY_SECONDS
            self._MemoryStorage__expire_events()


@limiter.request_filter
def _reading_is_never_limited() -> bool:
    """Every limit guards a form POST: page views skip the limiter's bookkeeping altogether."""
    return request.method in ("GET", "HEAD", "OPTIONS")
