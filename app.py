"""The application factory: `flask --app app ...` and gunicorn's `app:create_app()` load it."""

import logging

from flask import Flask
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

import errors
from config import Config, apply_site_url, config_for_environment
from core import clean_input, i18n, request_log, security
from core.db_connections import configure_engine
from core.translated_templates import TranslatedTemplatesFlask
from extensions import babel, cache, csrf, db, limiter, login_manager


class Blog(security.SiteURLFlask, TranslatedTemplatesFlask):
    """Flask building every URL on SITE_URL (core.security) and rendering each request's templates
    in its language (core.translated_templates)."""


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build an app from a settings class (tests pass their own; BLOG_ENV chooses otherwise)."""
    config_class = config_class or config_for_environment()
    app = Blog(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    config_class.init_app(app)
    apply_site_url(app)
    register_extensions(app)
    clean_input.register(app)  # before the blueprints: their routes use its `int` converter
    register_blueprints(app)
    register_blog(app)
    register_template_helpers(app)
    errors.register_error_handlers(app)
    request_log.register(app)
    security.register(app)
    register_commands(app)
    register_mail(app)
    register_wordpress(app)
    register_federation(app)
    register_page_cache(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # hosts: SITE_URL
    logging.basicConfig(level=logging.INFO)
    return app


def register_extensions(app: Flask) -> None:
    import activitypub.models  # noqa: F401
    import auth.models  # noqa: F401  (models register with the metadata)
    import blog.models  # noqa: F401
    import blog.spam.models  # noqa: F401
    import notify.models  # noqa: F401
    import privacy.models  # noqa: F401
    import webmention.models  # noqa: F401
    import wordpress.wxr.jobs  # noqa: F401

    db.init_app(app)
    # Templates get current_user as the lazy proxy: Flask-Login's own context processor loads the user
    # for every page rendered, the 503 page of a database outage included, which then fails again.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    # {% trans %} blocks read as one line of text whatever their template's indentation.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    from auth import providers

    providers.init_app(app)  # this app's own Authlib OAuth registry
    with app.app_context():
        configure_engine(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])


def register_blueprints(app: Flask) -> None:
    from account import bp as account_bp
    from activitypub import bp as activitypub_bp
    from admin import bp as admin_bp
    from auth import bp as auth_bp
    from blog import bp as blog_bp
    from core.health import bp as health_bp
    from notify import bp as notify_bp
    from privacy import bp as privacy_bp
    from webmention import bp as webmention_bp
    from wordpress import bp as wordpress_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(blog_bp)
    app.register_blueprint(auth_bp)  # routes at /login and /auth/...
    app.register_blueprint(notify_bp, url_prefix="/notify")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    # Not /privacy: a site's privacy policy page is often at that address, and pages yield to routes.
    app.register_blueprint(privacy_bp, url_prefix="/your-data")
    app.register_blueprint(account_bp)  # a reader's own page at /account
    app.register_blueprint(webmention_bp)  # /webmention
    app.register_blueprint(activitypub_bp)  # /.well-known/webfinger, /.well-known/nodeinfo, /ap/...
    app.register_blueprint(wordpress_bp)  # WordPress's /?p=ID and /<slug>/ addresses


def register_blog(app: Flask) -> None:
    import blog

    blog.init_app(app)  # moderation log lines; a removed user's posts, comments and likes


def register_template_helpers(app: Flask) -> None:
    from admin import toolbar
    from blog import navigation, seo, templating
    from core import js_strings, theme

    theme.init_app(app)  # THEME_DIR's templates and static files first, before any template loads
    templating.register(app)
    navigation.init_app(app)  # the menu and the sidebar, for the blog's public pages
    seo.init_app(app)
    toolbar.init_app(app)  # staff's toolbar and account menu, handed to every template
    js_strings.init_app(app)  # the scripts' text, translated (templates: script_strings)
    i18n.init_app(app)  # the page's language and direction, isolated names (templates: bdi)


def register_mail(app: Flask) -> None:
    import notify

    notify.init_app(app)  # blog's signals, the comment form's subscription boxes, the sender thread


def register_wordpress(app: Flask) -> None:
    import wordpress

    wordpress.init_app(app)  # queued WXR imports: a pass of the worker, after the mail's


def register_federation(app: Flask) -> None:
    import activitypub
    import webmention

    webmention.init_app(app)  # verifying and sending mentions: a pass of the worker
    activitypub.init_app(app)  # the inbox's activities and the deliveries: passes of the worker


def register_page_cache(app: Flask) -> None:
    import page_cache

    page_cache.init_app(app)  # inside ProxyFix: the front sees the client's address


def register_commands(app: Flask) -> None:
    from auth.cli import register as register_auth_commands
    from blog.cli import register as register_blog_commands
    from core.migrate_cli import register as register_migrate_commands
    from notify.cli import register as register_mail_commands
    from wordpress.wxr.cli import register as register_wxr_commands

    register_migrate_commands(app)  # `flask db`: Flask-Migrate loads only when it runs
    register_blog_commands(app)
    register_auth_commands(app)
    register_mail_commands(app)
    register_wxr_commands(app)
