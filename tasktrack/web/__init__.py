"""Blueprints, one per audience (DESIGN §5), and the calendar feed reached by token."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint."""
    from tasktrack.web import calendar_feed, everyone, liaison, point, secretariat
    from tasktrack.web.api import modules as api_modules
    from tasktrack.web.api.views import bp as api_bp
    from tasktrack.web.auth.views import bp as auth_bp

    app.register_blueprint(auth_bp)
    # The view modules add their routes to each audience's blueprint before it is registered.
    for audience in (everyone, liaison, point, secretariat):
        audience.load()
        app.register_blueprint(audience.bp)
    api_modules.load()  # API modules add their routes to api_bp before it is registered
    app.register_blueprint(api_bp)
    app.register_blueprint(calendar_feed.bp)  # no guard: the token in the URL is the secret
