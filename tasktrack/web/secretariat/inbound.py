"""上级下达任务: the lower work group's secretariat lists the higher plans' tasks addressed to it, decomposes them
(分解) into tasks of its own plans, links tasks it already has, and writes the summary report the higher level reads.

Who may is the policy's (Action.DECOMPOSE, asked by the loader): another work group's inbound assignment is a 404."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import flash, render_template, url_for
from flask_login import current_user

from tasktrack import context
from tasktrack.cache_scopes import Page
from tasktrack.domain.inputs import parse_id
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, Plan, Task, WorkGroup
from tasktrack.services import NotFound, ServiceError, cascade, progress
from tasktrack.services.work_groups import home_work_group
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.page_cache import cached
from tasktrack.web.secretariat import bp
from tasktrack.web.secretariat.inbound_forms import DecomposeForm, LinkForm, SummaryForm, UnlinkForm

T = TypeVar("T")


@bp.route("/inbound")
def inbound_list() -> str:
    """List the group's 上级下达任务 with their roll-up, undecomposed first."""
    return render_template("inbound/list.html", body=_inbound_body(home_work_group(current_user).id))


@cached(scopes=lambda group_id: Page("group", group_id))
def _inbound_body(group_id: int) -> str:
    """The list, rendered once per version of what it shows: the group's tree (its tasks' sub-assignments roll up
    into the rows) and the units standing for it in the higher plans (the rows themselves)."""
    group = db.session.get(WorkGroup, group_id)
    assert group is not None
    rows = cascade.inbound_assignments(group, context.today())
    return render_template("inbound/_list_body.html", group=group, rows=rows,
                           undecomposed=sum(1 for r in rows if r.is_undecomposed))


def _page(a: Assignment, *, decompose: DecomposeForm | None = None, link: LinkForm | None = None,
          summary: SummaryForm | None = None) -> str:
    """Render an inbound assignment's page with its forms (those given keep what was typed and their errors)."""
    today = context.today()
    row = cascade.inbound_detail(a, today)
    group_id = current_user.work_group_id
    decompose = decompose or DecomposeForm(formdata=None)
    decompose.plan.choices = [(str(p.id), p.title if p.title.startswith(str(p.year)) else f"{p.period_label} {p.title}")
                              for p in cascade.decomposable_plans(group_id)]
    link = link or LinkForm(formdata=None)
    link.task_id.choices = [(str(t.id), f"{t.plan.title} · 任务 {t.number}：{t.text[:40]}")
                            for t in cascade.linkable_tasks(a, group_id)]
    latest = progress.latest_report(a)
    if summary is None:
        summary = SummaryForm(formdata=None, base_report_id=latest.id if latest else "")
        if latest is not None and latest.status is not AssignmentStatus.COMPLETED:
            summary.status.data, summary.narrative.data = latest.status.value, latest.narrative
    summary.offer(may_claim=row.may_claim or a.status is AssignmentStatus.COMPLETED)
    return render_template("inbound/detail.html", row=row, a=a, latest=latest, decompose=decompose, link=link,
                           unlink=UnlinkForm(formdata=None), summary=summary,
                           refusal=cascade.claim_refusal(a, today) if a.status is not AssignmentStatus.COMPLETED
                           else None)


@bp.route("/inbound/<int:assignment_id>")
def inbound_detail(assignment_id: int) -> str:
    """Show an inbound assignment: its decomposition with each unit's light and latest report, and the forms."""
    return _page(loaders.inbound(assignment_id))


def _back(a: Assignment) -> str:
    return url_for("secretariat.inbound_detail", assignment_id=a.id)


def _chosen(model: type[T], raw: str | None, *, field: str, message: str) -> T:
    """The plan or task a form's select names, or the form's refusal on that field (the service checks the group)."""
    object_id = parse_id(raw or "")
    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None:
        raise ServiceError(message, field=field)
    return found


