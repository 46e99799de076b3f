"""交办事项 (assigned matters): items outside the plan table that are supervised exactly like plan tasks.

A matter is a task of its work group's yearly matters container (a Plan of kind "matters", one section per source)
plus a :class:`~tasktrack.models.Matter` row holding what a plan task lacks. The task is added through
``plans.add_task`` — the same deadline parser, the same owner reading against the group's own units, categories
and aliases — so its assignments are opened by the same sync code as a plan's (services/assignments.py), and its
reports, lights, review, extensions, reminders, digests, exports and API are the plan task's, unchanged.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tasktrack.clock import local_date
from tasktrack.domain.lights import Light
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    Matter,
    MatterSource,
    Meeting,
    Plan,
    PlanKind,
    ProgressReport,
    Section,
    Task,
    User,
    WorkGroup,
)
from tasktrack.permissions import visible_matters
from tasktrack.services import Conflict, NotFound, ServiceError, plans
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import clean_text
from tasktrack.services.read.overview import TaskRow, task_row

logger = logging.getLogger(__name__)

REFERENCE_MAX = 500
BAD_SOURCE = "请选择交办事项的来源（会议议定、领导批示、上级交办或其他）"
HAS_REPORTS = "已有单位报送进展，交办事项不能再修改（可由专班办公室在任务分工页面催办、退回或重新打开）"
MATTER_FIELDS = ("source", "reference", "meeting_id")
#: Light filter values of the list (a matter's light is the worst of its open assignments').
STATES = ("red", "yellow", "green", "done")
#: Finished matters the dashboard's section lists after the unfinished ones (newest first).
FINISHED_SHOWN = 5


def container_title(year: int) -> str:
    """Return the title of a work group's matters container of ``year`` (shown wherever its tasks appear)."""
    return f"{year}年交办事项"


def container(group: WorkGroup, year: int, *, actor: User | None, now: dt.datetime) -> Plan:
    """Return the group's matters container of ``year``, creating it (one section per source) when missing."""
    plan = db.session.scalar(sa.select(Plan).where(Plan.work_group_id == group.id, Plan.year == year,
                                                   Plan.kind == PlanKind.MATTERS, Plan.is_deleted.is_(False)))
    if plan is not None:
        return plan
    plan = Plan(work_group_id=group.id, year=year, title=container_title(year), issuer=group.name, created_at=now,
                kind=PlanKind.MATTERS)
    db.session.add(plan)
    for number, source in enumerate(MatterSource, start=1):
        plan.sections.append(Section(number=number, title=source.label))
    db.session.flush()
    record(actor, "plan.create", plan, now=now, summary=f"建立{plan.title}")
    return plan


def parse_source(raw: str | None) -> MatterSource:
    """Return the source a form or the API names (its value or its Chinese label), else refuse on ``source``."""
    text = (raw or "").strip()
    for source in MatterSource:
        if text in (source.value, source.label):
            return source
    raise ServiceError(BAD_SOURCE, field="source")


def create_matter(
    group: WorkGroup, *, source: MatterSource, reference: str, text: str, deadline_phrase: str,
    responsible_phrase: str, actor: User | None, now: dt.datetime, meeting: Meeting | None = None,
) -> Matter:
    """Record a 交办事项 and open its assignments (flushes, audits); the first problem is raised on its field.

    ``meeting``: the decision (议定事项) comes from this meeting (source 会议议定, reference the meeting's title
    when none is given). Nothing is written when any field is refused.
    """
    if meeting is not None:
        if meeting.work_group_id != group.id:
            raise ServiceError("会议不属于本专班", field="meeting")
        source = MatterSource.MEETING
    reference = clean_text(reference, field="reference", label="依据", max_len=REFERENCE_MAX)
    if meeting is not None and not reference:
        reference = meeting.title
    with db.session.begin_nested():  # a refused text, deadline or owner leaves no container or task behind
        plan = container(group, local_date(now).year, actor=actor, now=now)
        task = plans.add_task(plan, text=text, deadline_phrase=deadline_phrase,
                              responsible_phrase=responsible_phrase, actor=actor, now=now, section_title=source.label)
        if not task.assignments:
            raise ServiceError("责任单位没有可分配的单位", field="responsible_phrase")
    matter = Matter(task=task, work_group_id=group.id, source=source, reference=reference,
                    meeting_id=meeting.id if meeting is not None else None,
                    created_by_id=actor.id if actor is not None else None, created_at=now)
    db.session.add(matter)
    db.session.flush()
    record(actor, "matter.create", matter, now=now,
           summary=f"交办事项 {task.number}（{source.label}）：{task.text[:60]}",
           after=snapshot(matter, MATTER_FIELDS))
    logger.info("matter %s recorded in work group %s", matter.id, group.id)
    return matter


def has_reports(matter: Matter) -> bool:
    """Return whether any unit has reported on the matter (it can no longer be edited then)."""
    return db.session.scalar(
        sa.select(ProgressReport.id).join(Assignment, ProgressReport.assignment_id == Assignment.id)
        .where(Assignment.task_id == matter.task_id).limit(1)) is not None


