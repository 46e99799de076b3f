"""What a write can change, and what a cached page shows: the scopes of the render cache (issue 16).

Every writing transaction bumps the global data version (tasktrack/cache.py) — except the writes this module can
classify, which bump only the scopes they can change. Today that is a progress report and what goes with it (the
assignment's mirror of its latest report, a reopening record, the report's files and target values, the audit
event): the bulk of the writes, a few thousand units reporting. Such a write marks

* ``plan:P``  — the assignment's plan (the dashboard, the lists, the task page and the exports of P);
* ``unit:U``  — the assignment's unit (the unit's 我的任务);
* ``tree:G``  — the plan's work group and every group above it (a higher group's pages roll up from below);
* ``red:G``   — the same groups, only when the assignment is overdue (red) before or after the write: the
  province-wide overdue list changes with nothing else.

A cached page says what it shows (:class:`Page`); :func:`versions_query` reads the versions of the scopes that
page reads in the same one query that reads the global version, and the page is served from the cache while all of
them are unchanged. So a county's report leaves another unit's 我的任务, every other plan's pages and — unless the
work was overdue — the overdue lists cached, while the province's 督办总览 (which rolls up from the county) follows
it.

The rule is conservative by construction: a flush is classified only when *every* object it writes is one of the
kinds below and belongs to an assignment that already exists; anything else in the flush, and any statement that
runs outside an ORM flush (Core ``UPDATE``, a bulk insert, the migrations), bumps the global version as before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

#: The tables a classified flush may write; a write to any other table inside it bumps the global version.
NARROWABLE_TABLES = frozenset({
    "progress_reports", "assignments", "supervision_records", "attachments", "target_values", "audit_events",
})
#: What a scope name looks like (it is put into SQL as a literal, so nothing else may pass).
SCOPE = re.compile(r"^(plan|unit|tree|red):\d{1,12}$")
#: The attachments owned by progress reports (services/progress.py OWNER_TYPE).
REPORT_OWNER = "progress_report"


def _facts(ids: list[int]) -> sa.Select[Any]:
    """One statement: each assignment's unit, plan, status, extended due date and task due date, once for its plan's
    work group and once for every group above it (a recursive walk up ``work_groups.parent_id``)."""
    from tasktrack.models import Assignment, Plan, Task, WorkGroup

    up = (sa.select(Assignment.id.label("aid"), Plan.work_group_id.label("gid"))
          .join(Task, Task.id == Assignment.task_id).join(Plan, Plan.id == Task.plan_id)
          .where(Assignment.id.in_(ids)).cte("up", recursive=True))
    up = up.union(sa.select(up.c.aid, WorkGroup.parent_id).join(WorkGroup, WorkGroup.id == up.c.gid)
                  .where(WorkGroup.parent_id.is_not(None)))
    return (sa.select(Assignment.id, Assignment.unit_id, Task.plan_id, Assignment.status, Assignment.extended_due,
                      Task.due_date, up.c.gid)
            .join(Task, Task.id == Assignment.task_id).join(up, up.c.aid == Assignment.id))


def _red(status: object, extended_due: dt.date | None, due_date: dt.date | None, today: dt.date | None) -> bool:
    """Whether an assignment is on the overdue (red) lists: not completed, its due date in force passed
    (services/read/overdue.py's predicate); without a day to judge by, assume it is."""
    if today is None:
        return True
    due = extended_due or due_date
    return str(getattr(status, "value", status)) != "completed" and due is not None and due < today


def _today() -> dt.date | None:
    from flask import has_app_context

    if not has_app_context():
        return None
    from tasktrack.context import today

    return today()


def assignment_scopes(session: Session, assignment_ids: Iterable[int],
                      after: dict[int, tuple[object, dt.date | None]] | None = None) -> set[str] | None:
    """Return the scopes a write to these assignments can change (None: one of them is unknown — bump globally).

    ``after``: the (status, extended_due) a flush is about to write for some of them. The database still holds
    the values before the flush; an assignment red before or after it also changes the overdue lists (``red:G``).
    """
    ids = sorted(set(assignment_ids))
    if not ids:
        return set()
    chains: dict[int, set[int]] = {}
    scopes: set[str] = set()
    today, after = _today(), after or {}
    red: set[int] = set()
    for aid, unit_id, plan_id, status, extended_due, due_date, group_id in session.execute(_facts(ids)).tuples():
        if aid not in chains:
            scopes.update((f"plan:{plan_id}", f"unit:{unit_id}"))
            later = after.get(aid, (status, extended_due))
            if _red(status, extended_due, due_date, today) or _red(later[0], later[1], due_date, today):
                red.add(aid)
        chains.setdefault(aid, set()).add(group_id)
    if len(chains) != len(ids):
        return None
    for aid, groups in chains.items():
        scopes.update(f"tree:{g}" for g in groups)
        if aid in red:
            scopes.update(f"red:{g}" for g in groups)
    return scopes


def flush_scopes(session: Session) -> set[str] | None:
    """Return the scopes the pending flush can change, or None when it writes anything this module cannot place."""
    from tasktrack.models import (
        Assignment,
        Attachment,
        AuditEvent,
        ProgressReport,
        SupervisionRecord,
        TargetValue,
    )

    if session.deleted:
        return None
    assignment_ids: set[int] = set()
    after: dict[int, tuple[object, dt.date | None]] = {}
    report_ids: set[int] = set()
    new_reports: dict[int, ProgressReport] = {}
    for obj in session.new:
        if isinstance(obj, AuditEvent):
            continue  # no cached page shows the audit trail
        if isinstance(obj, ProgressReport):
            aid = obj.assignment_id if obj.assignment_id is not None else getattr(obj.assignment, "id", None)
            if aid is None:
                return None
            assignment_ids.add(aid)
            new_reports[id(obj)] = obj
        elif isinstance(obj, SupervisionRecord):
            assignment_ids.add(obj.assignment_id)
        elif isinstance(obj, TargetValue) and obj.progress_report_id is not None:
            report_ids.add(obj.progress_report_id)
        elif isinstance(obj, Attachment) and obj.owner_type == REPORT_OWNER and obj.owner_id is not None:
            report_ids.add(obj.owner_id)
        else:
            return None
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, Assignment) and obj.id is not None and not _moved(obj):
            assignment_ids.add(obj.id)
            after[obj.id] = (obj.status, obj.extended_due)
        else:
            return None
    if report_ids:
        found = dict(session.execute(
            sa.select(ProgressReport.id, ProgressReport.assignment_id).where(ProgressReport.id.in_(report_ids))
        ).tuples().all())
        if len(found) != len(report_ids):
            return None
        assignment_ids.update(found.values())
    if None in assignment_ids:
        return None
    return assignment_scopes(session, assignment_ids, after)


