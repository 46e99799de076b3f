"""Targets (指标) of a plan import: offered when the draft is created, published with the plan.

When a draft is created, the quantitative targets written in its preamble (正文) and in each row's text (任务N) are
offered, every one kept until the secretariat removes it (a removed target stays listed and can be kept again). A
target read from a row measures that row's task; one from the preamble measures the whole plan; either can be moved,
and more typed, on the review page (``services.plan_import_targets``). Publishing turns the kept targets into the
plan's targets (``PlanTarget``), once: publishing onto the same plan again adds only the targets it does not have.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tasktrack.domain.targets import MAX_VALUE, Target, find_targets
from tasktrack.extensions import db
from tasktrack.models import Plan, PlanImport, PlanImportRow, PlanImportTarget, PlanTarget, Task, User
from tasktrack.services.audit import record

SOURCE_CONTEXT = "正文"
SOURCE_TYPED = "手工"


def fields_of(target: Target) -> dict[str, object]:
    """Return the columns of a target (cut to their lengths)."""
    return {"what": target.what[:200], "comparator": target.comparator, "value": target.value,
            "unit": target.unit[:20], "year": target.year, "phrase": target.phrase.strip()[:500]}


def key(row_id: int | None, target: Target) -> tuple[object, ...]:
    """Return what makes two targets of one scope the same."""
    return (row_id, target.what, target.comparator, target.value, target.unit)


def offer_found(imp: PlanImport) -> int:
    """Offer the targets written in a new draft's preamble and rows (kept until removed); return how many (flushes)."""
    found: list[tuple[PlanImportRow | None, str, Target]] = [
        (None, SOURCE_CONTEXT, t) for t in _readable(imp.context)]
    for item in imp.rows:
        text = "\n".join(part for part in (item.text, item.sub_items) if part)
        found += [(item, f"任务{item.number}", t) for t in _readable(text)]
    seen: set[tuple[object, ...]] = set()
    for row, source, target in found:
        row_id = row.id if row is not None else None
        if key(row_id, target) in seen:
            continue
        seen.add(key(row_id, target))
        db.session.add(PlanImportTarget(import_id=imp.id, row_id=row_id, position=len(seen), source=source,
                                        is_kept=True, **fields_of(target)))
    db.session.flush()
    return len(seen)


def _readable(text: str) -> list[Target]:
    return [t for t in find_targets(text) if t.value < MAX_VALUE] if text else []


def draft_targets(imp: PlanImport) -> list[PlanImportTarget]:
    """Return a draft's offered targets (kept and removed) in order."""
    return list(db.session.scalars(
        sa.select(PlanImportTarget).where(PlanImportTarget.import_id == imp.id).order_by(PlanImportTarget.position)
    ))


def where(imp: PlanImport, row_id: int | None) -> str:
    """Return what a draft target measures, as shown: "任务 3" or "全计划"."""
    row = next((r for r in imp.rows if r.id == row_id), None)
    return f"任务 {row.number}" if row is not None else "全计划"


def publish(imp: PlanImport, plan: Plan, *, actor: User | None, now: dt.datetime) -> list[PlanTarget]:
    """Give the published plan the kept targets (a row's target to the task of that row); return the new ones."""
    kept = [t for t in draft_targets(imp) if t.is_kept]
    if not kept:
        return []
    numbers = {r.id: r.number for r in imp.rows}
    tasks = {t.number: t for t in db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id))}
    existing = list(db.session.scalars(sa.select(PlanTarget).where(PlanTarget.plan_id == plan.id)))
    have = {key(t.task_id, t.as_target()) for t in existing}
    position = max((t.position for t in existing), default=0)
    created: list[PlanTarget] = []
    labels: list[str] = []
    for offered in kept:
        task = tasks.get(numbers[offered.row_id]) if offered.row_id in numbers else None
        target = offered.as_target()
        if key(task.id if task else None, target) in have:
            continue
        have.add(key(task.id if task else None, target))
        position += 1
        created.append(PlanTarget(plan_id=plan.id, task_id=task.id if task else None, position=position,
                                  created_at=now, **fields_of(target)))
        labels.append(f"{f'任务 {task.number}' if task else '全计划'}：{target.label}")
    db.session.add_all(created)
    db.session.flush()
    if created:
        record(actor, "plan.targets", plan, now=now, summary=f"计划《{plan.title}》设定 {len(created)} 项指标",
               after={"targets": labels})
    return created