def edit_matter(
    matter: Matter, *, reference: str, text: str, deadline_phrase: str, responsible_phrase: str, actor: User,
    now: dt.datetime,
) -> bool:
    """Change a matter's reference, text, deadline and owners before any unit reported (audited, history kept).

    The task's change is audited as ``task.update`` with before and after; assignments follow the new owners
    (a unit no longer named is closed, its history kept). Returns whether anything changed.
    """
    if has_reports(matter):
        raise Conflict(HAS_REPORTS)
    reference = clean_text(reference, field="reference", label="依据", max_len=REFERENCE_MAX)
    with db.session.begin_nested():
        changed = plans.edit_task(matter.task, text=text, deadline_phrase=deadline_phrase,
                                  responsible_phrase=responsible_phrase, actor=actor, now=now)
        if not any(a.closed_at is None for a in matter.task.assignments):
            raise ServiceError("责任单位没有可分配的单位", field="responsible_phrase")
    if reference != matter.reference:
        before = snapshot(matter, MATTER_FIELDS)
        matter.reference = reference
        db.session.flush()
        record(actor, "matter.update", matter, now=now, summary=f"修改交办事项 {matter.task.number} 的依据",
               before=before, after=snapshot(matter, MATTER_FIELDS))
        changed = True
    return changed


def _loaded() -> sa.Select[tuple[Matter]]:
    return sa.select(Matter).options(
        joinedload(Matter.meeting),
        joinedload(Matter.task).options(
            joinedload(Task.plan), joinedload(Task.section),
            selectinload(Task.assignments).joinedload(Assignment.unit)),
    )


def get_matter(matter_id: int) -> Matter:
    """Return a matter with its task, plan, assignments, units and meeting loaded; NotFound when there is none."""
    matter = db.session.scalar(_loaded().where(Matter.id == matter_id))
    if matter is None or matter.task.is_deleted or matter.task.plan.is_deleted:
        raise NotFound("交办事项不存在")
    return matter


@dataclass(frozen=True)
class MatterRow:
    """A matter with its task row (open assignments with their lights, the worst light)."""

    matter: Matter
    row: TaskRow

    @property
    def state(self) -> str | None:
        return self.row.light.light.value if self.row.light else None


def matter_row(matter: Matter, today: dt.date) -> MatterRow:
    """Return one loaded matter with its lights."""
    return MatterRow(matter, task_row(matter.task, matter.task.plan, today))


def list_matters(reader: User, today: dt.date, *, source: MatterSource | None = None, state: str | None = None,
                 group_ids: list[int] | None = None) -> list[MatterRow]:
    """Return the matters ``reader`` reads (newest first) with their lights, filtered by source and light.

    Three queries whatever the number of matters (the matters with task, plan, section and meeting; the
    assignments; their units).
    """
    # The task joined once, for the filter and the loaded matter alike (not a second time by the eager load).
    query = (sa.select(Matter).join(Task, Matter.task_id == Task.id)
             .options(joinedload(Matter.meeting),
                      contains_eager(Matter.task).options(
                          joinedload(Task.plan), joinedload(Task.section),
                          selectinload(Task.assignments).joinedload(Assignment.unit)))
             .where(visible_matters(reader), Task.is_deleted.is_(False)))
    if source is not None:
        query = query.where(Matter.source == source)
    if group_ids is not None:
        query = query.where(Matter.work_group_id.in_(group_ids))
    rows = [matter_row(m, today) for m in db.session.scalars(query.order_by(Matter.id.desc())).unique()]
    if state is not None:
        rows = [r for r in rows if r.state == state]
    return rows


def parse_state(raw: str | None) -> str | None:
    """Return a light filter value, None for none; refuse anything else on ``state``."""
    text = (raw or "").strip()
    if not text:
        return None
    if text not in STATES:
        raise ServiceError("状态筛选只能是 red、yellow、green 或 done", field="state")
    return text


def light_counts(rows: list[MatterRow]) -> dict[Light, int]:
    """Return how many matters are at each light (the dashboard's 交办事项 section)."""
    counts = dict.fromkeys((Light.RED, Light.YELLOW, Light.GREEN, Light.DONE), 0)
    for r in rows:
        if r.row.light is not None:
            counts[r.row.light.light] = counts.get(r.row.light.light, 0) + 1
    return counts


@dataclass(frozen=True)
class DashboardSection:
    """The dashboard's 交办事项 section of one work group: counts by light, the unfinished ones worst first, the
    newest finished ones, and the containers (their export and print)."""

    rows: list[MatterRow]
    counts: dict[Light, int]
    containers: list[Plan]

    @property
    def unfinished(self) -> list[MatterRow]:
        order = {Light.RED.value: 0, Light.YELLOW.value: 1, Light.GREEN.value: 2}
        return sorted((r for r in self.rows if r.state != Light.DONE.value),
                      key=lambda r: (order.get(r.state or "", 3), r.matter.task.due_date or dt.date.max))

    @property
    def listed(self) -> list[MatterRow]:
        """The rows the section shows: every unfinished matter, then the newest finished ones (at most
        FINISHED_SHOWN; the 已完成 count links to all), so a matter does not vanish from the page once 办结."""
        finished = [r for r in self.rows if r.state == Light.DONE.value]
        return self.unfinished + finished[:FINISHED_SHOWN]


def dashboard_section(reader: User, group_id: int, today: dt.date) -> DashboardSection:
    """Return the 交办事项 section of a work group's dashboard, as ``reader`` reads it (a fixed number of queries)."""
    rows = list_matters(reader, today, group_ids=[group_id])
    containers = list({r.matter.task.plan.id: r.matter.task.plan for r in rows}.values())
    containers.sort(key=lambda p: -p.year)
    return DashboardSection(rows=rows, counts=light_counts(rows), containers=containers)
