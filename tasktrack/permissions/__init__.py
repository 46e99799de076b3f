"""The policy module: every route and API call asks here whether a user may do something (DESIGN §1).

Role checks answer "may this kind of user reach this area"; object checks answer "may this user touch
this object". ``visible_*`` filters give list queries exactly what the object checks allow (R7).

Work groups (工作专班) form a tree, province → city → county. Every user works in one (a liaison's is its unit's)
and reads that group and every group below it — never a sibling's or a parent's data; a secretariat administers
its own group only. A task a higher plan assigns to a unit that stands for a lower work group
(``Unit.represents_work_group_id``) is that lower group's 上级下达任务: its secretariat reads that one assignment
and reports on it (the summary the higher level reads); the higher secretariat reviews it like any other.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, NamedTuple

import sqlalchemy as sa

from tasktrack.models import Assignment, Attachment, CompletionState, Plan, Role, Task, Unit, User, WorkGroup
from tasktrack.permissions.office import own_notifications as own_notifications
from tasktrack.permissions.office import owns_notification as owns_notification
from tasktrack.permissions.office import visible_audit_events as visible_audit_events


class Action(enum.StrEnum):
    """Things a user may try to do."""

    VIEW_PLAN = "view_plan"  # plans, tasks, dashboards, exports (read-only)
    ADMIN = "admin"  # users, units, categories, plans, reminders
    REPORT_PROGRESS = "report_progress"  # on an assignment
    VIEW_ASSIGNMENT = "view_assignment"
    VIEW_UNIT = "view_unit"
    MANAGE_FOCUS = "manage_focus"  # an observation point's own focus choices and pilot logs
    SUBMIT_CASE = "submit_case"  # case reports for the user's unit
    REVIEW_CASE = "review_case"
    USE_API = "use_api"
    VIEW_ATTACHMENT = "view_attachment"
    REVIEW_PROGRESS = "review_progress"  # confirm or send back claimed completions, decide extension requests
    REOPEN_COMPLETION = "reopen_completion"  # reopen an assignment whose completion was confirmed (办结)
    VIEW_CASE = "view_case"  # one case report (see _can_view_case)
    VIEW_CASE_HISTORY = "view_case_history"  # a case's earlier versions, their files and the review comments
    READ_COMPILATION = "read_compilation"  # the year's 案例汇编 (.docx): the secretariat and the leaders
    DECOMPOSE = "decompose"  # 分解 an inbound assignment (上级下达任务): the addressed work group's secretariat
    VIEW_MATTER = "view_matter"  # one 交办事项 (see _can_view_matter)
    VIEW_MEETING = "view_meeting"  # one 联络员会议 (see _can_view_meeting)
    ACKNOWLEDGE = "acknowledge"  # 签收 an open assignment: whoever acts for its unit (see _can_acknowledge)


class AssignmentFacts(NamedTuple):
    """What the policy reads of an assignment to answer REPORT_PROGRESS and ACKNOWLEDGE, for pages that read their
    assignments as columns (我的任务): ``can(user, action, facts)`` answers exactly as on the Assignment object."""

    unit_id: int
    #: The assignment's unit's ``represents_work_group_id`` (an inbound task of that work group, see inbound_to).
    represents_work_group_id: int | None
    closed_at: dt.datetime | None
    completion_state: CompletionState


class PermissionDenied(Exception):
    """The user may not do this; routes answer 403."""


def _acts_for(user: User, unit_id: int | None) -> bool:
    return user.unit_id is not None and unit_id is not None and user.unit_id == unit_id


_GROUPS_KEY = "_tasktrack_visible_groups"


def visible_group_ids(user: User) -> frozenset[int]:
    """Return the ids of the work groups the user reads: their own and every one below it.

    Kept on the request (``g``) for the user it was computed for: one query a request, however many checks.
    """
    from flask import g, has_app_context

    from tasktrack.services.work_groups import subtree_ids

    key = (user.id, user.work_group_id)
    if has_app_context():
        cached = g.get(_GROUPS_KEY)
        if cached is not None and cached[0] == key:
            return frozenset(cached[1])
    ids = subtree_ids(user.work_group_id)
    if has_app_context():
        setattr(g, _GROUPS_KEY, (key, ids))
    return ids


def group_of(obj: object) -> int | None:
    """Return the work group an object belongs to (None for an object outside every work group)."""
    if isinstance(obj, Task):
        return obj.plan.work_group_id
    if isinstance(obj, Assignment):
        return obj.unit.work_group_id
    if isinstance(obj, WorkGroup):
        return obj.id  # a work group is its own: read by its subtree's ancestors, administered by its secretariat
    unit = getattr(obj, "unit", None)
    if isinstance(unit, Unit) and not isinstance(obj, User):
        return unit.work_group_id  # a case report, a focus choice, a pilot log: its unit's
    value = getattr(obj, "work_group_id", None)
    return value if isinstance(value, int) else None


def inbound_to(assignment: Assignment | AssignmentFacts) -> int | None:
    """Return the lower work group a higher plan's assignment is addressed to (上级下达任务), if any."""
    if isinstance(assignment, AssignmentFacts):
        return assignment.represents_work_group_id
    return assignment.unit.represents_work_group_id


