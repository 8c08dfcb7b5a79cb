"""statuspage: public status page and customer-communication service."""

from __future__ import annotations

from typing import Any

from flask import Flask

from .themes.loader import ThemedEnvironment


class StatusPageFlask(Flask):
    """Flask with a Jinja environment that resolves theme-relative templates."""

    jinja_environment = ThemedEnvironment


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    app = StatusPageFlask(__name__, instance_relative_config=True)
    from .config import load_config

    app.config.from_mapping(load_config(app.instance_path, test_config))

    from .sessions import StatusPageSessionInterface

    app.session_interface = StatusPageSessionInterface()

    from . import models  # noqa: F401  (registers every table on the metadata)
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .i18n import select_locale, select_timezone, template_globals

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(_migrations_dir(app)), render_as_batch=True, compare_type=True
    )
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(_project_dir(app) / "translations"),
    )
    app.context_processor(template_globals)
    from .public.formatting import register_filters

    register_filters(app.jinja_env)
    csrf.init_app(app)
    # Flask-Login's own context processor loads the user for every template, public pages
    # too; ours hands templates the lazy proxy, so only pages that show the user read it.
    login_manager.init_app(app, add_context_processor=False)
    limiter.init_app(app)

    from .accounts.auth import load_user, user_template_globals

    login_manager.user_loader(load_user)
    app.context_processor(user_template_globals)

    from .themes import init_themes

    init_themes(app)

    from .observability import init_observability

    init_observability(app)

    from .notifications import init_notifications

    init_notifications(app)

    from .public import bp as public_bp

    app.register_blueprint(public_bp)

    from .feeds import bp as feeds_bp

    app.register_blueprint(feeds_bp)

    from .embed import bp as embed_bp

    app.register_blueprint(embed_bp)

    from .api import bp as api_v2_bp

    app.register_blueprint(api_v2_bp)

    from .api.v1 import api_v1

    app.register_blueprint(api_v1)

    from .api.openapi import bp as api_docs_bp

    app.register_blueprint(api_docs_bp)

    from .hooks import bp as hooks_bp

    app.register_blueprint(hooks_bp)

    from .admin import bp as admin_bp

    app.register_blueprint(admin_bp)

    from .support import bp as support_bp

    app.register_blueprint(support_bp)

    from .public.cache import init_public_cache

    init_public_cache(app)

    from .errors import register_error_handlers

    register_error_handlers(app)

    from .notifications.senders import register_senders

    register_senders()

    from .cli import register_cli

    register_cli(app)
    return app


def _project_dir(app: Flask) -> Any:
    from pathlib import Path

    return Path(app.root_path).parent


def _migrations_dir(app: Flask) -> Any:
    return _project_dir(app) / "migrations"
