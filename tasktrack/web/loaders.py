"""The objects a URL names, loaded once for every view: the object, 404 when it is missing (or deleted), 403 when
the user may not have it.

Views load through here and nowhere else, so "missing" and "refused" mean the same on every page. Each loader asks
permissions.py whether the object lies in the signed-in user's part of the work-group tree (web/scope.py has
already refused an object of another part with 403) and, for the loaders of administration and review, whether
the user administers its work group (the province reads a city's assignment but reviews only its own: 403).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    CaseReport,
    ExtensionRequest,
    Matter,
    Meeting,
    Notification,
    Plan,
    PlanImport,
    Unit,
    UnitKind,
    User,
    WorkGroup,
)
from tasktrack.permissions import Action, can, inbound_to, owns_notification
from tasktrack.services import cases, plan_imports
from tasktrack.services.read import tracking


def _seen(obj: object, action: Action) -> None:
    if not can(current_user, action, obj):
        abort(403)


def assignment(assignment_id: int, action: Action = Action.VIEW_ASSIGNMENT) -> Assignment:
    """Return an assignment with its task, plan, section and unit; 404 if missing or its task or plan is deleted,
    403 if the user may not ``action`` it (read it; REVIEW_PROGRESS: its work group's secretariat)."""
    found = tracking.load_assignment(assignment_id)  # NotFound → the 404 page
    _seen(found, action)
    return found


def inbound(assignment_id: int) -> Assignment:
    """Return an inbound assignment (上级下达任务) of the signed-in secretariat's work group; 404 for an assignment
    that is no one's inbound task, 403 for another group's."""
    found = assignment(assignment_id)
    if inbound_to(found) is None:
        abort(404)
    _seen(found, Action.DECOMPOSE)
    return found


def case(case_id: int, action: Action = Action.VIEW_UNIT) -> CaseReport:
    """Return a case report with its versions, reviews and files; 404 if missing, 403 if of another part of the tree
    (REVIEW_CASE: not of the user's own work group). Whether a reader of the tree may read it is VIEW_CASE's."""
    found = cases.get_case(case_id)
    if found is None:
        abort(404)
    _seen(found.unit if action is Action.VIEW_UNIT else found, action)
    return found


def extension_request(request_id: int) -> ExtensionRequest:
    """Return an extension request the secretariat user decides (its assignment's work group's); 404 if missing,
    403 otherwise."""
    found = db.get_or_404(ExtensionRequest, request_id)
    _seen(found.assignment, Action.REVIEW_PROGRESS)
    return found


def observation_point(unit_id: int, action: Action = Action.VIEW_UNIT) -> Unit:
    """Return an observation point; 404 for a missing unit or one of another kind, 403 outside the user's tree
    (ADMIN: of another work group than the secretariat's)."""
    unit = db.get_or_404(Unit, unit_id)
    if unit.kind is not UnitKind.OBSERVATION_POINT:
        abort(404)
    _seen(unit, action)
    return unit


def administered_unit(unit_id: int) -> Unit:
    """Return a unit of the signed-in secretariat's own work group; 404 if missing, 403 otherwise."""
    unit = db.get_or_404(Unit, unit_id)
    _seen(unit, Action.ADMIN)
    return unit


def administered_user(user_id: int) -> User:
    """Return an account of the signed-in secretariat's own work group; 404 if missing, 403 otherwise."""
    user = db.get_or_404(User, user_id)
    _seen(user, Action.ADMIN)  # an account belongs to its work group (permissions.group_of)
    return user


def notification(notification_id: int) -> Notification:
    """Return a message of the signed-in secretariat's own work group's outbox; 404 if missing, 403 otherwise."""
    row = db.get_or_404(Notification, notification_id)
    if not owns_notification(current_user, row):
        abort(403)
    return row


def administered_plan(plan_id: int) -> Plan:
    """Return a plan the signed-in secretariat administers; 404 if missing or deleted, 403 if another group's."""
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.is_deleted:
        abort(404)
    if not can(current_user, Action.ADMIN, plan):
        abort(403)
    return plan


def plan_import(import_id: int) -> PlanImport:
    """Return a plan import (with its rows) of the signed-in secretariat's work group; 404 if missing, 403 if
    another group's."""
    imp = plan_imports.get_import(import_id)
    if imp is None:
        abort(404)
    if not can(current_user, Action.ADMIN, imp):
        abort(403)
    return imp


def work_group(group_id: int) -> WorkGroup:
    """Return a work group in the signed-in user's part of the tree (their own or one below it); 404 when there is
    none, 403 when it is outside the tree."""
    group = db.session.get(WorkGroup, group_id)
    if group is None:
        abort(404)
    if not can(current_user, Action.VIEW_PLAN, group):
        abort(403)  # a sibling's or a parent's: refused, as every object outside the reader's tree (web/scope.py)
    return group


def matter(matter_id: int, action: Action = Action.VIEW_MATTER) -> Matter:
    """Return a 交办事项 with its task, assignments and meeting; 404 if missing, 403 if the user may not ``action``
    it (read it: the secretariat and leaders of the tree, the units it is assigned to; ADMIN: its group's office)."""
    from tasktrack.services import matters

    found = matters.get_matter(matter_id)  # NotFound → the 404 page
    _seen(found, action)
    return found


def meeting(meeting_id: int, action: Action = Action.VIEW_MEETING) -> Meeting:
    """Return a 联络员会议 with its units and decisions; 404 if missing, 403 if the user may not ``action`` it."""
    from tasktrack.services import meetings

    found = meetings.get_meeting(meeting_id)
    _seen(found, action)
    return found