def receives(user: User, obj: object) -> bool:
    """Return whether ``obj`` is an assignment addressed to the user's work group (one of its 上级下达任务)."""
    return isinstance(obj, Assignment) and inbound_to(obj) == user.work_group_id


def reads(user: User, obj: object) -> bool:
    """Return whether the object lies in the user's part of the tree (or is an inbound task of their work group).

    Routes answer 403 when this is false for an object that exists (web/scope.py).
    """
    return _reads(user, obj)


def _reads(user: User, obj: object) -> bool:
    group = group_of(obj)
    if group is None or group == user.work_group_id:
        return True  # the user's own work group is always theirs: no need to walk the tree for it
    visible = visible_group_ids(user)
    if group in visible:
        return True
    return isinstance(obj, Assignment) and inbound_to(obj) == user.work_group_id


def can(user: User | Any, action: Action, obj: object | None = None) -> bool:
    """Return whether ``user`` may do ``action`` (on ``obj`` when the action is about one object)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    role: Role = user.role
    if action is Action.USE_API:
        return True
    if action in (Action.VIEW_PLAN, Action.VIEW_ASSIGNMENT, Action.VIEW_UNIT):
        # Every signed-in role reads the plans of its part of the tree (DESIGN §1).
        return obj is None or _reads(user, obj)
    if action is Action.ADMIN:
        # An object of a work group (a plan, a plan import, a unit) is administered by that group's secretariat.
        return role is Role.SECRETARIAT and (obj is None or _administers(user, obj))
    if action in (Action.REVIEW_CASE, Action.REVIEW_PROGRESS):
        return role is Role.SECRETARIAT and (obj is None or _administers(user, obj))
    if action is Action.READ_COMPILATION:
        return role in (Role.SECRETARIAT, Role.VIEWER)  # the read-only leader is who reads the compilation
    if action is Action.REPORT_PROGRESS:
        return _can_report(user, role, obj)
    if action is Action.ACKNOWLEDGE:
        return _can_acknowledge(user, role, obj)
    if action is Action.DECOMPOSE:
        # The inbound assignment's page, its decomposition and links: the lower group's secretariat only (the
        # higher secretariat reads the result on the assignment page and confirms the claim as usual).
        return role is Role.SECRETARIAT and (obj is None or receives(user, obj))
    if action is Action.REOPEN_COMPLETION:
        if role is not Role.SECRETARIAT:
            return False
        return obj is None or (isinstance(obj, Assignment) and _administers(user, obj) and obj.closed_at is None
                               and obj.completion_state is CompletionState.CONFIRMED)
    if action is Action.VIEW_MATTER:
        return obj is None or (_reads(user, obj) and _can_view_matter(user, obj))
    if action is Action.VIEW_MEETING:
        return obj is None or (_reads(user, obj) and _can_view_meeting(user, obj))
    if action is Action.VIEW_ATTACHMENT:
        from tasktrack.permissions.files import can_view_attachment  # it reads this module's rules

        assert isinstance(obj, Attachment)
        return can_view_attachment(user, obj)
    if action is Action.MANAGE_FOCUS:
        if role is not Role.OBSERVATION_POINT:
            return False
        return obj is None or (isinstance(obj, Unit) and _acts_for(user, obj.id))
    if action is Action.SUBMIT_CASE:
        if role not in (Role.LIAISON, Role.OBSERVATION_POINT):
            return False
        return obj is None or (isinstance(obj, Unit) and _acts_for(user, obj.id))
    if action is Action.VIEW_CASE:
        return obj is None or (_reads(user, obj) and _can_view_case(user, obj))
    if action is Action.VIEW_CASE_HISTORY:
        return obj is not None and _reads(user, obj) and _can_view_case_history(user, obj)
    return False


def _can_report(user: User, role: Role, obj: object | None) -> bool:
    """A unit's liaisons and observation points report on its assignments; a lower work group's secretariat
    reports on the higher plan's assignment addressed to its work group (the summary the higher level reads)."""
    if role is Role.SECRETARIAT:
        # Otherwise the secretariat confirms and urges; units report for themselves.
        return (isinstance(obj, Assignment | AssignmentFacts) and inbound_to(obj) == user.work_group_id
                and _open(obj))
    if role not in (Role.LIAISON, Role.OBSERVATION_POINT):
        return False
    if obj is None:
        return True
    assert isinstance(obj, Assignment | AssignmentFacts)
    return _acts_for(user, obj.unit_id) and _open(obj)


