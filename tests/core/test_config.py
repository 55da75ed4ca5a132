"""Settings chosen by BLOG_ENV; production refuses to start unsafely."""

import pytest

from app import create_app
from config import CONFIGS, ProductionConfig, _env_milliseconds, config_for_environment


def test_blog_env_chooses_settings(monkeypatch):
    monkeypatch.setenv("BLOG_ENV", "production")
    assert config_for_environment() is ProductionConfig
    monkeypatch.setenv("BLOG_ENV", "staging")
    with pytest.raises(RuntimeError, match="BLOG_ENV must be one of"):
        config_for_environment()


def test_production_refuses_to_start_without_secret_key():
    config = type("NoKey", (ProductionConfig,), {"SECRET_KEY": None})
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app(config)


def test_development_key_is_generated_once_and_kept(tmp_path):
    config = type("Dev", (CONFIGS["development"],), {"SECRET_KEY": None,
                                                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    from flask import Flask

    first, second = Flask("a", instance_path=str(tmp_path)), Flask("b", instance_path=str(tmp_path))
    config.init_app(first)
    config.init_app(second)
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_cookies_are_secure():
    app = create_app(type("Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 32,
                                                       "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize("redis_url, warned", [(None, True), ("redis://127.0.0.1:6379/0", False)])
def test_production_warns_that_without_redis_each_worker_counts_its_own_limits(caplog, redis_url, warned):
    from flask import Flask

    app = Flask("prod")
    app.config.update(SECRET_KEY="x" * 32, SITE_URL="https://blog.example", REDIS_URL=redis_url)
    ProductionConfig.init_app(app)
    assert ("each worker process keeps its own rate-limit counts" in caplog.text) is warned


@pytest.mark.parametrize("value", ["-1", "five", "nan", "inf"])
def test_a_lease_that_is_not_milliseconds_stops_the_app_with_its_name(monkeypatch, value):
    monkeypatch.setenv("PAGE_CACHE_VERSION_LEASE_MS", value)
    with pytest.raises(RuntimeError, match="PAGE_CACHE_VERSION_LEASE_MS must be a number of milliseconds"):
        _env_milliseconds("PAGE_CACHE_VERSION_LEASE_MS", 5.0)


def test_a_lease_in_milliseconds_is_taken(monkeypatch):
    monkeypatch.setenv("PAGE_CACHE_VERSION_LEASE_MS", "0")
    assert _env_milliseconds("PAGE_CACHE_VERSION_LEASE_MS", 5.0) == 0.0
    monkeypatch.delenv("PAGE_CACHE_VERSION_LEASE_MS")
    assert _env_milliseconds("PAGE_CACHE_VERSION_LEASE_MS", 5.0) == 5.0
