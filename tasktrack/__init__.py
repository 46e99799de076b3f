"""tasktrack: supervision of the annual work plan of 浙江省清廉社会组织建设工作专班."""

from __future__ import annotations

import logging

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
    """Refuse unsafe production settings before anything else runs (R8, R17)."""
    from config import WEAK_SECRET_KEYS
    from tasktrack.clock import parse_pinned_today

    try:
        app.config["PINNED_TODAY"] = parse_pinned_today(app.config.get("TASKTRACK_TODAY"))
    except ValueError as exc:
        source = app.config.get("TASKTRACK_TODAY_SOURCE")
        raise ValueError(f"{exc}{f' (from {source})' if source else ''}") from exc
    if app.config.get("CONFIG_NAME") == "production":
        key = app.config.get("SECRET_KEY") or ""
        if key in WEAK_SECRET_KEYS or len(key) < 32:
            raise RuntimeError("生产环境必须设置至少 32 个字符的随机 SECRET_KEY（不能使用默认值）")
        if not app.config.get("DATABASE_URL_GIVEN"):
            raise RuntimeError("生产环境必须设置 DATABASE_URL")
    if app.config.get("MULTI_HOST") and app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise RuntimeError("多主机部署必须使用 PostgreSQL，SQLite 只支持单机")


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

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies < 0:
        raise RuntimeError("TRUSTED_PROXIES 必须是 0 或正整数（应用前面的反向代理层数）")
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def configure_extensions(app: Flask) -> None:
    """Bind the extensions and the database engine settings."""
    from tasktrack import cache, db_engine
    from tasktrack.extensions import csrf, db, login_manager, migrate

    db_engine.prepare_engine_options(app)
    db.init_app(app)
    with app.app_context():
        db_engine.install_sqlite_pragmas(
            db.engine, busy_timeout_ms=int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", db_engine.BUSY_TIMEOUT_MS)),
            write_wait_seconds=float(app.config.get("SQLITE_WRITE_WAIT_SECONDS", db_engine.WRITE_WAIT_SECONDS)))
        db_engine.install_query_counter(app, db.engine)
        cache.install(db.engine)
    migrate.init_app(app, db, directory=str(_root() / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)


def _root():  # type: ignore[no-untyped-def]
    from pathlib import Path

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
