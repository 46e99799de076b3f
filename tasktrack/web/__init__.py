"""Blueprints, one per audience (DESIGN §5)."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint."""
    from tasktrack.web import liaison, point, secretariat
    from tasktrack.web.api import modules as api_modules
    from tasktrack.web.api.views import bp as api_bp
    from tasktrack.web.auth.views import bp as auth_bp
    from tasktrack.web.calendar.views import bp as calendar_bp
    from tasktrack.web.calendar.views import feed_bp as calendar_feed_bp
    from tasktrack.web.cases.views import bp as cases_bp
    from tasktrack.web.dashboard.views import bp as dashboard_bp
    from tasktrack.web.files.views import bp as files_bp
    from tasktrack.web.observation.views import bp as observation_bp
    from tasktrack.web.plans.views import bp as plans_bp
    from tasktrack.web.progress.views import bp as progress_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(plans_bp)
    liaison.load()  # the view modules add their routes to each audience's blueprint before it is registered
    app.register_blueprint(liaison.bp)
    point.load()
    app.register_blueprint(point.bp)
    secretariat.load()
    app.register_blueprint(secretariat.bp)
    api_modules.load()  # API modules add their routes to api_bp before it is registered
    app.register_blueprint(api_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(calendar_feed_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(observation_bp)
    app.register_blueprint(cases_bp)
