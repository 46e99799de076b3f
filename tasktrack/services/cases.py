"""Case reports: submit, revise after a return (every version kept), review, feature in an order, search.

Each version carries its files (``CaseVersion.files``): its own uploads and the earlier files the unit chose
to keep when revising. Readers of an accepted case see its current version and that version's files;
earlier versions and the files only they carried are for the unit and the secretariat (an anonymised
revision must not leave the original reachable).

A submitted (or resubmitted) case counts toward the plan's case task (``Plan.case_task_number``, 2024: task
16) for the submitting unit: its open assignment there gets a progress report through
``services.progress.submit_report``, so a unit that sends no case in a reporting period turns stale there.
Units without an assignment on that task (observation points in 2024) simply have nothing to update.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Attachment,
    CaseKind,
    CaseReport,
    CaseReview,
    CaseStatus,
    CaseVersion,
    CaseVersionFile,
    FocusItem,
    Plan,
    Task,
    Unit,
    User,
)
from tasktrack.permissions import visible_cases
from tasktrack.services import ServiceError
from tasktrack.services.attachments import EVIDENCE_KINDS, Upload, attach, check_files
from tasktrack.services.audit import record
from tasktrack.services.inputs import clean_text, optional_text

logger = logging.getLogger(__name__)

#: Case reports take PDF, Word and images (no spreadsheets).
CASE_KINDS = frozenset(k for k in EVIDENCE_KINDS if k in {"pdf", "docx", "doc", "png", "jpeg"})
TITLE_MAX, SUMMARY_MAX, BODY_MAX, COMMENT_MAX = 200, 2000, 50_000, 2000
PER_PAGE = 20


@dataclass(frozen=True)
class CaseText:
    """The fields a unit writes for one version."""

    kind: CaseKind
    title: str
    summary: str
    body: str
    task: Task | None = None
    focus_item: FocusItem | None = None


def _clean(text: CaseText, plan: Plan) -> CaseText:
    title, summary, body = (
        clean_text(value, field=name, label=label, required=True, max_len=limit)
        for value, label, limit, name in ((text.title, "标题", TITLE_MAX, "title"),
                                          (text.summary, "摘要", SUMMARY_MAX, "summary"),
                                          (text.body, "正文", BODY_MAX, "body")))
    if text.task is not None and text.task.plan_id != plan.id:
        raise ServiceError("相关任务不属于本年度工作计划", field="task_id")
    return CaseText(kind=CaseKind(text.kind), title=title, summary=summary, body=body, task=text.task,
                    focus_item=text.focus_item)


def _mirror(case: CaseReport, text: CaseText) -> None:
    case.kind, case.title, case.summary, case.body = text.kind, text.title, text.summary, text.body
    case.task_id = text.task.id if text.task else None
    case.focus_item_id = text.focus_item.id if text.focus_item else None


def _version(case: CaseReport, number: int, text: CaseText, actor: User, now: dt.datetime) -> CaseVersion:
    return CaseVersion(case=case, number=number, kind=text.kind, title=text.title, summary=text.summary,
                       body=text.body, task_id=text.task.id if text.task else None,
                       focus_item_id=text.focus_item.id if text.focus_item else None, author_id=actor.id,
                       created_at=now)


def submit_case(
    plan: Plan, unit: Unit, text: CaseText, *, actor: User, files: Sequence[Upload], now: dt.datetime,
) -> CaseReport:
    """Submit a new case report for the unit (files checked first: a refused file stores nothing)."""
    cleaned = _clean(text, plan)
    check_files(files, allowed=CASE_KINDS)
    case = CaseReport(plan_id=plan.id, year=plan.year, unit_id=unit.id, status=CaseStatus.SUBMITTED, version=1,
                      created_by_id=actor.id, created_at=now, submitted_at=now)
    _mirror(case, cleaned)
    db.session.add(case)
    version = _version(case, 1, cleaned, actor, now)
    db.session.add(version)
    db.session.flush()
    if files:
        _carry(version, attach("case_report", case.id, files, actor=actor, now=now, allowed=CASE_KINDS))
    record(actor, "case.submit", case, now=now, summary=f"{unit.name} 报送{cleaned.kind.label}《{cleaned.title}》",
           after={"version": 1, "kind": cleaned.kind, "title": cleaned.title})
    _count_toward_case_task(case, plan, unit, actor=actor, now=now)
    return case


def revise_case(
    case: CaseReport, text: CaseText, *, actor: User, files: Sequence[Upload], now: dt.datetime,
    keep: Sequence[int] | None = None,
) -> CaseVersion:
    """Resubmit a returned case as a new version (earlier versions are kept).

    :param keep: ids of the current version's files the new version carries on (None: all of them); the
        others stay with the earlier versions only, out of the readers' sight.
    """
    if case.status is not CaseStatus.RETURNED:
        raise ServiceError(REVISE_REFUSED, code="conflict")
    cleaned = _clean(text, case.plan)
    check_files(files, allowed=CASE_KINDS)
    before = {"version": case.version, "title": case.title, "status": case.status}
    previous = current_files(case)
    kept = [f for f in previous if keep is None or f.id in set(keep)]
    case.version += 1
    version = _version(case, case.version, cleaned, actor, now)
    db.session.add(version)
    _mirror(case, cleaned)
    case.status, case.submitted_at = CaseStatus.SUBMITTED, now
    db.session.flush()
    _carry(version, kept)
    if files:
        _carry(version, attach("case_report", case.id, files, actor=actor, now=now, allowed=CASE_KINDS))
    if len(kept) < len(previous):
        before["files"] = [f.id for f in previous]
    record(actor, "case.resubmit", case, now=now,
           summary=f"{case.unit.name} 修改后重新报送《{cleaned.title}》（第 {case.version} 版）",
           before=before, after={"version": case.version, "title": cleaned.title, "status": case.status,
                                 "kept_files": [f.id for f in kept]})
    _count_toward_case_task(case, case.plan, case.unit, actor=actor, now=now)
    return version


def _carry(version: CaseVersion, files: Sequence[Attachment]) -> None:
    """Record that ``version`` carries ``files``."""
    if files:
        db.session.execute(sa.insert(CaseVersionFile),
                           [{"version_id": version.id, "attachment_id": f.id} for f in files])


def current_files(case: CaseReport) -> list[Attachment]:
    """Return the files the case's current version carries (what its readers see)."""
    return list(db.session.scalars(
        sa.select(Attachment).join(CaseVersionFile, CaseVersionFile.attachment_id == Attachment.id)
        .join(CaseVersion, CaseVersion.id == CaseVersionFile.version_id)
        .where(CaseVersion.case_id == case.id, CaseVersion.number == case.version).order_by(Attachment.id)
    ))


