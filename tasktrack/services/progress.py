"""Progress reports: append a report to an assignment and mirror it on the assignment; review completions.

Reports are append-only. A correction is a new row that names the report it corrects (``supersedes``);
a report made from a form names the latest report the form was opened on (``base_report``), and is
refused when someone else has reported since (the stale form says so instead of silently winning).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tasktrack.clock import local_date
from tasktrack.domain.report_diff import FieldChange, report_changes
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Attachment,
    CompletionState,
    ProgressReport,
    SupervisionKind,
    SupervisionRecord,
    User,
)
from tasktrack.services import Conflict, ServiceError, acknowledgements
from tasktrack.services import attachments as attachment_service
from tasktrack.services import targets as target_service
from tasktrack.services.audit import record, snapshot
from tasktrack.services.inputs import check_past_date, clean_text, optional_text

logger = logging.getLogger(__name__)

NARRATIVE_MAX = 10_000
REASON_MAX = 2_000
REPORT_FIELDS = ("status", "percent", "completed_on", "narrative")
OWNER_TYPE = "progress_report"


class _Unset:
    """Marks an argument that was not given (distinct from None)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()


class StaleReport(Conflict):
    """Someone reported on the assignment after the form was opened; ``latest`` is their report."""

    def __init__(self, latest: ProgressReport) -> None:
        super().__init__("在您填写期间，本单位已有人报送了新的进展。请先查看最新报送，确认后再提交。",
                         field="base_report_id")
        self.latest = latest


def validate_report(
    *, status: AssignmentStatus, percent: int | None, completed_on: dt.date | None, narrative: str,
    today: dt.date,
) -> str:
    """Check a report's fields; return the cleaned narrative or raise ServiceError naming the field."""
    text = clean_text(narrative, field="narrative", label="进展情况说明", required=True, max_len=NARRATIVE_MAX)
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


def latest_report(assignment: Assignment, *, lock: bool = False) -> ProgressReport | None:
    """Return the assignment's latest report (by id); with ``lock``, serialise concurrent reporters first."""
    if lock:
        # PostgreSQL: writers on one assignment queue here, so the stale check below is reliable.
        # SQLite: write transactions already begin IMMEDIATE (db_engine), and FOR UPDATE is not emitted.
        db.session.execute(sa.select(Assignment.id).where(Assignment.id == assignment.id).with_for_update())
    return db.session.scalar(
        sa.select(ProgressReport).where(ProgressReport.assignment_id == assignment.id)
        .order_by(ProgressReport.id.desc()).limit(1)
    )


def _locked_latest_id(assignment: Assignment) -> int | None:
    """Lock the assignment's row and return the id of its latest report (None: none yet), in one statement.

    The id is the row's mirror of it (``Assignment.latest_report_id``, models/latest_report.py: moved on every
    report's insert, never backwards), read after the lock, so as committed by the writer before us (PostgreSQL
    returns the newest version of a row it locks; on SQLite the write transaction began IMMEDIATE).
    """
    return db.session.scalar(
        sa.select(Assignment.latest_report_id).where(Assignment.id == assignment.id).with_for_update())


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
    base_report: ProgressReport | _Unset | None = UNSET,
    attachments: Sequence[attachment_service.Upload] = (),
    reason: str | None = None,
    target_values: target_service.TypedValues | None = None,
) -> ProgressReport:
    """Append a progress report (never overwriting an earlier one) and update the assignment's state.

    :param base_report: the latest report when the form was opened (None: there was none). When given and
        a newer report exists, ``StaleReport`` is raised and nothing changes. Not given (the API): the
        report is simply appended, so two reporters at the same moment both keep their report.
    :param reason: why a completed assignment is reopened (required then) or why a report is corrected.
    :param target_values: current values of the assignment's targets (指标), by target id, as typed; each is kept
        with the report (services/targets.py), a bad one refused on its field before anything is written.
    """
    text = validate_report(status=status, percent=percent, completed_on=completed_on, narrative=narrative,
                           today=local_date(now))
    reason = optional_text(reason, field="reason", label="说明", max_len=REASON_MAX)
    if completed_on is not None:
        check_past_date(completed_on, plan=assignment.task.plan, today=local_date(now), field="completed_on",
                        label="完成日期")
    if supersedes is not None and supersedes.assignment_id != assignment.id:
        raise ServiceError("只能更正本任务的报送", field="supersedes_id")
    reopening = assignment.status is AssignmentStatus.COMPLETED and status is not AssignmentStatus.COMPLETED
    if (status is AssignmentStatus.COMPLETED and assignment.status is not AssignmentStatus.COMPLETED
            and assignment.unit.represents_work_group_id is not None):
        _check_rollup_claim(assignment, today=local_date(now))
    if reopening and reason is None:
        raise ServiceError("该任务已报完成，改为未完成需要说明重新打开的原因", field="reason")
    attachment_service.check_files(attachments)  # every file is checked before anything is written
    values = target_service.check_values(assignment, target_values or {})

    latest_id = _locked_latest_id(assignment)
    if not isinstance(base_report, _Unset):
        base_id = base_report.id if base_report is not None else None
        if latest_id is not None and latest_id != base_id:
            latest = db.session.get(ProgressReport, latest_id)
            assert latest is not None  # reports are never deleted
            raise StaleReport(latest)
    # A report shows the unit got the assignment: one not yet signed for (待签收) is acknowledged by it (audited).
    acknowledgements.implied_by_report(assignment, author=author, now=now)

    if status is AssignmentStatus.COMPLETED and percent is None:
        percent = 100
    before = snapshot(assignment, ("status", "percent", "completed_on", "completion_state"))
    report = ProgressReport(
        assignment=assignment, author=author, created_at=now, status=status, percent=percent,
        completed_on=completed_on, narrative=text, reason=reason,
        supersedes_id=supersedes.id if supersedes is not None else None,
        base_report_id=latest_id,
    )
    db.session.add(report)
    assignment.status, assignment.percent, assignment.completed_on = status, percent, completed_on
    assignment.last_reported_at = now
    # A completed report is a claim (待确认办结) until the secretariat confirms or sends it back.
    assignment.completion_state = (
        CompletionState.CLAIMED if status is AssignmentStatus.COMPLETED else CompletionState.NONE
    )
    db.session.flush()
    if reopening:
        db.session.add(SupervisionRecord(assignment_id=assignment.id, kind=SupervisionKind.REOPEN, actor_id=author.id,
                                         created_at=now, note=reason, report_id=report.id))
    files = []
    if attachments:
        files = attachment_service.attach(OWNER_TYPE, report.id, attachments, actor=author, now=now)
    shown = target_service.record_values(report, values, author=author, now=now) if values else {}
    verb = "更正" if supersedes is not None else ("重新打开" if reopening else "报送")
    record(author, "progress.report", report, now=now,
           summary=f"{assignment.unit.name} {verb}任务 {assignment.task.number} 进展：{status.label}",
           before=before,
           after={**snapshot(report, REPORT_FIELDS), "supersedes_id": report.supersedes_id,
                  "reason": reason, "attachments": [f.id for f in files],
                  **({"target_values": shown} if shown else {})})
    logger.info("progress report %s on assignment %s by %s", report.id, assignment.id, author.email)
    return report


