"""Plan imports: a received document becomes a draft, the secretariat reviews it, publishing creates the plan.

One direction (DESIGN §8): bytes → ``DocText`` (``tasktrack.uploads.text_blocks``) → ``PlanLayout``
(``tasktrack.domain.plan_layout``) → a draft (``PlanImport`` and its rows, phrases as written) → review
(``tasktrack.domain.plan_review``, against the work group's names at that moment) → publish
(``tasktrack.services.plans.import_plan``, one transaction, audited). The source file is stored as received and
stays with the plan; its SHA-256 tells a second import of the same file which draft or plan it became.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tasktrack.domain.doc_blocks import DocText
from tasktrack.domain.plan_layout import PlanLayout, read_plan
from tasktrack.domain.plan_review import DraftRow, Review
from tasktrack.extensions import db
from tasktrack.models import ImportStatus, Plan, PlanImport, PlanImportRow, User, WorkGroup
from tasktrack.services import Conflict, ServiceError, attachments, target_drafts, work_groups
from tasktrack.services import plans as plan_service
from tasktrack.services.audit import record
from tasktrack.services.inputs import clean_text
from tasktrack.uploads.names import clean_filename, split_ext
from tasktrack.uploads.storage import StorageUnavailable
from tasktrack.uploads.text_blocks import UnreadableDocument, read_document, read_pasted

#: A plan this long is a mistake (a whole statute pasted in); 200-task plans are large.
MAX_ROWS = 1000
PASTED_NAME = "粘贴的文本.txt"


class AlreadyImported(Conflict):
    """The same file was imported before: ``existing`` is that import (a draft, or published as a plan)."""

    def __init__(self, existing: PlanImport) -> None:
        if existing.status is ImportStatus.PUBLISHED and existing.plan is not None:
            message = f"该文件已导入并发布为计划《{existing.plan.title}》，无需重复导入"
        else:
            message = f"该文件已导入为草稿《{existing.title}》，请继续审核该草稿"
        super().__init__(message, field="file")
        self.existing = existing


@dataclass(frozen=True)
class Received:
    """A document as received: its bytes and the name it came with."""

    data: bytes
    filename: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_by_hash(group: WorkGroup, digest: str) -> PlanImport | None:
    """Return the live (draft or published) import of this file in the work group, if any."""
    return db.session.scalar(
        sa.select(PlanImport)
        .where(PlanImport.work_group_id == group.id, PlanImport.source_sha256 == digest,
               PlanImport.status != ImportStatus.DISCARDED)
        .order_by(PlanImport.id.desc())
        .limit(1)
    )


def get_import(import_id: int) -> PlanImport | None:
    """Return an import with its rows loaded."""
    return db.session.scalar(
        sa.select(PlanImport).where(PlanImport.id == import_id).options(selectinload(PlanImport.rows))
    )


def list_imports(group: WorkGroup) -> list[PlanImport]:
    """Return the work group's imports, newest first."""
    return list(db.session.scalars(
        sa.select(PlanImport).where(PlanImport.work_group_id == group.id).order_by(PlanImport.id.desc())
    ))


def row_counts(imports: list[PlanImport]) -> dict[int, int]:
    """Return each import's number of rows (one query, without loading the rows)."""
    if not imports:
        return {}
    counted = sa.select(PlanImportRow.import_id, sa.func.count()).where(
        PlanImportRow.import_id.in_([imp.id for imp in imports])).group_by(PlanImportRow.import_id)
    return dict(db.session.execute(counted).tuples().all())


def read_received(received: Received | None, pasted: str | None) -> tuple[DocText, Received]:
    """Read an uploaded file, or pasted text, as a document; refuse what cannot be read."""
    if received is not None and (received.data or received.filename):
        try:
            return read_document(received.data, received.filename, limits=attachments.limits()), received
        except UnreadableDocument as exc:
            raise ServiceError(str(exc), field="file", code=exc.code) from exc
    if pasted is not None and pasted.strip():
        text = clean_text(pasted, field="text", label="粘贴的文本", required=True)
        try:
            doc = read_pasted(text)
        except UnreadableDocument as exc:
            raise ServiceError(str(exc), field="text", code=exc.code) from exc
        return doc, Received(text.encode("utf-8"), PASTED_NAME)
    raise ServiceError("请选择要导入的文件，或粘贴计划文本", field="file")


