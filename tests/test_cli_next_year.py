"""`flask plan next-year`: next year's draft from a plan, refusals on stderr with a failing status."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import ImportStatus, Plan, PlanImport


def test_plan_next_year_makes_the_draft_once(runner: Any, seeded: None) -> None:
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2024))
    assert plan is not None
    result = runner.invoke(args=["plan", "next-year", "--plan", str(plan.id)])
    assert result.exit_code == 0, result.output
    draft = db.session.scalar(sa.select(PlanImport).where(PlanImport.derived_from_id == plan.id))
    assert draft is not None
    assert (draft.status, draft.year) == (ImportStatus.DRAFT, 2025)
    assert f"（2025年）草稿：17项任务（导入草稿 {draft.id}）" in result.output
    assert "顺延1年" in result.output
    assert f"/plans/import/{draft.id}" in result.output

    again = runner.invoke(args=["plan", "next-year", "--plan", str(plan.id)])
    assert again.exit_code == 1
    assert "已有 2025 年的草稿" in again.output


def test_plan_next_year_takes_a_year_and_refuses_unknown_plans(runner: Any, seeded: None) -> None:
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2024))
    assert plan is not None
    result = runner.invoke(args=["plan", "next-year", "--plan", str(plan.id), "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert "（2026年）草稿" in result.output
    early = runner.invoke(args=["plan", "next-year", "--plan", str(plan.id), "--year", "2024"])
    assert early.exit_code == 1
    assert "晚于原计划" in early.output
    missing = runner.invoke(args=["plan", "next-year", "--plan", "999999"])
    assert missing.exit_code == 1
    assert "计划 999999 不存在" in missing.output
