"""新建年度计划 (a plan copied into next year's draft) and 结转 (last year's unfinished work carried or closed).

Routes are thin: one service call each through ``forms.handle`` (``services.plan_next_year``). The 结转 page is
one form over every unfinished assignment of the old plan, grouped by unit: tick any number, then 结转所选 (each to
the task chosen on its row, the matching task preselected) or 关闭所选 (one reason for all) — nothing typed twice.
"""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from tasktrack import context
from tasktrack.domain.inputs import parse_id, parse_int
from tasktrack.models import Plan
from tasktrack.services import ServiceError
from tasktrack.services import plan_next_year as next_year
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.secretariat import bp


class NextYearForm(FlaskForm):
    """新建年度计划: the first year of the copy (empty: the year after the plan)."""

    year = StringField("新计划年度", validators=[Optional(), Length(max=10, message="新计划年度请填写四位数字年份")])


class CarryOverForm(FlaskForm):
    """结转 or 关闭 the ticked assignments (``picked``, with ``target-<id>`` per row, read from the request)."""

    action = StringField()  # the button pressed: carry or close (anything else is refused by the view)
    reason = TextAreaField("关闭原因（关闭时必填，所选各项共用）",
                           validators=[Optional(), Length(max=300, message="关闭原因不能超过 300 字")])


def _plan(plan_id: int) -> Plan:
    return loaders.administered_plan(plan_id)


@bp.app_template_global("plan_derived_from")
def plan_derived_from(plan: Plan) -> Plan | None:
    """Return the plan ``plan`` was copied from (the plan page offers 结转 for it); for the secretariat's eyes."""
    return next_year.derived_from(plan)


def _year(form: NextYearForm) -> int | None:
    text = (form.year.data or "").strip()
    if not text:
        return None
    year = parse_int(text, low=1, high=9999)
    if year is None:
        raise ServiceError("新计划年度请填写四位数字年份，如 2025", field="year")
    return year


@bp.route("/plans/<int:plan_id>/next-year", methods=["POST"])
def plan_next_year(plan_id: int) -> ResponseReturnValue:
    """新建年度计划: copy the plan into next year's draft, then review it like any import."""
    plan = _plan(plan_id)
    form = NextYearForm()
    return forms.handle(
        form, lambda: next_year.next_year_draft(plan, year=_year(form), actor=current_user, now=context.now()),
        success=lambda imp: done(f"已由《{plan.title}》生成《{imp.title}》草稿：{len(imp.rows)}项任务，"
                                 "完成时间已顺延，请逐行核对后发布",
                                 url_for("secretariat.plan_import_review", import_id=imp.id)),
        back=url_for("everyone.plan", plan_id=plan.id))


def _picked(typed: MultiDict[str, str]) -> tuple[list[int], dict[int, int]]:
    picked = [parse_id(value) for value in typed.getlist("picked")]
    if any(p is None for p in picked):
        raise ServiceError("所选任务无效，请刷新页面后重试", field="picked")
    ids = [p for p in picked if p is not None]
    targets = {i: t for i in ids if (t := parse_id(typed.get(f"target-{i}"))) is not None}
    return ids, targets


def _decide(plan: Plan, form: CarryOverForm) -> tuple[str, next_year.Outcome]:
    ids, targets = _picked(request.form)
    action = form.action.data or ""
    now = context.now()
    if action == "carry":
        return action, next_year.carry(plan, ids, targets, actor=current_user, now=now)
    if action == "close":
        return action, next_year.close(plan, ids, reason=form.reason.data, actor=current_user, now=now)
    raise ServiceError("请选择“结转所选”或“关闭所选”", field="picked")


def _message(result: tuple[str, next_year.Outcome]) -> str:
    action, outcome = result
    verb = "结转" if action == "carry" else "关闭"
    message = f"已{verb} {len(outcome.handled)} 项任务" if outcome.handled else f"没有需要{verb}的任务"
    return message + (f"（另有 {outcome.skipped} 项此前已处理，未重复处理）" if outcome.skipped else "")


@bp.route("/plans/<int:plan_id>/carry-over", methods=["GET", "POST"])
@form_view
def plan_carry_over(plan_id: int) -> ResponseReturnValue:
    """结转: the old plan's unfinished assignments by unit; carry the ticked ones into this plan, or close them."""
    plan = _plan(plan_id)
    if next_year.derived_from(plan) is None:
        abort(404)  # not copied from an earlier plan: nothing to carry over
    form = CarryOverForm()
    typed: MultiDict[str, str] = request.form if request.method == "POST" else MultiDict()
    return forms.handle(
        form, lambda: _decide(plan, form),
        success=lambda result: done(_message(result), url_for("secretariat.plan_carry_over", plan_id=plan.id)),
        render=lambda: render_template("plans/carry_over.html", view=next_year.carry_over_of(plan), form=form,
                                       typed=typed, picked=set(typed.getlist("picked"))))
