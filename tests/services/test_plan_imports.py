"""Plan import (issue 11): a received document → a draft reviewed row by row → a published plan.

The 2024 seed (seed 004) as a real .docx and as plain text gives the seeded plan cell by cell; 绍兴 and 上海 give
drafts whose owners must be chosen, then publish; names resolve only inside the plan's own work group.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from tasktrack.domain.plan_table import read_task_table
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AuditEvent,
    Category,
    ImportStatus,
    NameAlias,
    Plan,
    PlanImport,
    Task,
    Unit,
    UnitKind,
    WorkGroup,
    WorkGroupLevel,
)
from tasktrack.services import ServiceError, exports, plan_imports, units
from tasktrack.services import plan_import_edits as edits
from tasktrack.services.plan_imports import AlreadyImported, Received
from tests import plan_docs

ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = (ROOT / "seed" / "plans" / "2024" / "source.txt").read_bytes()
TSV_ROWS = read_task_table((ROOT / "seed" / "plans" / "2024" / "tasks.tsv").read_text(encoding="utf-8"))
FIXTURES = ROOT / "tests" / "fixtures" / "plans"
TODAY = dt.date(2024, 7, 18)


def _cells(imp: PlanImport) -> list[tuple[object, ...]]:
    return [(r.section_number, r.section_title, r.number, r.text, r.deadline_phrase, r.responsible_phrase)
            for r in imp.rows]


EXPECTED = [(r.section_number, r.section_title, r.number, r.text, r.deadline_phrase, r.responsible_phrase)
            for r in TSV_ROWS]


def _start(data: bytes, name: str, now: dt.datetime, **kwargs: object) -> PlanImport:
    return plan_imports.start(Received(data, name), actor=None, now=now, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "data"), [("2024年任务表.docx", plan_docs.seed004_docx()),
                                        ("2024年任务表.txt", SEED_TEXT.replace(b"\n", b"\r\n"))])
def test_seed_004_as_docx_and_text_gives_the_seeded_plan_cell_by_cell(
        seeded: None, now: dt.datetime, name: str, data: bytes) -> None:
    imp = _start(data, name, now, title="2024年测试任务表")
    assert _cells(imp) == EXPECTED
    assert imp.year == 2024
    assert "〔2024〕4号" in imp.document_number
    assert imp.issued_on == dt.date(2024, 4, 15)
    assert len(imp.member_units.splitlines()) == 17
    review = plan_imports.review_of(imp)
    assert review.problem_count == 1  # task 17: the category 观察点 has no unit until the demo adds points
    assert [p.kind for r in review.rows for p in r.problems] == ["empty_category"]
    seeded_plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2024))
    assert seeded_plan is not None
    tasks = {t.number: t for t in db.session.scalars(sa.select(Task).where(Task.plan_id == seeded_plan.id))}
    for r in review.rows:
        task = tasks[r.row.number]
        assert (task.deadline_phrase, task.responsible_phrase, task.due_date) == (
            r.row.deadline_phrase, r.row.responsible_phrase, r.deadline.due if r.deadline else None)
        assert {a.unit.name for a in task.assignments if a.is_lead} == set(r.leads)
        if task.number != 17:
            assert {a.unit.name for a in task.assignments} == set(r.leads) | set(r.co_owners)


def test_seed_004_task_table_as_a_pdf_gives_the_same_cells(seeded: None, now: dt.datetime) -> None:
    """A PDF wraps each cell every few characters: the wrapped lines are joined back (a quote or a digit range
    split across lines included)."""
    pdf = plan_docs.ruled_table_pdf(plan_docs.seed004_task_grid(), [60, 40, 220, 70, 150],
                                    before=("2024年省清廉社会组织建设工作任务表",))
    imp = _start(pdf, "任务表.pdf", now, title="PDF任务表", year=2024)
    assert _cells(imp) == EXPECTED


def test_the_seeded_plan_came_through_the_importer_and_keeps_its_source(seeded: None) -> None:
    plan = db.session.scalar(sa.select(Plan).where(Plan.year == 2024))
    assert plan is not None
    source = plan_imports.source_of(plan)
    assert source is not None
    assert source.status is ImportStatus.PUBLISHED
    assert source.source_sha256 == plan_imports.sha256(SEED_TEXT)
    assert plan_imports.attachments.storage().path(source.source_key).read_bytes() == SEED_TEXT
    assert plan.context.startswith("2024 年是中华人民共和国成立 75 周年") or "总体要求" in plan.context


def test_the_same_file_again_says_which_plan_it_became(seeded: None, now: dt.datetime) -> None:
    with pytest.raises(AlreadyImported, match="2024年省清廉社会组织建设工作任务表"):
        _start(SEED_TEXT, "又一次.txt", now)
    docx = plan_docs.seed004_docx()
    draft = _start(docx, "a.docx", now, title="草稿")
    with pytest.raises(AlreadyImported, match="草稿") as caught:
        _start(docx, "b.docx", now)
    assert caught.value.existing.id == draft.id
    plan_imports.discard(draft, actor=None, now=now)
    assert _start(docx, "c.docx", now).id != draft.id  # a discarded draft does not block


@pytest.mark.parametrize(("name", "data", "code"), [
    ("空.txt", b"   \n\n", "empty"),
    ("扫描件.pdf", plan_docs.scanned_pdf(), None),
    ("图片.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, None),
    ("宏.docm", b"PK\x03\x04" + b"\0" * 64, None),
    ("旧格式.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, None),
    ("无任务.txt", "关于做好有关工作的通知\n各单位：\n请认真做好相关工作。\n".encode(), None),
])
def test_unreadable_documents_are_refused_and_create_nothing(
        seeded: None, now: dt.datetime, name: str, data: bytes, code: str | None) -> None:
    before = db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport))
    with pytest.raises(ServiceError) as caught:
        _start(data, name, now)
    assert caught.value.message
    assert not caught.value.message.isascii()
    if code:
        assert caught.value.code == code
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanImport)) == before


def _city(now: dt.datetime) -> WorkGroup:
    group = WorkGroup(name="绍兴市社会组织高质量发展工作专班", level=WorkGroupLevel.CITY, created_at=now)
    db.session.add(group)
    db.session.flush()
    return group


def test_shaoxing_draft_publishes_after_its_owners_are_chosen(seeded: None, now: dt.datetime) -> None:
    group = _city(now)
    data = (FIXTURES / "shaoxing_2025.txt").read_bytes()
    imp = _start(data, "绍政办发〔2025〕27号.txt", now, group=group)
    assert (imp.year, len(imp.rows), len({r.section_number for r in imp.rows})) == (2025, 14, 4)
    review = plan_imports.review_of(imp)
    assert all({p.field for p in r.problems} >= {"owners", "deadline"} for r in review.rows)
    edits.fill_blank(imp, field="responsible_phrase", phrase="市民政局牵头，市财政局、市委社会工作部配合",
                     version=imp.version, actor=None, now=now)
    edits.fill_blank(imp, field="deadline_phrase", phrase="2025年全年", version=imp.version, actor=None, now=now)
    review = plan_imports.review_of(imp)
    # Names resolve only inside the city's work group: the province's units are not the city's.
    assert list(review.unknown_names) == ["市民政局", "市财政局", "市委社会工作部"]
    assert all(numbers == tuple(range(1, 15)) for numbers in review.unknown_names.values())
    for name in review.unknown_names:
        edits.create_unit(imp, name, kind=UnitKind.MEMBER, categories=[], version=imp.version, actor=None, now=now)
    review = plan_imports.review_of(imp)
    assert review.ready
    assert review.rows[0].leads == ("市民政局",)
    plan = plan_imports.publish(imp, actor=None, now=now, version=imp.version)
    assert plan.work_group_id == group.id
    assert plan.year == 2025
    assignments = db.session.scalars(sa.select(Assignment).join(Task).where(Task.plan_id == plan.id)).all()
    assert len(assignments) == 14 * 3
    assert {a.unit.work_group_id for a in assignments} == {group.id}
    _name, content = exports.export_plan(plan.id, "xlsx", TODAY)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet.max_row > 14
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "plan_import.publish", AuditEvent.object_id == imp.id)) == 1


def test_shanghai_prose_runs_become_tasks(seeded: None, now: dt.datetime) -> None:
    imp = _start((FIXTURES / "shanghai_2025.txt").read_bytes(), "沪民社登发〔2025〕5号.txt", now, group=_city(now))
    assert (imp.year, len(imp.rows), len({r.section_number for r in imp.rows})) == (2025, 15, 5)
    assert "〔2025〕5" in imp.document_number
    edits.fill_blank(imp, field="responsible_phrase", phrase="各区民政局", version=imp.version, actor=None, now=now)
    edits.fill_blank(imp, field="deadline_phrase", phrase="2025年全年", version=imp.version, actor=None, now=now)
    assert list(plan_imports.review_of(imp).unknown_names) == ["各区民政局"]
    edits.create_unit(imp, "各区民政局", kind=UnitKind.OTHER, categories=[], version=imp.version, actor=None, now=now)
    plan = plan_imports.publish(imp, actor=None, now=now)
    assert len(plan.sections) == 5
    _name, content = exports.export_plan(plan.id, "xlsx", TODAY)
    assert openpyxl.load_workbook(io.BytesIO(content)).active is not None


def test_a_category_name_of_another_work_group_is_unknown(seeded: None, now: dt.datetime) -> None:
    group = _city(now)
    imp = _start("一、加强监管\n（一）开展专项检查。（行业管理部门、省民政厅负责，2025年6月底前完成）\n".encode(),
                 "city.txt", now, group=group, year=2025)
    review = plan_imports.review_of(imp)
    assert set(review.unknown_names) == {"行业管理部门", "省民政厅"}


def test_vague_owner_mapped_to_a_category_is_kept_for_later_imports(seeded: None, now: dt.datetime) -> None:
    text = "一、加强协同\n（一）定期会商。（有关部门按职责分工负责，2024年12月底前完成）\n"
    imp = _start(text.encode(), "a.txt", now, year=2024)
    review = plan_imports.review_of(imp)
    assert list(review.vague_names) == ["有关部门"]
    category = db.session.scalar(sa.select(Category).where(Category.name == "行业管理部门"))
    edits.map_name(imp, "有关部门", unit=None, category=category, version=imp.version, actor=None, now=now)
    assert plan_imports.review_of(imp).ready
    later = _start(text.replace("定期会商", "联合检查").encode(), "b.txt", now, year=2024)
    assert plan_imports.review_of(later).ready
    assert db.session.scalar(sa.select(NameAlias).where(NameAlias.alias == "有关部门")) is not None


def test_a_stale_form_and_a_published_draft_refuse_edits(seeded: None, now: dt.datetime) -> None:
    imp = _start("一、加强监管\n（一）开展专项检查。（省民政厅负责，2024年12月底前完成）\n".encode(), "x.txt", now,
                 year=2024, title="专项检查计划")
    old = imp.version
    edits.fill_blank(imp, field="deadline_phrase", phrase="2024年全年", version=old, actor=None, now=now)
    row = imp.rows[0]
    edit = edits.RowEdit(row.id, 1, "加强监管", 1, "开展专项检查。", "2024年12月底前", "省民政厅")
    with pytest.raises(ServiceError, match="已被他人修改"):
        edits.save_rows(imp, [edit], version=old - 1, actor=None, now=now)
    plan = plan_imports.publish(imp, actor=None, now=now)
    assert plan.title == "专项检查计划"
    with pytest.raises(ServiceError, match="已发布"):
        edits.save_rows(imp, [edit], version=imp.version, actor=None, now=now)
    again = _start("一、加强监管\n（一）另一项检查。（省民政厅负责，2024年12月底前完成）\n".encode(), "y.txt", now,
                   year=2024, title="专项检查计划")
    with pytest.raises(ServiceError, match="已有"):
        plan_imports.publish(again, actor=None, now=now)


def test_problems_block_publishing_and_nothing_is_created(seeded: None, now: dt.datetime) -> None:
    text = "一、加强监管\n（一）开展专项检查。（市民政局负责，2027年底前完成）\n"
    imp = _start(text.encode(), "z.txt", now, year=2024)
    problems = [p.message for r in plan_imports.review_of(imp).rows for p in r.problems]
    assert any("市民政局" in m for m in problems)
    assert any("2027" in m for m in problems)
    plans_before = db.session.scalar(sa.select(sa.func.count()).select_from(Plan))
    with pytest.raises(ServiceError, match="2 处问题"):
        plan_imports.publish(imp, actor=None, now=now)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == plans_before


def test_new_unit_from_the_review_joins_the_drafts_work_group(seeded: None, now: dt.datetime) -> None:
    group = _city(now)
    imp = _start("一、加强监管\n（一）开展专项检查。（省民政厅负责，2025年底前完成）\n".encode(), "w.txt", now,
                 year=2025, group=group)
    unit = edits.create_unit(imp, "省民政厅", kind=UnitKind.MEMBER, categories=[], version=imp.version, actor=None,
                             now=now)
    assert unit.work_group_id == group.id
    assert units.find_unit("省民政厅").id != unit.id  # the province's unit of the same name is another unit
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.name == "省民政厅")) == 2
