"""Observation points: focus choices, pilot logs, the secretariat's matrix and choice deadline."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.domain.inputs import parse_id
from tasktrack.extensions import db
from tasktrack.models import FocusItem, Plan, Unit, UnitKind
from tasktrack.permissions import Action, require
from tasktrack.services import ServiceError, observations, overview
from tasktrack.web import forms, loaders
from tasktrack.web.forms import done, form_view
from tasktrack.web.guards import guard_blueprint
from tasktrack.web.observation.forms import ChoiceForm, PilotLogForm, ReopenForm
from tasktrack.web.uploads import uploads_from_request

bp = Blueprint("observation", __name__, url_prefix="/observation")
guard_blueprint(bp, Action.VIEW_PLAN)  # everyone signed in; objects are checked in permissions.py


def _plan() -> Plan:
    return overview.require_current_plan(context.today())


def _render_point(unit: Unit, plan: Plan, *, choice_form: ChoiceForm | None = None,
                  log_form: PilotLogForm | None = None, submitted: dict[int, str] | None = None) -> str:
    items = observations.list_focus_items()
    current = observations.current_choice(plan, unit)
    # The form not being submitted shows the saved state, not the other form's POST data.
    fresh_choice, fresh_log = choice_form is None, log_form is None
    choice_form = choice_form or ChoiceForm(formdata=None)
    choice_form.items.choices = [(i.id, i.name) for i in items]
    if submitted is None:
        submitted = {i.focus_item_id: i.plan_text for i in current.items} if current else {}
    if fresh_choice:
        choice_form.items.data = list(submitted)
    log_form = log_form or PilotLogForm(formdata=None)
    chosen = [i.focus_item for i in current.items] if current else []
    log_form.focus_item_id.choices = [(f.id, f.name) for f in chosen]
    if fresh_log:
        log_form.log_date.data = context.today()
    return render_template(
        "observation/point.html", unit=unit, plan=plan, items=items, current=current, chosen=chosen,
        history=observations.choice_history(plan, unit), state=observations.choice_state(plan, unit, context.today()),
        timeline=observations.pilot_timeline(plan, unit, chosen), choice_form=choice_form, log_form=log_form,
        plan_texts=submitted, reopen_form=ReopenForm(),
    )


@bp.route("/")
def home() -> Response:
    """Send an observation point to its own page, everyone else to the list of points."""
    if current_user.unit_id is not None and current_user.unit and \
            current_user.unit.kind is UnitKind.OBSERVATION_POINT:
        return redirect(url_for("observation.point", unit_id=current_user.unit_id))
    return redirect(url_for("observation.points"))


@bp.route("/points")
def points() -> str:
    """List the observation points and their current choices (read by every signed-in user)."""
    return render_template("observation/points.html", matrix=observations.matrix(_plan()), plan=_plan())


@bp.route("/points/<int:unit_id>")
def point(unit_id: int) -> str:
    """Show a point's focus choice, its history and the pilot-log timeline."""
    return _render_point(loaders.observation_point(unit_id), _plan())


@bp.route("/points/<int:unit_id>/choice", methods=["POST"])
@form_view
def choose(unit_id: int) -> ResponseReturnValue:
    """Save the point's focus choice (1–2 items with a plan each)."""
    unit = loaders.observation_point(unit_id)
    require(current_user, Action.MANAGE_FOCUS, unit)
    plan = _plan()
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
            url_for("observation.point", unit_id=unit.id)),
        render=lambda: _render_point(unit, plan, choice_form=form, submitted=all_texts),
        refused=422, fallback="items")


@bp.route("/points/<int:unit_id>/logs", methods=["POST"])
@form_view
def add_log(unit_id: int) -> ResponseReturnValue:
    """Add a dated pilot note with attachments on one chosen item."""
    unit = loaders.observation_point(unit_id)
    require(current_user, Action.MANAGE_FOCUS, unit)
    plan = _plan()
    form = PilotLogForm()

    def add() -> object:
        item = db.session.get(FocusItem, form.focus_item_id.data or 0)
        if item is None:
            raise ServiceError("请选择工作重点", field="focus_item_id")
        return observations.add_pilot_log(plan, unit, item, actor=current_user, log_date=form.log_date.data,
                                          note=form.note.data or "", files=uploads_from_request(), now=context.now())

    return forms.handle(
        form, add,
        success=lambda _r: done("已记录试点进展", url_for("observation.point", unit_id=unit.id) + "#timeline"),
        render=lambda: _render_point(unit, plan, log_form=form), refused=422, fallback="attachments")
