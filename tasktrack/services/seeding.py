"""Load seed/ (categories, units, focus items, plans, demo data) through the same services users use.

Idempotent: a second run changes nothing; existing units keep what the secretariat edited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from tasktrack.extensions import db
from tasktrack.models import (
    AssignmentStatus,
    Category,
    FocusItem,
    ImportStatus,
    Plan,
    PlanKind,
    Role,
    Task,
    Unit,
    UnitKind,
    WorkGroup,
)
from tasktrack.models.plan import Assignment
from tasktrack.services import plan_imports, progress, units, users, work_groups
from tasktrack.services import plans as plan_service
from tasktrack.services.audit import record

logger = logging.getLogger(__name__)

SEED_DIR = Path(__file__).resolve().parents[2] / "seed"


@dataclass
class SeedReport:
    """What a seed run created."""

    created: dict[str, int] = field(default_factory=dict)
    demo_password: str | None = None
    demo_accounts: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        """Count n created things of a kind."""
        self.created[what] = self.created.get(what, 0) + n


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_plan_meta(path: Path) -> plan_service.PlanMeta:
    """Read a plan.yaml."""
    data = _yaml(path)
    return plan_service.PlanMeta(
        year=int(data["year"]),
        title=str(data["title"]),
        issuer=str(data["issuer"]),
        document_number=str(data.get("document_number", "")),
        issued_on=data.get("issued_on"),
        focus_choice_deadline=data.get("focus_choice_deadline"),
        report_period_months=int(data.get("report_period_months", 3)),
        warning_days=int(data.get("warning_days", 14)),
    )


def seed_base(*, now: dt.datetime, seed_dir: Path = SEED_DIR) -> SeedReport:
    """Create the categories, units, focus items and plans that are missing."""
    report = SeedReport()
    group = work_groups.default_work_group(now=now)
    categories = {c.name: c for c in db.session.scalars(sa.select(Category).where(Category.work_group_id == group.id))}
    for order, row in enumerate(_yaml(seed_dir / "categories.yaml"), start=1):
        if row["name"] not in categories:
            category = Category(name=row["name"], code=row["code"], description=row.get("description", ""),
                                sort_order=order, work_group_id=group.id)
            db.session.add(category)
            categories[category.name] = category
            db.session.flush()
            record(None, "category.create", category, now=now, summary=f"新增责任单位类别 {category.name}")
            report.add("categories")
    names = work_groups.name_table(group)
    for row in _yaml(seed_dir / "categories.yaml"):
        for alias in row.get("aliases") or []:
            if alias not in names.category_aliases:
                work_groups.add_alias(group, alias, category=categories[row["name"]], actor=None, now=now)
                report.add("aliases")

    existing_units = set(db.session.scalars(sa.select(Unit.name)))
    for row in _yaml(seed_dir / "units.yaml"):
        if row["name"] in existing_units:
            continue
        units.save_unit(
            None, actor=None, name=row["name"], kind=UnitKind(row["kind"]),
            categories=[categories[name] for name in row.get("categories", [])],
            contact_emails="\n".join(row.get("emails") or []), leader_email=row.get("leader_email"), now=now,
        )
        report.add("units")

    focus = {f.code for f in db.session.scalars(sa.select(FocusItem))}
    for row in _yaml(seed_dir / "focus_items.yaml"):
        if row["code"] not in focus:
            item = FocusItem(code=row["code"], name=row["name"], sort_order=int(row.get("sort_order", 0)))
            db.session.add(item)
            db.session.flush()
            record(None, "focus_item.create", item, now=now, summary=f"新增工作重点 {item.name}")
            report.add("focus_items")

    for plan_dir in sorted(p for p in (seed_dir / "plans").iterdir() if p.is_dir()):
        _seed_plan(plan_dir, group, report, now=now)
    return report


def _seed_plan(plan_dir: Path, group: WorkGroup, report: SeedReport, *, now: dt.datetime) -> None:
    """Import a shipped plan document through the importer (draft → publish), once."""
    data = _yaml(plan_dir / "plan.yaml")
    meta = load_plan_meta(plan_dir / "plan.yaml")
    source = (plan_dir / "source.txt").read_bytes()
    imp = plan_imports.find_by_hash(group, plan_imports.sha256(source))
    if imp is None:
        imp = plan_imports.start(plan_imports.Received(source, f"{meta.document_number or meta.title}.txt"),
                                 title=meta.title, year=meta.year, actor=None, now=now, group=group)
    if imp.status is ImportStatus.DRAFT:
        meta = dataclasses.replace(meta, context=imp.context, end_year=imp.end_year)
        # The observation points (category 观察点) are the demo's: task 17 is theirs once they exist.
        plan = plan_imports.publish(imp, actor=None, now=now, meta=meta, update_existing=True,
                                    allow_empty_categories=True)
        report.add("plans")
        report.add("tasks", len(imp.rows))
    else:
        assert imp.plan is not None
        plan = imp.plan
    case_task = data.get("case_task")
    if case_task is not None and plan.case_task_number is None:
        plan.case_task_number = int(case_task)
        record(None, "plan.case_task", plan, now=now,
               summary=f"案例报送计入任务 {case_task} 的进展", after={"case_task_number": int(case_task)})


def seed_demo(*, now: dt.datetime, fast_hash: bool = False, seed_dir: Path = SEED_DIR) -> SeedReport:
    """Add the demo observation points, e-mails, accounts and reports (skipping what exists)."""
    report = SeedReport()
    data = _yaml(seed_dir / "demo.yaml")
    password = str(data["password"])
    report.demo_password = password
    observation = db.session.scalar(sa.select(Category).where(Category.name == "观察点"))
    for row in data.get("observation_points", []):
        if units.find_unit(row["name"]) is None:
            units.save_unit(
                None, actor=None, name=row["name"], kind=UnitKind.OBSERVATION_POINT,
                categories=[observation] if observation else [], contact_emails="\n".join(row.get("emails", [])),
                leader_email=None, parent=units.find_unit(row.get("parent", "")), now=now,
            )
            report.add("observation_points")
    for name, emails in (data.get("unit_emails") or {}).items():
        unit = units.find_unit(name)
        if unit is not None and not unit.contact_emails:
            unit.contact_emails = "\n".join(emails)
            record(None, "unit.update", unit, now=now, summary=f"演示数据：设置 {name} 联系邮箱")
    for row in data.get("users", []):
        role = Role(row["role"])
        report.demo_accounts.append((row["email"], role.label, row.get("unit", "")))
        if users.find_by_email(row["email"]) is None:
            users.create_user(actor=None, email=row["email"], name=row["name"], role=role,
                              unit=units.find_unit(row["unit"]) if row.get("unit") else None,
                              password=password, now=now, fast_hash=fast_hash, demo_account=True)
            report.add("users")
    db.session.flush()
    for row in data.get("reports", []):
        assignment = db.session.scalar(
            sa.select(Assignment)
            .join(Task, Assignment.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id)
            .join(Plan, Task.plan_id == Plan.id)
            .where(Unit.name == row["unit"], Task.number == int(row["task"]), Plan.kind == PlanKind.PLAN)
            .order_by(Plan.year.desc())
        )
        if assignment is None or assignment.last_reported_at is not None:
            continue
        author = users.find_by_email(row["by"])
        if author is None:
            continue
        progress.submit_report(
            assignment, author=author, status=AssignmentStatus(row["status"]), percent=row.get("percent"),
            completed_on=row.get("completed_on"), narrative=row["narrative"], now=now,
        )
        report.add("reports")
    _seed_observation_demo(data, report, now=now)
    from tasktrack.services.seeding_matters import seed_matters

    seed_matters(data, report, now=now)
    from tasktrack.services.seeding_levels import seed_levels

    seed_levels(report, password=password, now=now, fast_hash=fast_hash, seed_dir=seed_dir)
    _acknowledge_demo(data, report, now=now)
    return report


def _acknowledge_demo(data: dict[str, Any], report: SeedReport, *, now: dt.datetime) -> None:
    """Sign for (签收) the demo's open assignments but the few ``unacknowledged`` ones, on the run that created the
    demo accounts only: a later run never signs what a user left 待签收."""
    if not report.created.get("users"):
        return
    keep = {(row["unit"], int(row["task"])) for row in data.get("unacknowledged", [])}
    rows = db.session.execute(
        sa.select(Assignment, Unit.name, Task.number).join(Task, Assignment.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.acknowledged_at.is_(None), Assignment.closed_at.is_(None))
        .order_by(Assignment.id)
    ).all()
    for assignment, unit_name, number in rows:
        if (unit_name, number) in keep:
            continue
        assignment.acknowledged_at = now
        record(None, "assignment.acknowledge", assignment, now=now,
               summary=f"演示数据：{unit_name} 已签收任务 {number}")
        report.add("acknowledged")


def _seed_observation_demo(data: dict[str, Any], report: SeedReport, *, now: dt.datetime) -> None:
    """Add the demo focus choices and case reports (only where the unit has none yet)."""
    from tasktrack.models import CaseKind, CaseReport, FocusChoice
    from tasktrack.services import cases, observations

    plan = db.session.scalar(sa.select(Plan).where(Plan.is_deleted.is_(False), Plan.kind == PlanKind.PLAN)
                             .order_by(Plan.year.desc()))
    if plan is None:
        return
    focus = {f.code: f for f in db.session.scalars(sa.select(FocusItem))}
    for row in data.get("focus_choices") or []:
        unit, author = units.find_unit(row["unit"]), users.find_by_email(row["by"])
        if unit is None or author is None or db.session.scalar(
                sa.select(FocusChoice.id).where(FocusChoice.plan_id == plan.id, FocusChoice.unit_id == unit.id)):
            continue
        chosen = {focus[code].id: text for code, text in row["items"].items()}
        # The demo choice was made on time: date it on the deadline, not on the (pinned) seed day.
        when = now if plan.focus_choice_deadline is None else dt.datetime.combine(
            plan.focus_choice_deadline, dt.time(2, 0), tzinfo=dt.UTC)
        observations.save_choice(plan, unit, actor=author, items=list(chosen), plans=chosen, now=min(now, when))
        report.add("focus_choices")
    for row in data.get("cases") or []:
        unit, author = units.find_unit(row["unit"]), users.find_by_email(row["by"])
        if unit is None or author is None or db.session.scalar(
                sa.select(CaseReport.id).where(CaseReport.unit_id == unit.id, CaseReport.title == row["title"])):
            continue
        cases.submit_case(plan, unit, cases.CaseText(
            kind=CaseKind(row["kind"]), title=row["title"], summary=row["summary"], body=row["body"],
            focus_item=focus.get(row.get("focus", ""))), actor=author, files=[], now=now)
        report.add("cases")