def _check_rollup_claim(assignment: Assignment, *, today: dt.date) -> None:
    """An inbound assignment (上级下达任务) is claimed completed only when its decomposition says 可申报完成."""
    from tasktrack.services import cascade  # cascade reads reports through this module

    refusal = cascade.claim_refusal(assignment, today)
    if refusal is not None:
        raise ServiceError(refusal, field="status")


def confirm_unchanged(
    assignment: Assignment, *, author: User, base_report: ProgressReport | None, now: dt.datetime,
) -> ProgressReport:
    """Report that nothing changed since the last report (one click, 最多报一次): repeat it as a new report."""
    latest = latest_report(assignment)
    if latest is None:
        raise ServiceError("尚无报送记录，请填写进展情况", field="narrative")
    if latest.status is AssignmentStatus.COMPLETED:
        raise ServiceError("该任务已报完成，无需重复报送", field="status")
    return submit_report(assignment, author=author, status=latest.status, percent=latest.percent,
                         completed_on=latest.completed_on, narrative=latest.narrative, now=now,
                         base_report=base_report)


# --- Completion review (办结 / 退回) -------------------------------------------------------------


def _claimed_report(assignment: Assignment) -> ProgressReport:
    if assignment.completion_state is not CompletionState.CLAIMED:
        raise Conflict("该任务当前没有待确认的办结申请（可能已被处理）", field="completion_state")
    latest = latest_report(assignment, lock=True)
    if latest is None or latest.status is not AssignmentStatus.COMPLETED:
        raise Conflict("该任务的最新报送不是“已完成”，无法办结", field="completion_state")
    return latest


def confirm_completion(assignment: Assignment, *, actor: User, note: str | None, now: dt.datetime) -> SupervisionRecord:
    """Confirm a claimed completion (办结)."""
    report = _claimed_report(assignment)
    note = optional_text(note, field="note", label="意见", max_len=REASON_MAX)
    assignment.completion_state = CompletionState.CONFIRMED
    row = SupervisionRecord(assignment_id=assignment.id, kind=SupervisionKind.CONFIRM, actor_id=actor.id,
                            created_at=now, note=note, report_id=report.id)
    db.session.add(row)
    db.session.flush()
    record(actor, "progress.confirm", assignment, now=now,
           summary=f"确认办结：{assignment.unit.name} 任务 {assignment.task.number}",
           before={"completion_state": "claimed"}, after={"completion_state": "confirmed", "note": note})
    return row


