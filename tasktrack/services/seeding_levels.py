"""Seed the demo's lower work groups (seed/levels.yaml): cities and a county with units, plans and accounts.

Built through the services a user would use: the work-group service (which makes the parent's unit stand for the
new group), the unit service, the importer (draft → publish) and the account service; then what the lower groups'
secretariats did with their 上级下达任务 (``cascade:``), through services/cascade.py as on the 上级下达任务 pages.
Idempotent: what exists is kept as it is (a group by name, a unit by name within its group, a plan by its document's
hash, an account by e-mail; an inbound task already decomposed or linked, a task already in the plan, a report
already made).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    ImportStatus,
    Plan,
    PlanKind,
    Role,
    Task,
    TaskLink,
    Unit,
    UnitKind,
    User,
    WorkGroup,
    WorkGroupLevel,
)
from tasktrack.services import (
    ServiceError,
    cascade,
    plan_imports,
    progress,
    units,
    users,
    work_group_admin,
    work_groups,
)
from tasktrack.services import plans as plan_service

logger = logging.getLogger(__name__)


def _group_by_name(name: str) -> WorkGroup | None:
    return db.session.scalar(sa.select(WorkGroup).where(WorkGroup.name == name))


def _plan_meta(path: Path) -> plan_service.PlanMeta:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return plan_service.PlanMeta(
        year=int(data["year"]), title=str(data["title"]), issuer=str(data["issuer"]),
        document_number=str(data.get("document_number", "")), issued_on=data.get("issued_on"),
        report_period_months=int(data.get("report_period_months", 3)),
        warning_days=int(data.get("warning_days", 14)))


def _import_plan(group: WorkGroup, plan_dir: Path, *, now: dt.datetime) -> int:
    """Import and publish the group's plan document once; return the number of tasks created."""
    meta = _plan_meta(plan_dir / "plan.yaml")
    source = (plan_dir / "source.txt").read_bytes()
    imp = plan_imports.find_by_hash(group, plan_imports.sha256(source))
    if imp is None:
        imp = plan_imports.start(plan_imports.Received(source, f"{meta.document_number or meta.title}.txt"),
                                 title=meta.title, year=meta.year, actor=None, now=now, group=group)
    if imp.status is not ImportStatus.DRAFT:
        return 0
    plan_imports.publish(imp, actor=None, now=now, meta=dataclasses.replace(meta, context=imp.context))
    return len(imp.rows)


def seed_levels(report: Any, *, password: str, now: dt.datetime, fast_hash: bool, seed_dir: Path) -> None:
    """Create the groups of seed/levels.yaml that are missing, with their units, plans and accounts.

    ``report`` is the demo's SeedReport: what was created is counted there and the accounts listed.
    """
    path = seed_dir / "levels.yaml"
    if not path.exists():
        return
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for row in data.get("groups") or []:
        parent = _group_by_name(row["parent"])
        if parent is None:
            raise ServiceError(f"seed/levels.yaml：上级专班“{row['parent']}”不存在")
        group = _group_by_name(row["name"])
        if group is None:
            group = work_group_admin.create_work_group(None, name=row["name"], level=WorkGroupLevel(row["level"]),
                                                       parent=parent, unit_name=row.get("unit"), now=now)
            report.add("work_groups")
        for unit_row in row.get("units") or []:
            if work_groups.find_unit_in(group, unit_row["name"]) is None:
                units.save_unit(None, actor=None, name=unit_row["name"], kind=UnitKind.MEMBER, categories=[],
                                contact_emails="\n".join(unit_row.get("emails") or []), leader_email=None,
                                work_group=group, now=now)
                report.add("units")
        if row.get("plan"):
            tasks = _import_plan(group, seed_dir / "levels" / row["plan"], now=now)
            if tasks:
                report.add("plans")
                report.add("tasks", tasks)
        accounts = [({**row["secretariat"], "role": "secretariat"})] if row.get("secretariat") else []
        accounts += [{**liaison, "role": "liaison"} for liaison in row.get("liaisons") or []]
        for account in accounts:
            role = Role(account["role"])
            unit = work_groups.find_unit_in(group, account["unit"]) if account.get("unit") else None
            label = f"{group.name.replace('清廉社会组织建设工作专班', '专班')}" + (f" · {unit.name}" if unit else "")
            report.demo_accounts.append((account["email"], role.label, label))
            if users.find_by_email(account["email"]) is None:
                users.create_user(actor=None, email=account["email"], name=account["name"], role=role, unit=unit,
                                  password=password, now=now, fast_hash=fast_hash, demo_account=True,
                                  work_group=None if unit else group)
                report.add("users")
    db.session.flush()
    for step in data.get("cascade") or []:
        _seed_cascade(step, report, now=now)
    db.session.flush()


