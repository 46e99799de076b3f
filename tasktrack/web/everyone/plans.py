"""The plan as everyone signed in sees it: plan list, plan page, task page."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.cache_scopes import Page
from tasktrack.models import Role
from tasktrack.permissions import Action, can
from tasktrack.services import plan_imports, targets
from tasktrack.services.read import overview
from tasktrack.web.everyone import bp
from tasktrack.web.page_cache import cached


@bp.route("/")
def home() -> Response:
    """Send each role to its start page."""
    if current_user.role in (Role.LIAISON, Role.OBSERVATION_POINT):
        return redirect(url_for("liaison.my_tasks"))
    plan = overview.current_plan(context.today(), current_user)
    if plan is None:
        return redirect(url_for("everyone.plan_list"))
    return redirect(url_for("everyone.plan", plan_id=plan.id))


@bp.route("/plans")
def plan_list() -> str:
    """List the plans."""
    return render_template("plans/index.html", plans=overview.list_plans(current_user))


@bp.route("/plans/<int:plan_id>")
def plan(plan_id: int) -> str:
    """Show a plan: sections, tasks, deadlines, responsible units and lights."""
    view = overview.plan_view(plan_id, context.today())
    source = plan_imports.source_of(view.plan) if can(current_user, Action.ADMIN, view.plan) else None
    return render_template("plans/plan.html", view=view, source=source)


@bp.route("/tasks/<int:task_id>")
def task(task_id: int) -> str:
    """Show one task with one row per assigned unit and the latest reports on it (cached per data version)."""
    number, body = _task_body(task_id)
    return render_template("plans/task.html", number=number, body=body)


@cached(scopes=lambda task_id: Page("task", task_id))
def _task_body(task_id: int) -> tuple[int, str]:
    row = overview.task_view(task_id, context.today())
    return row.task.number, render_template("plans/_task_body.html", row=row, task=row.task,
                                            reports=overview.task_reports(task_id),
                                            targets=targets.task_standings(task_id))
