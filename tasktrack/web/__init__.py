"""Blueprints, one per audience (DESIGN §5)."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint."""
    from tasktrack.web.api.views import bp as api_bp
    from tasktrack.web.auth.views import bp as auth_bp
    from tasktrack.web.files.views import bp as files_bp
    from tasktrack.web.liaison.views import bp as liaison_bp
    from tasktrack.web.plans.views import bp as plans_bp
    from tasktrack.web.reminders.views import bp as reminders_bp
    from tasktrack.web.reminders.views import digest_bp
    from tasktrack.web.secretariat.views import bp as secretariat_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(liaison_bp)
    app.register_blueprint(secretariat_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(digest_bp)