def _year_of(layout: PlanLayout, year: int | None) -> tuple[int, int | None]:
    if year is not None:
        if not 2000 <= year <= 2100:
            raise ServiceError("年度须在 2000—2100 之间", field="year")
        end = layout.end_year if layout.year == year and layout.end_year and layout.end_year > year else None
        return year, end
    if layout.year is None:
        raise ServiceError("无法从文件中识别计划年度，请填写年度后重新导入", field="year")
    end = layout.end_year if layout.end_year and layout.end_year != layout.year else None
    return layout.year, end


def start(
    received: Received | None = None, *, pasted: str | None = None, title: str | None = None,
    year: int | None = None, actor: User | None, now: dt.datetime, group: WorkGroup | None = None,
) -> PlanImport:
    """Read a document into a new draft of the work group; nothing is created when it holds no plan."""
    group = group or work_groups.home_work_group(actor)
    doc, received = read_received(received, pasted)
    digest = sha256(received.data)
    existing = find_by_hash(group, digest)
    if existing is not None:
        raise AlreadyImported(existing)
    layout = read_plan(doc)
    if not layout.items:
        raise ServiceError("文件中没有找到工作任务：既没有任务表，也没有编号的任务条目", field="file")
    if len(layout.items) > MAX_ROWS:
        raise ServiceError(f"文件中的任务超过 {MAX_ROWS} 项，请拆分后导入", field="file")
    first_year, end_year = _year_of(layout, year)
    title = clean_text(title, field="title", label="计划名称", max_len=200) if title else ""
    name = clean_filename(received.filename)
    imp = PlanImport(
        work_group_id=group.id, status=ImportStatus.DRAFT,
        title=title or layout.title[:200] or split_ext(name)[0][:200], year=first_year, end_year=end_year,
        issuer=layout.issuer[:200], document_number=layout.document_number[:200], issued_on=layout.issued_on,
        addressees=layout.addressees[:500], context=_context_text(layout),
        member_units="\n".join(layout.member_units), notes="\n".join(layout.notes), layout=str(layout.layout),
        source_name=name, source_format=doc.source_format, source_size=len(received.data), source_sha256=digest,
        source_key=_store_source(received.data, name),
        created_by_id=actor.id if actor else None, created_at=now, updated_at=now,
    )
    for position, item in enumerate(layout.items, start=1):
        imp.rows.append(PlanImportRow(
            position=position, section_number=item.section_number or 1,
            section_title=(item.section_title or "工作任务")[:200], number=item.number, text=item.text,
            deadline_phrase=item.deadline_phrase[:200], responsible_phrase=item.responsible_phrase[:500],
            sub_items="\n".join(item.sub_items), source=item.source[:100],
        ))
    db.session.add(imp)
    db.session.flush()
    target_drafts.offer_found(imp)
    record(actor, "plan_import.create", imp, now=now,
           summary=f"导入工作计划草稿《{imp.title}》（{len(imp.rows)}项任务，来自 {name}）",
           after={"source_sha256": digest, "rows": len(imp.rows), "layout": imp.layout})
    return imp


def _store_source(data: bytes, name: str) -> str:
    """Keep the document as received (deleted again if the draft is not committed); 503 when it cannot be stored."""
    try:
        return attachments.store_until_commit(data, extension=split_ext(name)[1].lower())
    except StorageUnavailable as exc:
        raise attachments.UploadsUnavailable(exc.reason) from exc


def _context_text(layout: PlanLayout) -> str:
    parts = [f"{part.heading}\n{part.text}" if part.heading else part.text for part in layout.context]
    return "\n\n".join(p.strip() for p in parts if p.strip())