def _can_acknowledge(user: User, role: Role, obj: object | None) -> bool:
    """签收 is the unit's: its liaisons and observation-point contacts, and for a higher plan's assignment addressed to
    a lower work group (上级下达任务) that group's secretariat, who reports on it. Only an open assignment: a closed one
    is history. Whether it is already acknowledged does not matter: a second 签收 is answered 已签收, not refused."""
    if role is Role.SECRETARIAT:
        return (isinstance(obj, Assignment | AssignmentFacts) and inbound_to(obj) == user.work_group_id
                and obj.closed_at is None)
    if role not in (Role.LIAISON, Role.OBSERVATION_POINT):
        return False
    if obj is None:
        return True
    return isinstance(obj, Assignment | AssignmentFacts) and _acts_for(user, obj.unit_id) and obj.closed_at is None


def acknowledgeable_assignments(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the open assignments ``user`` may 签收 (agrees with ``can(ACKNOWLEDGE, a)``)."""
    open_ = Assignment.closed_at.is_(None)
    if role_is(user, Role.SECRETARIAT):
        return sa.and_(open_, Assignment.unit_id.in_(
            sa.select(Unit.id).where(Unit.represents_work_group_id == user.work_group_id)))
    if user.role in (Role.LIAISON, Role.OBSERVATION_POINT) and user.unit_id is not None:
        return sa.and_(open_, Assignment.unit_id == user.unit_id)
    return sa.false()


def _open(assignment: Assignment | AssignmentFacts) -> bool:
    """Once the secretariat confirmed the completion (办结) nobody reports or reopens it but the secretariat
    (REOPEN_COMPLETION, with a reason)."""
    return assignment.closed_at is None and assignment.completion_state is not CompletionState.CONFIRMED


def _administers(user: User, obj: object) -> bool:
    """Return whether the secretariat user administers the work group ``obj`` belongs to."""
    group = group_of(obj)
    return group is not None and group == user.work_group_id


def visible_plans(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the plans ``user`` reads (agrees with ``can(VIEW_PLAN, plan)``)."""
    return Plan.work_group_id.in_(sorted(visible_group_ids(user)))


def visible_units(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the units ``user`` reads."""
    return Unit.work_group_id.in_(sorted(visible_group_ids(user)))


def visible_assignments(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the assignments ``user`` reads (agrees with ``can(VIEW_ASSIGNMENT, a)``): those
    of the units of the user's subtree, and the higher plan's assignments addressed to the user's work group."""
    units = sa.select(Unit.id).where(sa.or_(visible_units(user), Unit.represents_work_group_id == user.work_group_id))
    return Assignment.unit_id.in_(units)


def administered_assignments(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the assignments whose work group the (secretariat) user administers: the ones
    its review queues list (agrees with ``can(REVIEW_PROGRESS, a)``)."""
    return Assignment.unit_id.in_(sa.select(Unit.id).where(Unit.work_group_id == user.work_group_id))


def administered_users(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the accounts a secretariat manages: its own work group's."""
    return User.work_group_id == user.work_group_id


def _reads_all_of_group(user: User) -> bool:  # every 交办事项 and meeting of the reader's part of the tree
    return role_is(user, Role.SECRETARIAT) or role_is(user, Role.VIEWER)


def _can_view_matter(user: User, matter: Any) -> bool:
    """A 交办事项 is read by the secretariat and leaders of the tree, and by the units it is assigned to (lead or
    co-owner, open or closed) — not by the other member units (agrees with ``visible_matters``)."""
    if _reads_all_of_group(user):
        return True
    return user.unit_id is not None and any(a.unit_id == user.unit_id for a in matter.task.assignments)


def visible_matters(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the 交办事项 ``user`` reads (agrees with ``can(VIEW_MATTER, matter)``)."""
    from tasktrack.models import Matter

    in_tree = Matter.work_group_id.in_(sorted(visible_group_ids(user)))
    if _reads_all_of_group(user):
        return in_tree
    return sa.and_(in_tree, Matter.task_id.in_(sa.select(Assignment.task_id).where(Assignment.unit_id == user.unit_id)))


def _can_view_meeting(user: User, meeting: Any) -> bool:
    """A 联络员会议 is read by the secretariat and leaders of the tree and by the units invited to it (agrees with
    ``visible_meetings``)."""
    if _reads_all_of_group(user):
        return True
    return user.unit_id is not None and any(m.unit_id == user.unit_id and m.is_invited for m in meeting.units)


def visible_meetings(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the meetings ``user`` reads (agrees with ``can(VIEW_MEETING, meeting)``)."""
    from tasktrack.models import Meeting, MeetingUnit

    in_tree = Meeting.work_group_id.in_(sorted(visible_group_ids(user)))
    if _reads_all_of_group(user):
        return in_tree
    invited = sa.select(MeetingUnit.meeting_id).where(MeetingUnit.unit_id == user.unit_id,
                                                       MeetingUnit.is_invited.is_(True))
    return sa.and_(in_tree, Meeting.id.in_(invited))  # a user without a unit: unit_id NULL matches nothing


def _can_view_case(user: User, case: Any) -> bool:
    """A case report is read by its unit and the secretariat always, by every signed-in user once the
    secretariat accepted it (accepted or featured): submitted and returned drafts are not public."""
    if role_is(user, Role.SECRETARIAT) or _acts_for(user, case.unit_id):
        return True
    return case.status.value in ("accepted", "featured")


def _can_view_case_history(user: User, case: Any) -> bool:
    """Earlier versions of a case (and the files only they carried, and the review comments that asked for
    the changes) are read by the submitting unit and the secretariat only: a revision that removed a name
    must not leave the named version readable by everyone."""
    return role_is(user, Role.SECRETARIAT) or _acts_for(user, case.unit_id)


def visible_cases(user: User) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of the case reports ``user`` may read (agrees with ``_can_view_case``)."""
    from tasktrack.models import CaseReport, CaseStatus

    in_tree = CaseReport.unit_id.in_(sa.select(Unit.id).where(visible_units(user)))
    if role_is(user, Role.SECRETARIAT):
        return in_tree
    public = CaseReport.status.in_([CaseStatus.ACCEPTED, CaseStatus.FEATURED])
    if user.unit_id is not None:
        return sa.and_(in_tree, sa.or_(public, CaseReport.unit_id == user.unit_id))
    return sa.and_(in_tree, public)


def role_is(user: User, role: Role) -> bool:
    """Return whether the user has exactly this role."""
    return bool(getattr(user, "role", None) is role)


def require(user: User | Any, action: Action, obj: object | None = None) -> None:
    """Raise PermissionDenied unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(action.value)