def _count_toward_case_task(case: CaseReport, plan: Plan, unit: Unit, *, actor: User, now: dt.datetime) -> None:
    if plan.case_task_number is None:
        return
    assignment = db.session.scalar(
        sa.select(Assignment).join(Task, Assignment.task_id == Task.id)
        .where(Task.plan_id == plan.id, Task.number == plan.case_task_number, Assignment.unit_id == unit.id,
               Assignment.closed_at.is_(None))
    )
    if assignment is None or assignment.status is AssignmentStatus.COMPLETED:
        return  # nothing open to count toward; a completed assignment is not reopened by a case
    from tasktrack.services import progress

    progress.submit_report(
        assignment, author=actor, status=AssignmentStatus.IN_PROGRESS, percent=assignment.percent,
        completed_on=None, narrative=f"报送{case.kind.label}《{case.title}》（案例第 {case.version} 版，系统自动记录）",
        now=now,
    )


#: Every decision review_case takes (its audit codes are case.<action>; tests check each has a Chinese name).
REVIEW_ACTIONS = ("accept", "return", "feature", "unfeature")
#: The decisions review_case takes in each status (the page offers only these).
_ACTIONS_BY_STATUS = {
    CaseStatus.SUBMITTED: ("accept", "return"),
    CaseStatus.ACCEPTED: ("return", "feature"),
    CaseStatus.FEATURED: ("unfeature",),
    CaseStatus.RETURNED: (),
}
REVISE_REFUSED = "只有被退回的案例才能修改后重新报送"


def review_actions(case: CaseReport) -> tuple[str, ...]:
    """Return the review decisions :func:`review_case` accepts for the case as it stands."""
    return _ACTIONS_BY_STATUS[case.status]


def review_case(case: CaseReport, *, actor: User, action: str, comment: str, now: dt.datetime) -> CaseReview:
    """Accept, return (with a comment), feature or unfeature a case."""
    comment = optional_text(comment, field="comment", label="审核意见", max_len=COMMENT_MAX) or ""
    before = {"status": case.status, "feature_order": case.feature_order}
    if action == "accept":
        if case.status is not CaseStatus.SUBMITTED:
            raise ServiceError(f"案例当前为“{case.status.label}”，不能采用", code="conflict")
        case.status = CaseStatus.ACCEPTED
    elif action == "return":
        if case.status not in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED):
            raise ServiceError(f"案例当前为“{case.status.label}”，不能退回", code="conflict")
        if not comment:
            raise ServiceError("退回时请填写修改意见", field="comment")
        case.status = CaseStatus.RETURNED
    elif action == "feature":
        if case.status is not CaseStatus.ACCEPTED:
            raise ServiceError("只有已采用的案例才能选入汇编", code="conflict")
        top = db.session.scalar(sa.select(sa.func.max(CaseReport.feature_order))
                                .where(CaseReport.plan_id == case.plan_id)) or 0
        case.status, case.feature_order = CaseStatus.FEATURED, top + 1
    elif action == "unfeature":
        if case.status is not CaseStatus.FEATURED:
            raise ServiceError("该案例未入选汇编", code="conflict")
        case.status, case.feature_order = CaseStatus.ACCEPTED, None
    else:
        raise ServiceError("未知的审核操作（accept / return / feature）", field="action")
    review = CaseReview(case=case, version=case.version, action=action, comment=comment, actor_id=actor.id,
                        created_at=now)
    db.session.add(review)
    db.session.flush()
    record(actor, f"case.{action}", case, now=now,
           summary=f"审核案例《{case.title}》：{review.action_label}{'，意见：' + comment if comment else ''}",
           before=before, after={"status": case.status, "feature_order": case.feature_order})
    return review