def draft_rows(imp: PlanImport) -> list[DraftRow]:
    """Return the draft's rows in the reviewer's form."""
    return [
        DraftRow(key=r.id, section_number=r.section_number, section_title=r.section_title, number=r.number,
                 text=r.text, deadline_phrase=r.deadline_phrase, responsible_phrase=r.responsible_phrase)
        for r in imp.rows
    ]


def review_of(imp: PlanImport) -> Review:
    """Review the draft against its work group's names as they are now."""
    return plan_service.review_rows(draft_rows(imp), imp.work_group, year=imp.year, end_year=imp.end_year)


def require_draft(imp: PlanImport, version: int | None) -> None:
    """Refuse edits to a published or discarded import, or from a form read before someone else's edit."""
    if imp.status is not ImportStatus.DRAFT:
        raise Conflict(f"该导入已{imp.status.label}，不能再修改")
    if version is not None and version != imp.version:
        raise Conflict("草稿已被他人修改，请刷新页面后再保存（您的修改未保存）")


def touch(imp: PlanImport, now: dt.datetime) -> None:
    imp.version += 1
    imp.updated_at = now


def publish(
    imp: PlanImport, *, actor: User | None, now: dt.datetime, version: int | None = None,
    meta: plan_service.PlanMeta | None = None, update_existing: bool = False, allow_empty_categories: bool = False,
) -> Plan:
    """Create the plan, its tasks and assignments from a draft with no problem left (one transaction)."""
    require_draft(imp, version)
    group = imp.work_group
    meta = meta or plan_service.PlanMeta(
        year=imp.year, title=imp.title, issuer=imp.issuer or group.name, document_number=imp.document_number,
        issued_on=imp.issued_on, report_period_months=imp.report_period_months, end_year=imp.end_year,
        context=imp.context,
    )
    same = db.session.scalar(
        sa.select(Plan).where(Plan.work_group_id == group.id, Plan.year == meta.year, Plan.title == meta.title)
    )
    if same is not None and not update_existing:
        raise Conflict(f"本专班已有 {meta.year} 年的计划《{meta.title}》，请修改计划名称后再发布", field="title")
    result_review = review_of(imp)
    ignored = plan_service.EMPTY_CATEGORY if allow_empty_categories else frozenset()
    if not result_review.ready_ignoring(ignored):
        count = result_review.problem_count
        raise ServiceError(f"草稿还有 {count} 处问题未解决，不能发布" if count else "草稿中没有任务，不能发布")
    result = plan_service.import_plan(meta, draft_rows(imp), actor=actor, now=now, work_group=group,
                                      allow_empty_categories=allow_empty_categories)
    target_drafts.publish(imp, result.plan, actor=actor, now=now)
    imp.status, imp.plan_id = ImportStatus.PUBLISHED, result.plan.id
    touch(imp, now)
    db.session.flush()
    record(actor, "plan_import.publish", imp, now=now,
           summary=f"发布工作计划《{result.plan.title}》：{result.tasks_created}项任务，"
                   f"{len(result.assignments.opened)}个单位任务",
           after={"plan_id": result.plan.id, "tasks": result.tasks_created})
    return result.plan


def discard(imp: PlanImport, *, actor: User | None, now: dt.datetime, version: int | None = None) -> None:
    """Discard a draft (kept for the record; the same file may then be imported again)."""
    require_draft(imp, version)
    imp.status = ImportStatus.DISCARDED
    touch(imp, now)
    record(actor, "plan_import.discard", imp, now=now, summary=f"放弃导入草稿《{imp.title}》")


def source_of(plan: Plan) -> PlanImport | None:
    """Return the published import a plan came from (its source file), if any."""
    return db.session.scalar(
        sa.select(PlanImport).where(PlanImport.plan_id == plan.id, PlanImport.status == ImportStatus.PUBLISHED)
    )
