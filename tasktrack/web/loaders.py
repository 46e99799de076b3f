"""The objects a URL names, loaded once for every view: the object, or 404 (a deleted one included).

Views load through here and nowhere else, so "missing" means the same on every page; who may then see or
change the object is asked of permissions.py.
"""

from __future__ import annotations

from flask import abort

from tasktrack.extensions import db
from tasktrack.models import Assignment, CaseReport, Unit, UnitKind
from tasktrack.services import cases
from tasktrack.services.read import tracking


def assignment(assignment_id: int) -> Assignment:
    """Return an assignment with its task, plan, section and unit; 404 if missing or its task or plan is deleted."""
    return tracking.load_assignment(assignment_id)  # NotFound → the 404 page


def case(case_id: int) -> CaseReport:
    """Return a case report with its versions, reviews and files; 404 if missing."""
    found = cases.get_case(case_id)
    if found is None:
        abort(404)
    return found


def observation_point(unit_id: int) -> Unit:
    """Return an observation point; 404 for a missing unit or one of another kind."""
    unit = db.get_or_404(Unit, unit_id)
    if unit.kind is not UnitKind.OBSERVATION_POINT:
        abort(404)
    return unit
