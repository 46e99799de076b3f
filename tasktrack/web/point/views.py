"""An observation point saves its focus choice (1–2 items with a plan each) and adds dated pilot notes."""

from __future__ import annotations

from flask import request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack import context
from tasktrack.domain.inputs import parse_id
from tasktrack.extensions import db
from tasktrack.models import FocusItem, Plan, Unit
from tasktrack.permissions import Action, require
from tasktrack.services import ServiceError, observations
from tasktrack.services.read import overview
from tasktrack.web import forms, loaders
from tasktrack.web.everyone.observation import render_point
from tasktrack.web.forms import done, form_view
from tasktrack.web.point import bp
from tasktrack.web.point.forms import ChoiceForm, PilotLogForm
from tasktrack.web.uploads import uploads_from_request


def _own_point(unit_id: int) -> tuple[Unit, Plan]:
    """Load the observation point the URL names, which the user must manage, and the current plan."""
    unit = loaders.observation_point(unit_id)
    require(current_user, Action.MANAGE_FOCUS, unit)
    return unit, overview.group_plan(context.today(), unit.work_group_id)


@bp.route("/observation/points/<int:unit_id>/choice", methods=["POST"])
@form_view
def choose(unit_id: int) -> ResponseReturnValue:
    """Save the point's focus choice (1–2 items with a plan each)."""
    unit, plan = _own_point(unit_id)
    form = ChoiceForm()
    form.items.choices = [(i.id, i.name) for i in observations.list_focus_items()]
    item_ids = list(form.items.data or [])
    texts = {i: request.form.get(f"plan_{i}", "") for i in item_ids}
    all_texts = {item_id: v for k, v in request.form.items()
                 if k.startswith("plan_") and (item_id := parse_id(k[5:])) is not None}
    return forms.handle(
        form, lambda: observations.save_choice(plan, unit, actor=current_user, items=item_ids, plans=texts,
                                               now=context.now()),
        success=lambda choice: done(
            f"已保存工作重点选择（第 {choice.version} 版{'，逾期提交' if choice.is_late else ''}）",
            url_for("everyone.observation_point", unit_id=unit.id)),
        render=lambda: render_point(unit, plan, choice_form=form, submitted=all_texts),
        refused=422, fallback="items")


@bp.route("/observation/points/<int:unit_id>/logs", methods=["POST"])
@form_view
def add_log(unit_id: int) -> ResponseReturnValue:
    """Add a dated pilot note with attachments on one chosen item."""
    unit, plan = _own_point(unit_id)
    form = PilotLogForm()

    def add() -> object:
        item = db.session.get(FocusItem, form.focus_item_id.data or 0)
        if item is None:
            raise ServiceError("请选择工作重点", field="focus_item_id")
        return observations.add_pilot_log(plan, unit, item, actor=current_user, log_date=form.log_date.data,
                                          note=form.note.data or "", files=uploads_from_request(), now=context.now())

    return forms.handle(
        form, add,
        success=lambda _r: done("已记录试点进展", url_for("everyone.observation_point", unit_id=unit.id) + "#timeline"),
        render=lambda: render_point(unit, plan, log_form=form), refused=422, fallback="attachments")
