"""Observation points as every signed-in user reads them: the list, a point's choice and pilot-log timeline.

The point's own writes are web/point/; the matrix and deadline the secretariat's (web/secretariat/focus.py)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack import context
from tasktrack.models import Plan, Unit, UnitKind
from tasktrack.services import observations
from tasktrack.services.read import overview
from tasktrack.web import loaders
from tasktrack.web.everyone import bp
from tasktrack.web.point.forms import ChoiceForm, PilotLogForm
from tasktrack.web.secretariat.forms import ChoiceReopenForm


def _plan() -> Plan:
    return overview.require_current_plan(context.today(), current_user)


def render_point(unit: Unit, plan: Plan, *, choice_form: ChoiceForm | None = None,
                 log_form: PilotLogForm | None = None, submitted: dict[int, str] | None = None) -> str:
    """Render a point's page; the point's own POST views (web/point/) pass their form back with its errors."""
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
        plan_texts=submitted, reopen_form=ChoiceReopenForm(),
    )


@bp.route("/observation/")
def observation_home() -> Response:
    """Send an observation point to its own page, everyone else to the list of points."""
    if current_user.unit_id is not None and current_user.unit and \
            current_user.unit.kind is UnitKind.OBSERVATION_POINT:
        return redirect(url_for("everyone.observation_point", unit_id=current_user.unit_id))
    return redirect(url_for("everyone.observation_points"))


@bp.route("/observation/points")
def observation_points() -> str:
    """List the observation points and their current choices (read by every signed-in user)."""
    return render_template("observation/points.html", matrix=observations.matrix(_plan()), plan=_plan())


@bp.route("/observation/points/<int:unit_id>")
def observation_point(unit_id: int) -> str:
    """Show a point's focus choice, its history and the pilot-log timeline."""
    unit = loaders.observation_point(unit_id)
    return render_point(unit, overview.group_plan(context.today(), unit.work_group_id))
