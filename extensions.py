"""Extension objects, created once and bound to each app in create_app."""

from flask import request
from flask_babel import Babel
from flask_caching import Cache
from flask_caching.backends import SimpleCache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
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
babel = Babel()


class _AsStored:
    """A cachelib serializer that keeps each value as it is."""

    def dumps(self, value):
        return value

    def loads(self, value):
        return value


class InProcessPageStore(SimpleCache):
    """Flask-Caching's in-process store (CACHE_TYPE without REDIS_URL) holding the pages themselves.

    cachelib pickles every value, and unpickling a whole page was a visible part of each cache hit.
    What the blog caches is immutable (page_cache.hooks.CachedPage), so handing out the
    stored object is safe; anything mutable cached here would be shared between requests.
    """

    serializer = _AsStored()


@limiter.request_filter
def _reading_is_never_limited() -> bool:
    """Every limit guards a form POST: page views skip the limiter's bookkeeping altogether."""
    return request.method in ("GET", "HEAD", "OPTIONS")
