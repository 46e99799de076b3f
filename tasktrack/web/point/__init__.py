"""An observation point's own work: its focus choice and pilot logs. One blueprint, one guard
(Action.MANAGE_FOCUS); that the point acts for its own unit is permissions.py's."""

from __future__ import annotations

from flask import Blueprint

from tasktrack.permissions import Action
from tasktrack.web.guards import guard_blueprint

bp = Blueprint("point", __name__)
guard_blueprint(bp, Action.MANAGE_FOCUS)


def load() -> None:
    """Import the view modules, which add their routes to ``bp`` (before it is registered)."""
    from tasktrack.web.point import views  # noqa: F401
