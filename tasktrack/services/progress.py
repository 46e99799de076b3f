"""Progress reports: append a report to an assignment and mirror it on the assignment."""

from __future__ import annotations

import datetime as dt
import logging

from tasktrack.clock import local_date
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, ProgressReport, User
from tasktrack.services import ServiceError
from tasktrack.services.audit import record, snapshot

logger = logging.getLogger(__name__)

NARRATIVE_MAX = 10_000
REPORT_FIELDS = ("status", "percent", "completed_on", "narrative")


def validate_report(
    *, status: AssignmentStatus, percent: int | None, completed_on: dt.date | None, narrative: str,
    today: dt.date,
) -> str:
    """Check a report's fields; return the cleaned narrative or raise ServiceError naming the field."""
    text = (narrative or "").strip()
    if not text:
        raise ServiceError("请填写进展情况说明", field="narrative")
    if len(text) > NARRATIVE_MAX:
        raise ServiceError(f"进展情况说明不能超过 {NARRATIVE_MAX} 字", field="narrative")
    if percent is not None and not 0 <= percent <= 100:
        raise ServiceError("完成百分比必须在 0 到 100 之间", field="percent")
    if status is AssignmentStatus.COMPLETED:
        if completed_on is None:
            raise ServiceError("状态为“已完成”时必须填写完成日期", field="completed_on")
        if completed_on > today:
            raise ServiceError("完成日期不能晚于今天", field="completed_on")
    elif completed_on is not None:
        raise ServiceError("只有“已完成”状态才填写完成日期", field="completed_on")
    return text


def submit_report(
    assignment: Assignment,
    *,
    author: User,
    status: AssignmentStatus,
    percent: int | None,
    completed_on: dt.date | None,
    narrative: str,
    now: dt.datetime,
    supersedes: ProgressReport | None = None,
) -> ProgressReport:
    """Append a progress report (never overwriting an earlier one) and update the assignment's state."""
    text = validate_report(status=status, percent=percent, completed_on=completed_on, narrative=narrative,
                           today=local_date(now))
    if status is AssignmentStatus.COMPLETED and percent is None:
        percent = 100
    before = snapshot(assignment, ("status", "percent", "completed_on"))
    report = ProgressReport(
        assignment=assignment,
        author=author,
        created_at=now,
        status=status,
        percent=percent,
        completed_on=completed_on,
        narrative=text,
        supersedes_id=supersedes.id if supersedes is not None else None,
    )
    db.session.add(report)
    assignment.status, assignment.percent, assignment.completed_on = status, percent, completed_on
    assignment.last_reported_at = now
    db.session.flush()
    record(author, "progress.report", report, now=now,
           summary=f"{assignment.unit.name} 报送任务 {assignment.task.number} 进展：{status.label}",
           before=before, after=snapshot(report, REPORT_FIELDS))
    logger.info("progress report %s on assignment %s by %s", report.id, assignment.id, author.email)
    return report
