"""Targets (指标) on a plan import's review page: offered from the document, kept or removed, attached, published.

When a draft is created, the quantitative targets written in its preamble (正文) and in each row's text (任务N) are
offered, every one kept until the secretariat removes it (a removed target stays listed and can be kept again). A
target read from a row measures that row's task; one from the preamble measures the whole plan; either can be moved.
The secretariat may add one by typing it ("党建入章率 ≥ 98%", ``domain.targets.parse_target``). Edits follow the
draft's rules (``plan_imports.require_draft``: still a draft, the form read at the current version) and are audited.
Publishing turns the kept targets into the plan's targets (``PlanTarget``), once: publishing onto the same plan
again adds only the targets it does not have yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from tasktrack.domain.targets import MAX_VALUE, Target, TargetParseError, find_targets, parse_target
from tasktrack.extensions import db
from tasktrack.models import Plan, PlanImport, PlanImportRow, PlanImportTarget, PlanTarget, Task, User
from tasktrack.services import ServiceError, plan_imports
from tasktrack.services.audit import record
from tasktrack.services.inputs import clean_text

SOURCE_CONTEXT = "正文"
SOURCE_TYPED = "手工"
_LIMITS = {"what": 200, "unit": 20, "phrase": 500}


@dataclass(frozen=True)
class TargetEdit:
    """One offered target as the review form sends it: the task it measures (None: the plan) and whether kept."""

    target_id: int
    row_id: int | None
    is_kept: bool


def _fields(target: Target) -> dict[str, object]:
    return {"what": target.what[:200], "comparator": target.comparator, "value": target.value,
            "unit": target.unit[:20], "year": target.year, "phrase": target.phrase.strip()[:500]}


def _key(row_id: int | None, target: Target) -> tuple[object, ...]:
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
        if _key(row_id, target) in seen:
            continue
        seen.add(_key(row_id, target))
        db.session.add(PlanImportTarget(import_id=imp.id, row_id=row_id, position=len(seen), source=source,
                                        is_kept=True, **_fields(target)))
    db.session.flush()
    return len(seen)


def _readable(text: str) -> list[Target]:
    return [t for t in find_targets(text) if t.value < MAX_VALUE] if text else []


def draft_targets(imp: PlanImport) -> list[PlanImportTarget]:
    """Return a draft's offered targets (kept and removed) in order."""
    return list(db.session.scalars(
        sa.select(PlanImportTarget).where(PlanImportTarget.import_id == imp.id).order_by(PlanImportTarget.position)
    ))


def _row_id(imp: PlanImport, row_id: int | None, field: str) -> int | None:
    if row_id is not None and row_id not in {r.id for r in imp.rows}:
        raise ServiceError("所选任务不在本草稿中，请刷新页面后重选", field=field)
    return row_id


def _where(imp: PlanImport, row_id: int | None) -> str:
    row = next((r for r in imp.rows if r.id == row_id), None)
    return f"任务 {row.number}" if row is not None else "全计划"


def save_targets(
    imp: PlanImport, edits: list[TargetEdit], *, version: int, actor: User | None, now: dt.datetime
) -> int:
    """Save which offered targets are kept and what each measures; return how many changed."""
    plan_imports.require_draft(imp, version)
    targets = {t.id: t for t in draft_targets(imp)}
    changed = 0
    for edit in edits:
        target = targets.get(edit.target_id)
        if target is None:
            raise ServiceError("要修改的指标不存在，请刷新页面", field="targets")
        row_id = _row_id(imp, edit.row_id, f"targets-{target.id}-row")
        before = {"is_kept": target.is_kept, "attached_to": _where(imp, target.row_id)}
        if (target.is_kept, target.row_id) == (edit.is_kept, row_id):
            continue
        target.is_kept, target.row_id = edit.is_kept, row_id
        changed += 1
        record(actor, "plan_import.target", imp, now=now, summary=f"修改导入草稿的指标“{target.label}”",
               before=before, after={"is_kept": target.is_kept, "attached_to": _where(imp, row_id)})
    if changed:
        plan_imports.touch(imp, now)
    return changed


def add_target(
    imp: PlanImport, text: str, *, row_id: int | None, version: int, actor: User | None, now: dt.datetime
) -> PlanImportTarget:
    """Add a target typed as "名称 ≥ 数值 单位" to the draft, for the plan or one task (flushes)."""
    plan_imports.require_draft(imp, version)
    typed = clean_text(text, field="text", label="指标", required=True, max_len=300)
    try:
        target = parse_target(typed)
    except TargetParseError as exc:
        raise ServiceError(str(exc), field="text") from None
    for name, limit in _LIMITS.items():
        if len(str(getattr(target, name))) > limit:
            raise ServiceError(f"指标的{'名称' if name == 'what' else '单位'}过长（最多 {limit} 字）", field="text")
    if target.value >= MAX_VALUE:
        raise ServiceError("指标数值过大，请检查", field="text")
    row_id = _row_id(imp, row_id, "row")
    offered = draft_targets(imp)
    if any(_key(t.row_id, t.as_target()) == _key(row_id, target) for t in offered):
        raise ServiceError(f"{_where(imp, row_id)}已有指标“{target.label}”", field="text")
    added = PlanImportTarget(import_id=imp.id, row_id=row_id, source=SOURCE_TYPED, is_kept=True,
                             position=max((t.position for t in offered), default=0) + 1, **_fields(target))
    db.session.add(added)
    db.session.flush()
    plan_imports.touch(imp, now)
    record(actor, "plan_import.target_add", imp, now=now, summary=f"导入草稿新增指标“{target.label}”",
           after={"phrase": typed, "attached_to": _where(imp, row_id)})
    return added


def publish(imp: PlanImport, plan: Plan, *, actor: User | None, now: dt.datetime) -> list[PlanTarget]:
    """Give the published plan the kept targets (a row's target to the task of that row); return the new ones."""
    kept = [t for t in draft_targets(imp) if t.is_kept]
    if not kept:
        return []
    numbers = {r.id: r.number for r in imp.rows}
    tasks = {t.number: t for t in db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id))}
    existing = list(db.session.scalars(sa.select(PlanTarget).where(PlanTarget.plan_id == plan.id)))
    have = {_key(t.task_id, t.as_target()) for t in existing}
    position = max((t.position for t in existing), default=0)
    created: list[PlanTarget] = []
    labels: list[str] = []
    for offered in kept:
        task = tasks.get(numbers[offered.row_id]) if offered.row_id in numbers else None
        target = offered.as_target()
        if _key(task.id if task else None, target) in have:
            continue
        have.add(_key(task.id if task else None, target))
        position += 1
        created.append(PlanTarget(plan_id=plan.id, task_id=task.id if task else None, position=position,
                                  created_at=now, **_fields(target)))
        labels.append(f"{f'任务 {task.number}' if task else '全计划'}：{target.label}")
    db.session.add_all(created)
    db.session.flush()
    if created:
        record(actor, "plan.targets", plan, now=now, summary=f"计划《{plan.title}》设定 {len(created)} 项指标",
               after={"targets": labels})
    return created
