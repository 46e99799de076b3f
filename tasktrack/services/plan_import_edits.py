"""Edits on a draft plan's review page: its header, its rows, and the names its rows use.

Every edit checks that the draft is still a draft and that the form was read at the draft's current version, then
raises the version (two secretaries editing one draft cannot overwrite each other), and is audited. Names are
work-group edits: 新建单位 adds a unit to the work group, 对应到已有单位 records an alias that later imports read too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tasktrack.extensions import db
from tasktrack.models import Category, PlanImport, PlanImportRow, Unit, UnitKind, User
from tasktrack.services import ServiceError, units, work_groups
from tasktrack.services.audit import record
from tasktrack.services.inputs import clean_text
from tasktrack.services.plan_imports import require_draft, touch

ROW_FIELDS = ("section_number", "section_title", "number", "text", "deadline_phrase", "responsible_phrase")


@dataclass(frozen=True)
class Header:
    """The draft's header fields as a form sends them."""

    title: str
    year: int
    end_year: int | None
    issuer: str
    document_number: str
    issued_on: dt.date | None
    report_period_months: int


@dataclass(frozen=True)
class RowEdit:
    """One row of the review table as a form sends it."""

    row_id: int
    section_number: int
    section_title: str
    number: int
    text: str
    deadline_phrase: str
    responsible_phrase: str


def update_header(imp: PlanImport, header: Header, *, version: int, actor: User | None, now: dt.datetime) -> None:
    """Save the plan's title, period, issuer, 文号, date and reporting cadence."""
    require_draft(imp, version)
    title = clean_text(header.title, field="title", label="计划名称", required=True, max_len=200)
    if not 2000 <= header.year <= 2100:
        raise ServiceError("年度须在 2000—2100 之间", field="year")
    if header.end_year is not None and not header.year <= header.end_year <= header.year + 10:
        raise ServiceError("结束年度须不早于起始年度，且计划期不超过 10 年", field="end_year")
    if header.report_period_months not in (1, 2, 3, 6, 12):
        raise ServiceError("报送周期须为 1、2、3、6 或 12 个月", field="report_period_months")
    values = {
        "title": title,
        "year": header.year,
        "end_year": header.end_year if header.end_year != header.year else None,
        "issuer": clean_text(header.issuer, field="issuer", label="发文单位", max_len=200),
        "document_number": clean_text(header.document_number, field="document_number", label="文号", max_len=200),
        "issued_on": header.issued_on,
        "report_period_months": header.report_period_months,
    }
    before = {k: _plain(getattr(imp, k)) for k in values}
    for key, value in values.items():
        setattr(imp, key, value)
    after = {k: _plain(getattr(imp, k)) for k in values}
    if before != after:
        touch(imp, now)
        record(actor, "plan_import.header", imp, now=now, summary=f"修改导入草稿《{imp.title}》的计划信息",
               before=before, after=after)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def save_rows(imp: PlanImport, edits: list[RowEdit], *, version: int, actor: User | None, now: dt.datetime) -> int:
    """Save the edited rows of the review table; return how many changed."""
    require_draft(imp, version)
    rows = {r.id: r for r in imp.rows}
    changed = 0
    for edit in edits:
        row = rows.get(edit.row_id)
        if row is None:
            raise ServiceError("要修改的任务行不存在，请刷新页面", field="rows")
        where = f"rows-{row.id}"
        if not 1 <= edit.section_number <= 99 or not 1 <= edit.number <= 9999:
            raise ServiceError(f"第{row.position}行：序号须为正整数", field=f"{where}-number")
        values = {
            "section_number": edit.section_number,
            "section_title": clean_text(edit.section_title, field=f"{where}-section_title", label="主要任务",
                                        required=True, max_len=200),
            "number": edit.number,
            "text": clean_text(edit.text, field=f"{where}-text", label="任务内容", max_len=5000),
            "deadline_phrase": clean_text(edit.deadline_phrase, field=f"{where}-deadline_phrase",
                                          label="完成时间节点", max_len=200),
            "responsible_phrase": clean_text(edit.responsible_phrase, field=f"{where}-responsible_phrase",
                                             label="责任单位", max_len=500),
        }
        before = {k: getattr(row, k) for k in ROW_FIELDS}
        if before == values:
            continue
        for key, value in values.items():
            setattr(row, key, value)
        changed += 1
        record(actor, "plan_import.row", imp, now=now, summary=f"修改导入草稿第{row.position}行（任务 {row.number}）",
               before=before, after=values)
    if changed:
        touch(imp, now)
    return changed


