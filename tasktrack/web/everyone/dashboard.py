"""The supervision overview: dashboard, filtered assignment list, unit page, exports and print view.

Every signed-in role may read these pages (DESIGN §1), scoped by work group: a reader sees the plans of their own
work group and of every group below it (``permissions.visible_group_ids``); a plan, unit or group elsewhere is
refused (403). ``/dashboard`` is the reader's own group's 督办总览; ``/dashboard?group=ID`` a lower group's.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from tasktrack import context
from tasktrack.cache_scopes import Page
from tasktrack.domain.lights import Light
from tasktrack.models import Plan
from tasktrack.permissions import Action, can, visible_group_ids
from tasktrack.services import ServiceError, exports, matters
from tasktrack.services.read import dashboard as dash
from tasktrack.services.read import levels, overdue
from tasktrack.web import downloads, loaders
from tasktrack.web.downloads import file_response
from tasktrack.web.everyone import bp
from tasktrack.web.page_cache import cached
from tasktrack.web.params import BadInput, choice_arg, id_arg, page_arg


def visible() -> frozenset[int]:
    """Return the work groups the signed-in reader reads."""
    return visible_group_ids(current_user)


def list_scope() -> Plan | None:
    """Read the list's plan: ``all`` is every plan the reader reads (None), else an id or the reader's current
    plan (400 on junk, 404 for a plan outside the reader's part of the tree)."""
    if request.args.get("plan", "").strip() == dash.ALL_PLANS:
        return None
    return dash.resolve_plan(id_arg("plan"), context.today(), visible=visible(),
                             group_id=current_user.work_group_id)


def list_filters() -> dash.Filters:
    """Read the assignment-list filters from the query string (400 on a value that means nothing)."""
    light = choice_arg("light", {x.value for x in Light})
    return dash.Filters(light=Light(light) if light else None, reason=choice_arg("reason", dash.REASON_FILTERS),
                        section_id=id_arg("section"), unit_id=id_arg("unit"),
                        category=request.args.get("category") or None)


@bp.route("/dashboard")
def dashboard() -> str:
    """Show a work group's plan at a glance: lights, sections, units, overdue work, recent reports, lower groups."""
    group_id = id_arg("group")
    plan_id = id_arg("plan")
    if group_id is not None:
        loaders.work_group(group_id)  # 403 outside the reader's part of the tree
    if plan_id is not None:
        group_id = None  # the plan says whose 督办总览 it is
    elif group_id is None:
        group_id = current_user.work_group_id
    body = _dashboard_body(group_id, plan_id, request.args.get("category") or None,
                           request.args.get("sort", "order"), request.args.get("dir") == "desc")
    return render_template("dashboard/index.html", body=body)


def _dashboard_page(group_id: int | None, plan_id: int | None, *_args: object) -> Page:
    return Page("plan", plan_id) if plan_id is not None else Page("group_plan", group_id or 0)


@cached(scopes=_dashboard_page)
def _dashboard_body(group_id: int | None, plan_id: int | None, category: str | None, sort: str,
                    descending: bool) -> str:
    today, scope = context.today(), visible()
    try:
        picked = dash.pick_plan(plan_id, today, visible=scope, group_id=group_id)
        plan = picked.plan
        if plan is None:  # a group without a plan yet: its place in the tree only
            assert group_id is not None
            group = loaders.work_group(group_id)
            return render_template("dashboard/_levels_only.html", group=group,
                                   levels=levels.level_view(group, today, scope), today=today)
        data = dash.dashboard(plan.id, today, category=category, sort=sort, descending=descending, visible=scope,
                              with_levels=True, picked=picked)
    except ServiceError as exc:
        if exc.code == "not_found":
            raise
        raise BadInput(exc.message, field=exc.field) from None
    return render_template("dashboard/_body.html", d=data, lights=list(Light),
                           matters=matters.dashboard_section(current_user, plan.work_group_id, today))


@bp.route("/dashboard/assignments")
def assignment_list() -> str:
    """List a plan's (or every plan's) assignments narrowed by light, reason, section, unit or category, 25 a page."""
    plan = list_scope()  # a bad argument is refused (400) before the cache is asked
    list_filters()
    page_arg()
    return render_template("dashboard/assignments.html", plan=plan, body=_assignments_body())


def _list_page() -> Page:
    """What the list shows: one plan, the reader's current plan, or every plan of the reader's part of the tree."""
    if request.args.get("plan", "").strip() == dash.ALL_PLANS:
        red = overdue.selects_red(list_filters())  # the overdue list changes only with overdue work
        return Page("group_red" if red else "group", current_user.work_group_id)
    plan_id = id_arg("plan")
    return Page("plan", plan_id) if plan_id is not None else Page("group_plan", current_user.work_group_id)


@cached(vary=("args",), scopes=_list_page)  # the filters, the page and the pager's links come from the query string
def _assignments_body() -> str:
    plan, filters = list_scope(), list_filters()
    page = dash.assignment_page(plan, context.today(), filters, page=page_arg(), visible=visible())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("dashboard/_assignments_body.html", plan=plan, page=page, filters=filters, args=args,
                           plans=dash.plan_choices(visible()))


@bp.route("/units/<int:unit_id>")
def unit(unit_id: int) -> str:
    """Show a unit: its open assignments with lights and its full report history."""
    view = dash.unit_view(unit_id, context.today())
    if not can(current_user, Action.VIEW_UNIT, view.unit):
        abort(403)
    return render_template("dashboard/unit.html", view=view)


def _download(fmt: str, plan_id: int, content_type: str) -> Response:
    dash.resolve_plan(plan_id, context.today(), visible=visible())  # 404 outside the reader's part of the tree
    name, content = _export(plan_id, fmt)
    return file_response(content, filename=name, content_type=content_type)


@cached(html=False, scopes=lambda plan_id, _fmt: Page("plan", plan_id))
def _export(plan_id: int, fmt: str) -> tuple[str, bytes]:
    return exports.export_plan(plan_id, fmt, context.today())


@bp.route("/plans/<int:plan_id>/export.xlsx")
def export_xlsx(plan_id: int) -> Response:
    """Download the task table with every unit's status and latest narrative as a workbook."""
    return _download("xlsx", plan_id, downloads.XLSX)


@bp.route("/plans/<int:plan_id>/export.csv")
def export_csv(plan_id: int) -> Response:
    """Download the same table as CSV (UTF-8 with BOM)."""
    return _download("csv", plan_id, downloads.CSV)


@bp.route("/plans/<int:plan_id>/print")
def print_view(plan_id: int) -> str:
    """Show the 工作进展情况表 laid out for A4 landscape: one row per task, its units grouped by state."""
    plan = dash.resolve_plan(plan_id, context.today(), visible=visible())
    return render_template("dashboard/print.html", plan=plan, lines=exports.plan_lines(plan, context.today()))