def send_back(assignment: Assignment, *, actor: User, note: str, now: dt.datetime) -> SupervisionRecord:
    """Send a claimed completion back (退回) with a comment: the assignment is in progress again."""
    note = clean_text(note, field="note", label="退回意见", required=True, max_len=REASON_MAX,
                      missing="退回时请填写退回意见")
    report = _claimed_report(assignment)
    before = snapshot(assignment, ("status", "percent", "completed_on", "completion_state"))
    assignment.status = AssignmentStatus.IN_PROGRESS
    assignment.completed_on = None
    if assignment.percent == 100:
        assignment.percent = None
    assignment.completion_state = CompletionState.RETURNED
    row = SupervisionRecord(assignment_id=assignment.id, kind=SupervisionKind.SEND_BACK, actor_id=actor.id,
                            created_at=now, note=note, report_id=report.id)
    db.session.add(row)
    db.session.flush()
    record(actor, "progress.send_back", assignment, now=now,
           summary=f"退回办结申请：{assignment.unit.name} 任务 {assignment.task.number}",
           before=before, after={**snapshot(assignment, ("status", "completion_state")), "note": note})
    return row


def reopen_completion(assignment: Assignment, *, actor: User, reason: str, now: dt.datetime) -> SupervisionRecord:
    """Reopen a confirmed completion (办结) with a reason: the unit works and reports on it again (flushes).

    Who may is the policy's REOPEN_COMPLETION (the secretariat); the unit's own reports stay as they were.
    """
    if assignment.completion_state is not CompletionState.CONFIRMED:
        raise Conflict("该任务没有已确认的办结，无需重新打开（可能已被处理）", field="reason")
    text = clean_text(reason, field="reason", label="原因", required=True, max_len=REASON_MAX,
                      missing="请填写重新打开的原因")
    before = snapshot(assignment, ("status", "percent", "completed_on", "completion_state"))
    assignment.status, assignment.completed_on = AssignmentStatus.IN_PROGRESS, None
    if assignment.percent == 100:
        assignment.percent = None
    assignment.completion_state = CompletionState.NONE
    row = SupervisionRecord(assignment_id=assignment.id, kind=SupervisionKind.REOPEN, actor_id=actor.id,
                            created_at=now, note=text)
    db.session.add(row)
    db.session.flush()
    record(actor, "progress.reopen", assignment, now=now,
           summary=f"重新打开已办结任务：{assignment.unit.name} 任务 {assignment.task.number}",
           before=before, after={**snapshot(assignment, ("status", "completion_state")), "reason": text})
    logger.info("assignment %s reopened by %s", assignment.id, actor.email)
    return row


# --- Reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportEntry:
    """One report version with its files and what changed against the version before it."""

    report: ProgressReport
    attachments: list[Attachment]
    #: The report this one is compared with: the one it corrects, else the one before it.
    previous: ProgressReport | None
    changes: list[FieldChange]

    @property
    def is_correction(self) -> bool:
        return self.report.supersedes_id is not None

    @property
    def is_unchanged(self) -> bool:
        return self.previous is not None and not self.changes


def history(assignment: Assignment) -> list[ReportEntry]:
    """Return the assignment's reports, newest first, with authors and attachments (three queries)."""
    reports = list(db.session.scalars(
        sa.select(ProgressReport).where(ProgressReport.assignment_id == assignment.id)
        .options(selectinload(ProgressReport.author)).order_by(ProgressReport.id)
    ))
    files = attachment_service.attachments_of(OWNER_TYPE, [r.id for r in reports])
    by_id = {r.id: r for r in reports}
    entries = []
    for index, report in enumerate(reports):
        previous = by_id.get(report.supersedes_id) if report.supersedes_id else None
        if previous is None and index > 0:
            previous = reports[index - 1]
        changes = report_changes(previous, report) if previous is not None else []
        entries.append(ReportEntry(report, files.get(report.id, []), previous, changes))
    entries.reverse()
    return entries


def latest_reports(assignment_ids: Sequence[int]) -> dict[int, ProgressReport]:
    """Return the latest report of each assignment, in one query."""
    if not assignment_ids:
        return {}
    rows = db.session.scalars(
        sa.select(ProgressReport).where(ProgressReport.id.in_(newest_report_ids(assignment_ids)))
        .options(selectinload(ProgressReport.author))
    )
    return {r.assignment_id: r for r in rows}


def newest_report_ids(assignment_ids: Sequence[int]) -> sa.Select[tuple[int | None]]:
    """Return the SELECT of each assignment's latest report id (the newest id: reports are append-only), read from
    the assignments' mirror of it (``Assignment.latest_report_id``, models/latest_report.py): by key, not max()."""
    return sa.select(Assignment.latest_report_id).where(Assignment.id.in_(list(assignment_ids)),
                                                        Assignment.latest_report_id.is_not(None))


def pending_claims(where: sa.ColumnElement[bool] | None = None) -> list[Assignment]:
    """Return the assignments whose completion awaits the secretariat, oldest claim first (``where``: of whose
    work group, e.g. permissions.administered_assignments)."""
    from sqlalchemy.orm import joinedload

    from tasktrack.models import Task

    return list(db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.completion_state == CompletionState.CLAIMED, Assignment.closed_at.is_(None),
               sa.true() if where is None else where)
        .options(joinedload(Assignment.unit), joinedload(Assignment.task).joinedload(Task.plan))
        .order_by(Assignment.last_reported_at, Assignment.id)
    ))
