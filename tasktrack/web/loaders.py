"""The objects a URL names, loaded once for every view: the object, or 404 (a deleted one included).

Views load through here and nowhere else, so "missing" means the same on every page; who may then see or
change the object is asked of permissions.py.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from tasktrack.extensions import db
from tasktrack.models import Assignment, CaseReport, Plan, PlanImport, Unit, UnitKind, WorkGroup
from tasktrack.permissions import Action, can
from tasktrack.services import cases, plan_imports
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


def administered_plan(plan_id: int) -> Plan:
    """Return a plan the signed-in secretariat administers; 404 if missing, deleted or another work group's."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.is_deleted or not can(current_user, Action.ADMIN, plan):
        abort(404)
    return plan


def plan_import(import_id: int) -> PlanImport:
    """Return a plan import (with its rows) of the signed-in secretariat's work group; 404 otherwise."""
    imp = plan_imports.get_import(import_id)
    if imp is None or not can(current_user, Action.ADMIN, imp):
        abort(404)
    return imp


def work_group(group_id: int) -> WorkGroup:
    """Return a work group in the signed-in user's part of the tree (their own or one below it); 404 otherwise."""
    group = db.session.get(WorkGroup, group_id)
    if group is None or not can(current_user, Action.VIEW_PLAN, group):
        abort(404)
    return group
