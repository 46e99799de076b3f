"""tasktrack: supervision of the annual work plan of 浙江省清廉社会组织建设工作专班."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

from config import Config, config_from_env


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the Flask app: config, extensions, blueprints, CLI. No I/O, no scheduler."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.from_object(config_class or config_from_env())
    configure_checks(app)
    configure_logging(app)
    configure_proxies(app)
    configure_extensions(app)
    configure_security(app)
    configure_blueprints(app)
    configure_template_helpers(app)
    configure_cli(app)
    return app


def configure_checks(app: Flask) -> None:
    """Type the settings once (tasktrack/settings.py) and refuse unsafe ones before anything else runs (R8, R17)."""
    from tasktrack import settings

    settings.init_app(app)


def configure_logging(app: Flask) -> None:
    """Log INFO lines of tasktrack to stderr."""
    logger = logging.getLogger("tasktrack")
    if not logger.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def configure_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address and scheme from their headers.

    Only the last N entries of X-Forwarded-For are believed (Werkzeug ProxyFix), so a client cannot choose
    its own address for the login throttle; with 0 (the default) the headers are ignored.
    """
    from werkzeug.middleware.proxy_fix import ProxyFix

    from tasktrack import settings

    proxies = settings.of(app).trusted_proxies
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]  # the documented way to wrap the WSGI app


def configure_extensions(app: Flask) -> None:
    """Bind the extensions and the database engine settings."""
    from tasktrack import cache, db_engine, settings
    from tasktrack.extensions import csrf, db, login_manager, migrate
    from tasktrack.models import due_in_force, latest_report

    typed = settings.of(app)
    db_engine.prepare_engine_options(app)
    db.init_app(app)
    with app.app_context():
        db_engine.install_sqlite_pragmas(db.engine, busy_timeout_ms=typed.sqlite_busy_timeout_ms,
                                         write_wait_seconds=typed.sqlite_write_wait_seconds)
        db_engine.install_idle_ping(db.engine)
        db_engine.install_read_only_commit(app, db.engine, db.session)
        db_engine.install_query_counter(app, db.engine)
        cache.install(db.engine)
    due_in_force.install()
    latest_report.install()
    migrate.init_app(app, db, directory=str(_root() / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)


def _root() -> Path:
    return Path(__file__).resolve().parent.parent


def configure_security(app: Flask) -> None:
    """Install login loading, security headers and the CSRF error handling."""
    from tasktrack import security

    security.init_app(app)


def configure_blueprints(app: Flask) -> None:
    """Register one blueprint per audience."""
    from tasktrack.web import register_blueprints

    register_blueprints(app)


def configure_template_helpers(app: Flask) -> None:
    """Add the template filters and globals."""
    from tasktrack.web import template_helpers

    template_helpers.init_app(app)


def configure_cli(app: Flask) -> None:
    """Add the `flask` commands."""
    from tasktrack import cli

    cli.init_app(app)