def _plan(raw: str | None) -> Plan:
    return _chosen(Plan, raw, field="plan", message="请选择本专班的工作计划")


def _task(raw: str | None) -> Task:
    return _chosen(Task, raw, field="task_id", message="请选择本专班工作计划中的任务")


@bp.route("/inbound/<int:assignment_id>/decompose", methods=["POST"])
@form_view
def inbound_decompose(assignment_id: int) -> Any:
    """分解: add a task to one of the group's plans for its own units, linked to the inbound assignment."""
    a = loaders.inbound(assignment_id)
    form = DecomposeForm()
    return forms.handle(
        form, lambda: cascade.decompose(a, plan=_plan(form.plan.data), text=form.text.data or "",
                                        deadline_phrase=form.deadline_phrase.data or "",
                                        responsible_phrase=form.responsible_phrase.data or "",
                                        actor=current_user, now=context.now()),
        success=lambda link: done(f"已分解：新增任务 {link.task.number}，已分配给责任单位", _back(a)),
        render=lambda: _page(a, decompose=form))


@bp.route("/inbound/<int:assignment_id>/link", methods=["POST"])
@form_view
def inbound_link(assignment_id: int) -> Any:
    """Link a task the group already has to the inbound assignment."""
    a = loaders.inbound(assignment_id)
    form = LinkForm()
    return forms.handle(
        form, lambda: cascade.link(a, _task(form.task_id.data), actor=current_user, now=context.now()),
        success=lambda link: done(f"已关联任务 {link.task.number}", _back(a)),
        render=lambda: _page(a, link=form))


@bp.route("/inbound/<int:assignment_id>/unlink", methods=["POST"])
@form_view
def inbound_unlink(assignment_id: int) -> Any:
    """Take a task out of the decomposition (the task stays in the group's plan)."""
    a = loaders.inbound(assignment_id)
    form = UnlinkForm()

    def unlink() -> Task:
        task = _task(form.task_id.data)
        cascade.unlink(a, task, actor=current_user, now=context.now())
        return task

    def refused(exc: ServiceError) -> int | None:
        return 404 if isinstance(exc, NotFound) else None

    return forms.handle(form, unlink, success=lambda task: done(f"已取消关联任务 {task.number}", _back(a)),
                        render=lambda: _page(a), on_refusal=refused)


@bp.route("/inbound/<int:assignment_id>/report", methods=["POST"])
@form_view
def inbound_report(assignment_id: int) -> Any:
    """Write the summary report on the inbound assignment (a claim of completion only when 可申报完成)."""
    a = loaders.inbound(assignment_id)
    form = SummaryForm()

    def submit() -> Any:
        try:
            percent = form.percent_value()
        except ValueError:
            raise ServiceError("完成比例必须是 0 到 100 之间的整数", field="percent") from None
        try:
            status = AssignmentStatus(form.status.data)
        except ValueError:
            raise ServiceError("请选择当前状态", field="status") from None
        latest = progress.latest_report(a)
        base = latest if latest is not None and str(latest.id) == (form.base_report_id.data or "") else None
        completed_on = form.completed_on.data if status is AssignmentStatus.COMPLETED else None
        return progress.submit_report(a, author=current_user, status=status, percent=percent,
                                      completed_on=completed_on, narrative=form.narrative.data or "",
                                      now=context.now(), base_report=base)

    def if_stale(exc: ServiceError) -> int | None:
        if not isinstance(exc, progress.StaleReport):
            return None
        flash(exc.message, "warning")
        form.base_report_id.data = exc.latest.id  # submitting again is now a deliberate choice
        return 409

    claimed = "，已申报完成，等待上级专班办公室确认办结"
    return forms.handle(
        form, submit, on_refusal=if_stale,
        success=lambda _r: done("汇总情况已报送" + (claimed if form.status.data == "completed" else ""), _back(a)),
        render=lambda: _page(a, summary=form), fallback="narrative")
