"""A unit's own pages (liaisons and observation points report alike): 我的任务, reporting, 延期申请, case reports,
the weekly digest settings.
One blueprint, one guard (Action.REPORT_PROGRESS); which assignment a user may report on is permissions.py's."""

from __future__ import annotations

from flask import Blueprint

from tasktrack.permissions import Action
from tasktrack.web.guards import guard_blueprint

bp = Blueprint("liaison", __name__)
guard_blueprint(bp, Action.REPORT_PROGRESS)


def load() -> None:
    """Import the view modules, which add their routes to ``bp`` (before it is registered)."""
    from tasktrack.web.liaison import cases, digest, reports, views  # noqa: F401