def add_row(imp: PlanImport, *, version: int, actor: User | None, now: dt.datetime) -> PlanImportRow:
    """Append a blank row under the last section (the review page then shows what it still needs)."""
    require_draft(imp, version)
    last = imp.rows[-1] if imp.rows else None
    row = PlanImportRow(
        position=(last.position if last else 0) + 1, section_number=last.section_number if last else 1,
        section_title=last.section_title if last else "工作任务",
        number=max((r.number for r in imp.rows), default=0) + 1, text="", source="手工添加",
    )
    imp.rows.append(row)
    touch(imp, now)
    db.session.flush()
    record(actor, "plan_import.row_add", imp, now=now, summary=f"导入草稿新增第{row.position}行")
    return row


def delete_row(imp: PlanImport, row_id: int, *, version: int, actor: User | None, now: dt.datetime) -> None:
    """Delete a row the reader took for a task but is not one (its text stays in the audit trail)."""
    require_draft(imp, version)
    row = next((r for r in imp.rows if r.id == row_id), None)
    if row is None:
        raise ServiceError("要删除的任务行不存在，请刷新页面", field="rows")
    record(actor, "plan_import.row_delete", imp, now=now,
           summary=f"删除导入草稿第{row.position}行（任务 {row.number}）",
           before={k: getattr(row, k) for k in ROW_FIELDS})
    imp.rows.remove(row)
    touch(imp, now)


def fill_blank(
    imp: PlanImport, *, field: str, phrase: str, version: int, actor: User | None, now: dt.datetime
) -> int:
    """Write one phrase into every row where the document gave none (完成时间节点 or 责任单位); return the count."""
    require_draft(imp, version)
    labels = {"deadline_phrase": ("完成时间节点", 200), "responsible_phrase": ("责任单位", 500)}
    if field not in labels:
        raise ServiceError("只能批量填写完成时间节点或责任单位", field="field")
    label, max_len = labels[field]
    phrase = clean_text(phrase, field="phrase", label=label, required=True, max_len=max_len)
    rows = [r for r in imp.rows if not getattr(r, field).strip()]
    for row in rows:
        setattr(row, field, phrase)
    if rows:
        touch(imp, now)
        record(actor, "plan_import.fill", imp, now=now, summary=f"为{len(rows)}项未写{label}的任务填入“{phrase}”",
               after={"field": field, "phrase": phrase, "rows": [r.position for r in rows]})
    return len(rows)


def create_unit(
    imp: PlanImport, name: str, *, kind: UnitKind, categories: list[Category], version: int,
    actor: User | None, now: dt.datetime,
) -> Unit:
    """新建单位: add a unit named as the document names it to the draft's work group."""
    require_draft(imp, version)
    unit, _ = units.save_unit(None, actor=actor, name=name, kind=kind, categories=categories, contact_emails="",
                              leader_email=None, work_group=imp.work_group, now=now)
    touch(imp, now)
    return unit


def map_name(
    imp: PlanImport, name: str, *, unit: Unit | None, category: Category | None, version: int,
    actor: User | None, now: dt.datetime,
) -> None:
    """对应到已有单位: record the name as an alias of an existing unit or category of the work group."""
    require_draft(imp, version)
    work_groups.add_alias(imp.work_group, name, unit=unit, category=category, actor=actor, now=now)
    touch(imp, now)
