"""Case reports: versions kept, review workflow, search, compilation order, progress on the case task."""

from __future__ import annotations

import io

import docx
import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Assignment, CaseKind, CaseStatus, CaseVersion, Plan, ProgressReport, Role, Task
from tasktrack.services import ServiceError, cases, compilation, units
from tasktrack.services.cases import CaseFilter, CaseText


@pytest.fixture
def ctx(seeded, make_user):  # type: ignore[no-untyped-def]
    plan = db.session.scalar(sa.select(Plan))
    return plan, make_user(Role.LIAISON, unit="省民政厅"), make_user(Role.SECRETARIAT)


def text(title: str = "社区基金会透明运作", body: str = "正文：公开每一笔捐赠。",
         kind: CaseKind = CaseKind.POSITIVE) -> CaseText:
    return CaseText(kind=kind, title=title, summary="摘要：阳光公益", body=body)


def test_seed_sets_case_task(ctx) -> None:  # type: ignore[no-untyped-def]
    plan, _, _ = ctx
    assert plan.case_task_number == 16


def test_submit_counts_toward_case_task(ctx, now) -> None:  # type: ignore[no-untyped-def]
    plan, liaison, _ = ctx
    unit = units.find_unit("省民政厅")
    cases.submit_case(plan, unit, text(), actor=liaison, files=[], now=now)
    db.session.commit()
    assignment = db.session.scalar(sa.select(Assignment).join(Task).where(Task.number == 16,
                                                                          Assignment.unit_id == unit.id))
    assert assignment.last_reported_at == now
    report = db.session.scalar(sa.select(ProgressReport).where(ProgressReport.assignment_id == assignment.id))
    assert "社区基金会透明运作" in report.narrative


def test_return_resubmit_keeps_every_version(ctx, now) -> None:  # type: ignore[no-untyped-def]
    plan, liaison, office = ctx
    unit = units.find_unit("省民政厅")
    case = cases.submit_case(plan, unit, text(), actor=liaison, files=[], now=now)
    with pytest.raises(ServiceError, match="修改意见"):
        cases.review_case(case, actor=office, action="return", comment="", now=now)
    cases.review_case(case, actor=office, action="return", comment="请补充数据", now=now)
    assert case.status is CaseStatus.RETURNED
    cases.revise_case(case, text(body="正文：补充了 2023 年数据。"), actor=liaison, files=[], now=now)
    db.session.commit()
    assert case.status is CaseStatus.SUBMITTED
    assert case.version == 2
    bodies = [v.body for v in db.session.scalars(sa.select(CaseVersion).order_by(CaseVersion.number))]
    assert bodies == ["正文：公开每一笔捐赠。", "正文：补充了 2023 年数据。"]
    with pytest.raises(ServiceError, match="只有被退回"):
        cases.revise_case(case, text(), actor=liaison, files=[], now=now)
    with pytest.raises(ServiceError, match="已采用"):
        cases.review_case(case, actor=office, action="feature", comment="", now=now)
    cases.review_case(case, actor=office, action="accept", comment="", now=now)
    cases.review_case(case, actor=office, action="feature", comment="", now=now)
    assert case.status is CaseStatus.FEATURED
    assert case.feature_order == 1


def test_search_words_filters_and_visibility(ctx, now, make_user) -> None:  # type: ignore[no-untyped-def]
    plan, liaison, office = ctx
    unit = units.find_unit("省民政厅")
    a = cases.submit_case(plan, unit, text("行业协会清理评比表彰"), actor=liaison, files=[], now=now)
    b = cases.submit_case(plan, unit, text("基金会违规收费", "违规收取会费 100%", CaseKind.NEGATIVE), actor=liaison,
                          files=[], now=now)
    db.session.commit()
    assert [c.id for c in cases.search_cases(office, CaseFilter(q="评比")).items] == [a.id]
    assert [c.id for c in cases.search_cases(office, CaseFilter(q="收费 基金会")).items] == [b.id]
    assert [c.id for c in cases.search_cases(office, CaseFilter(q="100%")).items] == [b.id]
    assert cases.search_cases(office, CaseFilter(q="_")).total == 0  # LIKE wildcards are literal
    assert [c.id for c in cases.search_cases(office, CaseFilter(kind=CaseKind.NEGATIVE)).items] == [b.id]
    assert cases.search_cases(office, CaseFilter(year=2023)).total == 0
    # another unit's liaison sees only accepted cases
    other = make_user(Role.LIAISON, unit="省教育厅")
    assert cases.search_cases(other, CaseFilter()).total == 0
    cases.review_case(a, actor=office, action="accept", comment="", now=now)
    db.session.commit()
    assert [c.id for c in cases.search_cases(other, CaseFilter()).items] == [a.id]
    assert cases.search_cases(other, CaseFilter(status=CaseStatus.ACCEPTED)).total == 1


def test_compilation_in_secretariat_order(ctx, now) -> None:  # type: ignore[no-untyped-def]
    plan, liaison, office = ctx
    unit = units.find_unit("省民政厅")
    made = []
    for title in ("甲案例", "乙案例", "丙案例"):
        case = cases.submit_case(plan, unit, text(title), actor=liaison, files=[], now=now)
        cases.review_case(case, actor=office, action="accept", comment="", now=now)
        cases.review_case(case, actor=office, action="feature", comment="", now=now)
        made.append(case)
    cases.set_feature_order(plan, [made[2].id, made[0].id, made[1].id], actor=office, now=now)
    with pytest.raises(ServiceError):
        cases.set_feature_order(plan, [made[0].id], actor=office, now=now)
    db.session.commit()
    data = compilation.build_compilation(plan, cases.featured_cases(plan), now=now)
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["案例1　丙案例", "案例2　甲案例", "案例3　乙案例"]
    texts = [p.text for p in document.paragraphs]
    assert "2024年清廉社会组织优秀案例汇编" in texts
    assert "目　　录" in texts
    toc = [p.text for p in document.paragraphs if p.style.name == "toc 1"]
    assert toc == headings  # the TOC field's shown result lists the chapters before Word refreshes it
    assert "报送单位：省民政厅" in texts
    assert "案例类型：正面典型案例" in texts
    assert any("TOC" in (i.text or "") for i in document.element.body.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText"))