def featured_cases(plan: Plan) -> list[CaseReport]:
    """Return the plan's featured cases in compilation order, with their units."""
    return list(db.session.scalars(
        sa.select(CaseReport).where(CaseReport.plan_id == plan.id, CaseReport.status == CaseStatus.FEATURED)
        .options(selectinload(CaseReport.unit), selectinload(CaseReport.focus_item), selectinload(CaseReport.task))
        .order_by(CaseReport.feature_order, CaseReport.id)
    ))


def set_feature_order(plan: Plan, ordered_ids: Sequence[int], *, actor: User, now: dt.datetime) -> None:
    """Set the compilation order: ``ordered_ids`` must name exactly the plan's featured cases."""
    cases = featured_cases(plan)
    if sorted(ordered_ids) != sorted(c.id for c in cases) or len(set(ordered_ids)) != len(ordered_ids):
        raise ServiceError("排序须包含全部入选案例且不能重复，请刷新页面后重试", field="order", code="conflict")
    by_id = {c.id: c for c in cases}
    before = [c.id for c in cases]
    # Two steps, so a unique order never collides mid-way should one be added later.
    for position, case_id in enumerate(ordered_ids, start=1):
        by_id[case_id].feature_order = 1000 + position
    db.session.flush()
    for position, case_id in enumerate(ordered_ids, start=1):
        by_id[case_id].feature_order = position
    db.session.flush()
    record(actor, "case.feature_order", plan, now=now, summary=f"调整 {plan.year} 年案例汇编顺序",
           before={"order": before}, after={"order": list(ordered_ids)})


def get_case(case_id: int) -> CaseReport | None:
    """Return a case with its versions, reviews and unit."""
    return db.session.scalar(
        sa.select(CaseReport).where(CaseReport.id == case_id)
        .options(selectinload(CaseReport.versions).selectinload(CaseVersion.author),
                 selectinload(CaseReport.versions).selectinload(CaseVersion.files),
                 selectinload(CaseReport.reviews).selectinload(CaseReview.actor),
                 selectinload(CaseReport.unit), selectinload(CaseReport.task), selectinload(CaseReport.focus_item))
    )


@dataclass(frozen=True)
class CaseFilter:
    """The case library's search and filters."""

    q: str = ""
    kind: CaseKind | None = None
    unit_id: int | None = None
    focus_item_id: int | None = None
    year: int | None = None
    status: CaseStatus | None = None


@dataclass
class CasePage:
    """One page of the case library."""

    items: list[CaseReport]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_cases(user: User, flt: CaseFilter, *, page: int = 1, per_page: int = PER_PAGE) -> CasePage:
    """Search the cases the user may read: every word must occur in the title, summary or body."""
    where = [visible_cases(user)]
    for word in flt.q.split()[:10]:
        pattern = _like(word)
        where.append(sa.or_(CaseReport.title.ilike(pattern, escape="\\"),
                            CaseReport.summary.ilike(pattern, escape="\\"),
                            CaseReport.body.ilike(pattern, escape="\\")))
    if flt.kind is not None:
        where.append(CaseReport.kind == flt.kind)
    if flt.unit_id:
        where.append(CaseReport.unit_id == flt.unit_id)
    if flt.focus_item_id:
        where.append(CaseReport.focus_item_id == flt.focus_item_id)
    if flt.year:
        where.append(CaseReport.year == flt.year)
    if flt.status is not None:
        where.append(CaseReport.status == flt.status)
    total = db.session.scalar(sa.select(sa.func.count(CaseReport.id)).where(*where)) or 0
    page = max(1, page)
    items = list(db.session.scalars(
        sa.select(CaseReport).where(*where)
        .options(selectinload(CaseReport.unit), selectinload(CaseReport.focus_item))
        .order_by(CaseReport.submitted_at.desc(), CaseReport.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ))
    return CasePage(items=items, total=total, page=page, per_page=per_page)


def case_years() -> list[int]:
    """Return the years that have cases, newest first."""
    return list(db.session.scalars(sa.select(CaseReport.year).distinct().order_by(CaseReport.year.desc())))
