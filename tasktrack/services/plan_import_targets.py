"""Edits of a draft's targets (指标) on its review page: keep or remove each offered target, attach it to a task or the
whole plan, add one typed as "名称 ≥ 数值 单位" (``domain.targets.parse_target``, its error on the typed field).

Every edit follows the draft's rules (``plan_imports.require_draft``: still a draft, the form read at the draft's
current version), raises the version and is audited. What is offered and published is ``services.target_drafts``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tasktrack.domain.targets import MAX_VALUE, TargetParseError, parse_target
from tasktrack.extensions import db
from tasktrack.models import PlanImport, PlanImportTarget, User
from tasktrack.services import ServiceError, plan_imports, target_drafts
from tasktrack.services.audit import record
from tasktrack.services.inputs import clean_text

_LIMITS = {"what": 200, "unit": 20}


@dataclass(frozen=True)
class TargetEdit:
    """One offered target as the review form sends it: the task it measures (None: the plan) and whether kept."""

    target_id: int
    row_id: int | None
    is_kept: bool


def _row_id(imp: PlanImport, row_id: int | None, field: str) -> int | None:
    if row_id is not None and row_id not in {r.id for r in imp.rows}:
        raise ServiceError("所选任务不在本草稿中，请刷新页面后重选", field=field)
    return row_id


def save_targets(
    imp: PlanImport, edits: list[TargetEdit], *, version: int, actor: User | None, now: dt.datetime
) -> int:
    """Save which offered targets are kept and what each measures; return how many changed."""
    plan_imports.require_draft(imp, version)
    targets = {t.id: t for t in target_drafts.draft_targets(imp)}
    changed = 0
    for edit in edits:
        target = targets.get(edit.target_id)
        if target is None:
            raise ServiceError("要修改的指标不存在，请刷新页面", field="targets")
        row_id = _row_id(imp, edit.row_id, f"targets-{target.id}-row")
        before = {"is_kept": target.is_kept, "attached_to": target_drafts.where(imp, target.row_id)}
        if (target.is_kept, target.row_id) == (edit.is_kept, row_id):
            continue
        target.is_kept, target.row_id = edit.is_kept, row_id
        changed += 1
        record(actor, "plan_import.target", imp, now=now, summary=f"修改导入草稿的指标“{target.label}”",
               before=before, after={"is_kept": target.is_kept, "attached_to": target_drafts.where(imp, row_id)})
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
    offered = target_drafts.draft_targets(imp)
    if any(target_drafts.key(t.row_id, t.as_target()) == target_drafts.key(row_id, target) for t in offered):
        raise ServiceError(f"{target_drafts.where(imp, row_id)}已有指标“{target.label}”", field="text")
    added = PlanImportTarget(import_id=imp.id, row_id=row_id, source=target_drafts.SOURCE_TYPED, is_kept=True,
                             position=max((t.position for t in offered), default=0) + 1,
                             **target_drafts.fields_of(target))
    db.session.add(added)
    db.session.flush()
    plan_imports.touch(imp, now)
    record(actor, "plan_import.target_add", imp, now=now, summary=f"导入草稿新增指标“{target.label}”",
           after={"phrase": typed, "attached_to": target_drafts.where(imp, row_id)})
    return added
