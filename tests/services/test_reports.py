"""The drafted documents' data: the bulletin as of a date (later reports do not count), the summary over a period,
fixed query counts, and the .docx they render to."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest

from tasktrack.domain import bulletin
from tasktrack.domain.lights import Light
from tasktrack.domain.report_text import clean_narrative
from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, Plan, Role
from tasktrack.services import ServiceError, progress, reports, seeding, units
from tasktrack.services.read.overview import current_plan, unit_rows

AS_OF = dt.date(2024, 7, 18)


#: The demo is seeded once for the module's tests (tests/isolation.py, shared state); each test's writes roll back.
pytestmark = pytest.mark.shared_state(__name__)


@pytest.fixture
def demo(app, seeded, now):  # type: ignore[no-untyped-def]
    def build() -> int:
        seeding.seed_demo(now=now, fast_hash=True)
        db.session.commit()
        return current_plan(AS_OF).id

    return db.session.get(Plan, app.extensions["tests_isolation"].shared(build))


def _narratives(data: bulletin.BulletinData) -> list[str]:
    return [u.narrative for s in data.sections for t in s.tasks for u in t.units if u.narrative]


def test_bulletin_data_counts_every_assignment_once(demo) -> None:  # type: ignore[no-untyped-def]
    data = reports.bulletin_data(demo, AS_OF)
    f = bulletin.figures(data)
    assert f.tasks == sum(len(s.tasks) for s in data.sections) > 10
    assert f.completed + f.on_track + f.due_soon + f.stale + f.overdue == f.assignments
    assert len(_narratives(data)) == 3  # the demo's three reports


def test_a_report_after_the_as_of_date_does_not_count(demo, make_user, now) -> None:  # type: ignore[no-untyped-def]
    unit = units.find_unit("省财政厅")
    assert unit is not None
    liaison = make_user(Role.LIAISON, unit="省财政厅")
    assignment = unit_rows(unit.id, AS_OF)[0].assignment
    progress.submit_report(assignment, author=liaison, status=AssignmentStatus.COMPLETED, percent=100,
                           completed_on=dt.date(2024, 7, 20), narrative="七月二十日已全部完成。",
                           now=now + dt.timedelta(days=2))
    db.session.commit()
    before = reports.bulletin_data(demo, AS_OF)
    after = reports.bulletin_data(demo, dt.date(2024, 7, 20))
    assert "七月二十日已全部完成。" not in _narratives(before)
    assert "七月二十日已全部完成。" in _narratives(after)
    state = next(u for s in after.sections for t in s.tasks for u in t.units
                 if u.unit == "省财政厅" and u.narrative == "七月二十日已全部完成。")
    assert state.completed
    assert state.light.light is Light.DONE


def test_bulletin_queries_do_not_grow_with_rows(demo, count_queries) -> None:  # type: ignore[no-untyped-def]
    with count_queries() as q:
        reports.bulletin_data(demo, AS_OF)
    assert q.count <= 8


def test_bulletin_docx_quotes_reports_and_has_the_attachment_table(demo) -> None:  # type: ignore[no-untyped-def]
    name, data = reports.build_bulletin(demo, AS_OF)
    assert name == "2024年省清廉社会组织建设工作进展情况通报（截至2024-07-18）.docx"
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "关于2024年省清廉社会组织建设工作进展情况的通报" in text
    assert "None" not in text
    assert "【省民政厅】已征集各地案例 42 篇" in text
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["序号", "工作任务", "责任单位", "进展情况"]
    quoted = [piece for p in document.paragraphs
              for piece in re.findall(r"】(?:（已完成）)?([^【]+?)(?=【|截至|$)", p.text)]
    sources = [clean_narrative(n) for n in _narratives(reports.bulletin_data(demo, AS_OF))]
    for piece in quoted:
        piece = piece.strip().removesuffix("。").removesuffix("……")
        if piece.startswith("第") and piece.endswith("项"):
            continue  # the by-unit lists of 三、需要关注的事项
        assert any(piece in source for source in sources), piece


def test_summary_period_is_checked() -> None:
    with pytest.raises(ServiceError):
        reports.check_period(dt.date(2024, 7, 1), dt.date(2024, 1, 1))
