"""A unit's own work: 我的任务 for liaisons and observation points."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tasktrack import cache, context
from tasktrack.domain.lights import Light
from tasktrack.permissions import Action
from tasktrack.services.read import tracking
from tasktrack.web.guards import guard_blueprint

bp = Blueprint("liaison", __name__, url_prefix="/my")
guard_blueprint(bp, Action.REPORT_PROGRESS)


@bp.route("/tasks")
def my_tasks() -> str:
    """List the unit's assignments grouped by traffic light, overdue first."""
    today = context.today()
    unit_id = current_user.unit_id

    def build() -> str:
        rows = tracking.my_tasks(unit_id, today)
        groups = [(light, [r for r in rows if r.light.light is light]) for light in Light]
        return render_template("liaison/_my_tasks_body.html", groups=groups, rows=rows, unit=current_user.unit,
                               csrf_placeholder=cache.CSRF_PLACEHOLDER)

    body = cache.fragment(("my_tasks", unit_id, current_user.role.value, today), build)
    return render_template("liaison/my_tasks.html", body=body)
