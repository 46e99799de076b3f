"""Observation points: focus choices, pilot logs, the secretariat's matrix and choice deadline."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.domain.inputs import parse_id
from tasktrack.extensions import db
from tasktrack.models import FocusItem, Plan, Unit, UnitKind
from tasktrack.permissions import Action, require
from tasktrack.security import rerender_on_csrf_error
from tasktrack.services import ServiceError, observations
from tasktrack.services.read import overview
from tasktrack.web.guards import guard_blueprint, refusal
from tasktrack.web.observation.forms import ChoiceForm, DeadlineForm, PilotLogForm, ReopenForm
from tasktrack.web.uploads import refused_status, uploads_from_request

bp = Blueprint("observation", __name__, url_prefix="/observation")
guard_blueprint(bp, None)


def _plan() -> Plan:
    return overview.require_current_plan(context.today())


def _point(unit_id: int) -> Unit:
    unit = db.get_or_404(Unit, unit_id)
    if unit.kind is not UnitKind.OBSERVATION_POINT:
        abort(404)
    return unit


def _render_point(unit: Unit, plan: Plan, *, choice_form: ChoiceForm | None = None,
                  log_form: PilotLogForm | None = None, submitted: dict[int, str] | None = None,
                  status: int = 200) -> tuple[str, int]:
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
    ), status


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
def point(unit_id: int) -> tuple[str, int]:
    """Show a point's focus choice, its history and the pilot-log timeline."""
    return _render_point(_point(unit_id), _plan())


@bp.route("/points/<int:unit_id>/choice", methods=["POST"])
@rerender_on_csrf_error
def choose(unit_id: int) -> Response | tuple[str, int]:
    """Save the point's focus choice (1–2 items with a plan each)."""
    unit = _point(unit_id)
    if (refused := refusal(Action.MANAGE_FOCUS, unit)) is not None:
        return refused
    plan = _plan()
    form = ChoiceForm()
    form.items.choices = [(i.id, i.name) for i in observations.list_focus_items()]
    item_ids = list(form.items.data or [])
    texts = {i: request.form.get(f"plan_{i}", "") for i in item_ids}
    if form.validate_on_submit():
        try:
            choice = observations.save_choice(plan, unit, actor=current_user, items=item_ids, plans=texts,
                                              now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            form.items.errors = [exc.message]
        else:
            db.session.commit()
            flash(f"已保存工作重点选择（第 {choice.version} 版{'，逾期提交' if choice.is_late else ''}）", "success")
            return redirect(url_for("observation.point", unit_id=unit.id))
    all_texts = {item_id: v for k, v in request.form.items()
                 if k.startswith("plan_") and (item_id := parse_id(k[5:])) is not None}
    return _render_point(unit, plan, choice_form=form, submitted=all_texts, status=422)


@bp.route("/points/<int:unit_id>/logs", methods=["POST"])
@rerender_on_csrf_error
def add_log(unit_id: int) -> Response | tuple[str, int]:
    """Add a dated pilot note with attachments on one chosen item."""
    unit = _point(unit_id)
    if (refused := refusal(Action.MANAGE_FOCUS, unit)) is not None:
        return refused
    plan = _plan()
    form = PilotLogForm()
    status = 422
    if form.validate_on_submit():
        item = db.session.get(FocusItem, form.focus_item_id.data or 0)
        try:
            if item is None:
                raise ServiceError("请选择工作重点", field="focus_item_id")
            observations.add_pilot_log(plan, unit, item, actor=current_user, log_date=form.log_date.data,
                                       note=form.note.data or "", files=uploads_from_request(), now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "", None) or form.attachments
            target.errors = [*target.errors, exc.message]
            status = refused_status(exc, status)  # 503: the upload folder cannot take files now
        else:
            db.session.commit()
            flash("已记录试点进展", "success")
            return redirect(url_for("observation.point", unit_id=unit.id) + "#timeline")
    return _render_point(unit, plan, log_form=form, status=status)


@bp.route("/points/<int:unit_id>/reopen", methods=["POST"])
def reopen(unit_id: int) -> Response:
    """Reopen a point's locked choice (secretariat)."""
    unit = _point(unit_id)
    require(current_user, Action.ADMIN)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            observations.reopen_choice(_plan(), unit, actor=current_user, reason=form.reason.data or "",
                                       now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(f"已重新开放 {unit.name} 的工作重点选择（此后提交将标记为逾期）", "success")
    else:
        flash("安全校验未通过，请重新提交", "danger")
    return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                    else url_for("observation.matrix"))


@bp.route("/matrix")
def matrix() -> str:
    """The secretariat's matrix: who chose what, counts per item, who has not chosen."""
    require(current_user, Action.ADMIN)
    plan = _plan()
    deadline = plan.focus_choice_deadline
    return render_template("observation/matrix.html", plan=plan, matrix=observations.matrix(plan),
                           reopen_form=ReopenForm(), past_deadline=bool(deadline and context.today() > deadline))


@bp.route("/settings", methods=["GET", "POST"])
@rerender_on_csrf_error
def settings() -> Response | tuple[str, int]:
    """Set the plan's focus-choice deadline (secretariat)."""
    if (refused := refusal(Action.ADMIN)) is not None:
        return refused
    plan = _plan()
    form = DeadlineForm()
    if request.method == "GET":
        form.deadline.data = plan.focus_choice_deadline
    if form.validate_on_submit():
        try:
            observations.set_choice_deadline(plan, actor=current_user, deadline=form.deadline.data, now=context.now())
        except ServiceError as exc:
            db.session.rollback()
            form.deadline.errors = [exc.message]
        else:
            db.session.commit()
            flash("已保存工作重点选择截止日期", "success")
            return redirect(url_for("observation.matrix"))
    status = 400 if request.method == "POST" else 200
    return render_template("observation/settings.html", form=form, plan=plan), status