def _moved(assignment: object) -> bool:
    """Whether a flush changes which task or unit an assignment belongs to (its scopes are then not the database's)."""
    state = sa.inspect(assignment)
    if state is None:
        return True
    attrs = state.attrs
    return bool(attrs.task_id.history.has_changes() or attrs.unit_id.history.has_changes())


def check(scopes: Iterable[str]) -> list[str]:
    """Return the scope names sorted, refusing anything that is not a scope (they become SQL literals)."""
    names = sorted(set(scopes))
    for name in names:
        if not SCOPE.match(name):
            raise ValueError(f"not a cache scope: {name!r}")
    return names


# What cached pages read ------------------------------------------------------------------------------------------

class Page(NamedTuple):
    """What a cached page is about: one plan (``plan``), one task of a plan (``task``), a work group's current plan
    (``group_plan``: its 督办总览 when no plan is named), everything a work group reads (``group``), the overdue
    (red) list of everything it reads (``group_red``), or one unit's own list (``unit``)."""

    kind: Literal["plan", "task", "group_plan", "group", "group_red", "unit"]
    id: int


def _text(column: str) -> str:
    return f"CAST({column} AS VARCHAR(20))"


def _around(group: str) -> str:
    """The scopes of a group's page beyond its own plan: each lower group's whole tree (their roll-ups show there),
    the units that stand for the group in a higher plan (its 上级下达任务) and its 交办事项 (the dashboard's own
    section: services/matters.py)."""
    return (f"SELECT 'tree:' || {_text('id')} FROM work_groups WHERE parent_id = ({group}) "
            f"UNION ALL SELECT 'unit:' || {_text('id')} FROM units WHERE represents_work_group_id = ({group}) "
            f"UNION ALL SELECT 'plan:' || {_text('id')} FROM plans WHERE work_group_id = ({group}) "
            "AND kind = 'matters'")


#: The global version (scope ``''``) and the versions of the scopes ``names`` (an expanding parameter, or a query
#: of names in parentheses) — one statement; a scope never bumped has no row.
VERSIONS = ("SELECT '' AS scope, value FROM data_version WHERE id = 1 UNION ALL "
            "SELECT scope, value FROM data_version_scopes WHERE scope IN {names}")

#: For each kind of page, a query of the names of the scopes it reads (``:id`` the page's id, ``:year`` today's).
_PAGE_SCOPES = {
    "plan": f"SELECT 'plan:' || {_text(':id')} UNION ALL "
            + _around("SELECT work_group_id FROM plans WHERE id = :id"),
    "task": f"SELECT 'plan:' || {_text('plan_id')} FROM tasks WHERE id = :id UNION ALL "
            + _around("SELECT p.work_group_id FROM plans p JOIN tasks t ON t.plan_id = p.id WHERE t.id = :id"),
    # The group's current plan as overview.group_plan picks it: today's year first, else the newest.
    "group_plan": f"SELECT 'plan:' || {_text('id')} FROM (SELECT id FROM plans WHERE work_group_id = :id "
                  "AND is_deleted = false AND kind = 'plan' "
                  "ORDER BY CASE WHEN year = :year THEN 0 ELSE 1 END, year DESC, id LIMIT 1) AS current_plan "
                  "UNION ALL " + _around(":id"),
    "group": f"SELECT 'tree:' || {_text(':id')} UNION ALL "
             f"SELECT 'unit:' || {_text('id')} FROM units WHERE represents_work_group_id = :id",
    # The overdue lists of everything a group reads: only a write to an assignment red before or after it.
    "group_red": f"SELECT 'red:' || {_text(':id')} UNION ALL "
                 f"SELECT 'unit:' || {_text('id')} FROM units WHERE represents_work_group_id = :id",
    "unit": f"SELECT 'unit:' || {_text(':id')} UNION ALL "
            f"SELECT 'tree:' || {_text('represents_work_group_id')} FROM units "
            "WHERE id = :id AND represents_work_group_id IS NOT NULL",
}


def versions_query(page: Page, today: dt.date) -> tuple[sa.TextClause, dict[str, object]]:
    """Return one statement that reads the global version (scope ``''``) and the version of every scope the page
    reads (a scope never bumped has no row), with its parameters: a cached page costs one query, as before."""
    sql = VERSIONS.format(names=f"({_PAGE_SCOPES[page.kind]})")
    params: dict[str, object] = {"id": page.id}
    if page.kind == "group_plan":
        params["year"] = today.year
    return sa.text(sql), params