def _account(email: str) -> User:
    user = users.find_by_email(email)
    if user is None:
        raise ServiceError(f"seed/levels.yaml：账号“{email}”不存在")
    return user


def _inbound(group: WorkGroup, number: int) -> Assignment | None:
    """Return the group's inbound assignment on task ``number`` of its parent's newest plan that has one."""
    unit = work_group_admin.representing_unit(group)
    if unit is None or group.parent_id is None:
        return None
    return db.session.scalar(
        sa.select(Assignment).join(Task, Assignment.task_id == Task.id).join(Plan, Task.plan_id == Plan.id)
        .where(Plan.work_group_id == group.parent_id, Plan.is_deleted.is_(False), Task.is_deleted.is_(False),
               Plan.kind == PlanKind.PLAN,
               Task.number == number, Assignment.unit_id == unit.id, Assignment.closed_at.is_(None))
        .order_by(Plan.year.desc(), Plan.id.desc()).limit(1))


def _seed_cascade(step: dict[str, Any], report: Any, *, now: dt.datetime) -> None:
    """Apply one group's step of ``cascade:`` (decompose and report, link, add a task), each only once."""
    group = _group_by_name(step["group"])
    if group is None:
        raise ServiceError(f"seed/levels.yaml：工作专班“{step['group']}”不存在")
    actor = _account(step["by"])
    plans = cascade.decomposable_plans(group.id)
    if not plans:
        return
    plan = plans[0]
    inbound = _inbound(group, int(step["inbound_task"])) if step.get("inbound_task") else None
    already_linked = inbound is not None and db.session.scalar(
        sa.select(TaskLink.id).where(TaskLink.parent_assignment_id == inbound.id).limit(1)) is not None
    if inbound is not None and not already_linked:
        if step.get("decompose"):
            row = step["decompose"]
            cascade.decompose(inbound, plan=plan, text=row["text"], deadline_phrase=row["deadline"],
                              responsible_phrase=row["responsible"], actor=actor, now=now)
            report.add("decompositions")
        elif step.get("link_task"):
            task = db.session.scalar(sa.select(Task).where(Task.plan_id == plan.id,
                                                           Task.number == int(step["link_task"])))
            if task is not None:
                cascade.link(inbound, task, actor=actor, now=now)
                report.add("links")
    if step.get("report") and inbound is not None:
        _seed_sub_report(inbound, step["report"], report, now=now)
    if step.get("add_task"):
        row = step["add_task"]
        exists = db.session.scalar(sa.select(Task.id).where(Task.plan_id == plan.id, Task.text == row["text"]))
        if exists is None:
            plan_service.add_task(plan, text=row["text"], deadline_phrase=row["deadline"],
                                  responsible_phrase=row["responsible"], actor=actor, now=now)
            report.add("tasks")


def _seed_sub_report(inbound: Assignment, row: dict[str, Any], report: Any, *, now: dt.datetime) -> None:
    """Have one unit report on its assignment of a task linked to ``inbound`` (once: not if it has reported)."""
    assignment = db.session.scalar(
        sa.select(Assignment).join(TaskLink, TaskLink.task_id == Assignment.task_id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(TaskLink.parent_assignment_id == inbound.id, Assignment.closed_at.is_(None), Unit.name == row["unit"])
        .order_by(Assignment.id).limit(1))
    if assignment is None or assignment.last_reported_at is not None:
        return
    status = AssignmentStatus(row["status"])
    progress.submit_report(assignment, author=_account(row["by"]), status=status,
                           percent=100 if status is AssignmentStatus.COMPLETED else row.get("percent"),
                           completed_on=row.get("completed_on"), narrative=row["narrative"], now=now)
    report.add("reports")
