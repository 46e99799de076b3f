"""A unit's own work: 我的任务 for liaisons and observation points."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from tasktrack import context
from tasktrack.cache_scopes import Page
from tasktrack.domain.lights import Light
from tasktrack.services.read import tracking
from tasktrack.web.liaison import bp
from tasktrack.web.page_cache import cached


@bp.route("/my/tasks")
def my_tasks() -> str:
    """List the unit's assignments grouped by traffic light, overdue first."""
    return render_template("liaison/my_tasks.html", body=_body())


@cached(scopes=lambda: Page("unit", current_user.unit_id))
def _body() -> str:
    """The unit's list (the reader's unit is in every cache key)."""
    rows = tracking.my_tasks(current_user.unit_id, context.today(), current_user._get_current_object())
    groups = [(light, [r for r in rows if r.light.light is light]) for light in Light]
    return render_template("liaison/_my_tasks_body.html", groups=groups, rows=rows, unit=current_user.unit)
