"""The 公文 documents as an office sees them: the bulletin, the summary and the case compilation for the seeded plan
with the demo data (today 2024-07-18), converted by LibreOffice headless in one run, then measured.

Page-count bounds, for the seeded plan (5 主要任务, 27 tasks, ~200 assignments, 3 demo reports):
* bulletin: the body quotes 3 narratives and names the silent units of every task (~27 paragraphs of 2–6 lines),
  plus the by-unit lists and the attachment table (one row per task, ~8 rows a page): 8–30 pages;
* summary 2024-01-01..07-18: overview, the 2 tasks that moved, the late items by unit: 1–6 pages;
* compilation with the demo's featured cases: cover, contents, one chapter a page or two: 3–12 pages.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from tasktrack.domain import gongwen as gw
from tasktrack.extensions import db
from tasktrack.models import CaseReport, User
from tasktrack.services import cases, compilation, reports, seeding, summary
from tasktrack.services.read.overview import current_plan
from tests import office
from tests.conftest import NOW, TODAY

pytestmark = pytest.mark.office

HANGING = "，。、；：！？）》”"
BOUNDS = {"bulletin": (8, 30), "summary": (1, 6), "compilation": (3, 12)}
MARGINS = {"top": 37 * office.MM, "bottom": 35 * office.MM, "left": 28 * office.MM, "right": 26 * office.MM}


@pytest.fixture(scope="module")
def documents(app, tmp_path_factory) -> dict[str, tuple[Path, Path]]:  # type: ignore[no-untyped-def]
    """Build the three documents on the demo data (rolled back) and convert them in one LibreOffice run."""
    out = tmp_path_factory.mktemp("gongwen")
    files: dict[str, Path] = {}
    with app.app_context():
        try:
            seeding.seed_base(now=NOW)  # idempotent: the baseline may not be loaded yet at module set-up
            seeding.seed_demo(now=NOW, fast_hash=True)
            db.session.flush()
            plan = current_plan(TODAY)
            assert plan is not None
            office_user = db.session.scalar(sa.select(User).where(User.email == "office@example.org"))
            for case in db.session.scalars(sa.select(CaseReport).where(CaseReport.plan_id == plan.id)):
                cases.review_case(case, actor=office_user, action="accept", comment="", now=NOW)
                cases.review_case(case, actor=office_user, action="feature", comment="", now=NOW)
            built = {
                "bulletin": reports.build_bulletin(plan, TODAY)[1],
                "summary": summary.build_summary(plan, dt.date(2024, 1, 1), TODAY)[1],
                "compilation": compilation.build_compilation(plan, cases.featured_cases(plan), now=NOW),
            }
        finally:
            db.session.rollback()
    for name, data in built.items():
        files[name] = out / f"{name}.docx"
        files[name].write_bytes(data)
    pdfs = office.convert(list(files.values()), out)
    return {name: (files[name], pdf) for name, pdf in zip(files, pdfs, strict=True)}


@pytest.mark.parametrize("name", list(BOUNDS))
def test_every_page_is_a4_and_the_count_is_in_bounds(documents, name) -> None:  # type: ignore[no-untyped-def]
    sizes = office.page_sizes(documents[name][1])
    assert all(office.is_size(s, office.A4_PORTRAIT) for s in sizes), sizes
    low, high = BOUNDS[name]
    assert low <= len(sizes) <= high, f"{name}: {len(sizes)} pages"
    office.render_png(documents[name][1], f"gongwen-{name}", first_pages=2)


@pytest.mark.parametrize("name", list(BOUNDS))
def test_text_stays_inside_the_type_area(documents, name) -> None:  # type: ignore[no-untyped-def]
    pdf = documents[name][1]
    footer_room = 35 * office.MM - 10 * office.MM  # the page number stands below the 版心 (GB/T 9704 §7.5)
    body = [line for line in office.lines(pdf) if not re.fullmatch(r"— \d+ —", line.text)]
    right = 595.3 - MARGINS["right"] + 2 * office.MM
    # LibreOffice hangs a line-final full-width mark (，。、) into the margin, as Chinese typesetting allows
    # (w:overflowPunct off is not imported): one such mark may pass the edge, by at most its own width.
    stray = [line for line in body if line.x0 < MARGINS["left"] - 2 * office.MM
             or (line.x1 > right and not (line.text[-1] in HANGING and line.x1 <= right + 16))
             or line.y0 < MARGINS["bottom"] - 2 * office.MM or line.y1 > 841.9 - MARGINS["top"] + 2 * office.MM]
    assert not stray, stray[:3]
    numbers = [line for line in office.lines(pdf) if re.fullmatch(r"— \d+ —", line.text)]
    assert numbers
    assert all(line.y1 < MARGINS["bottom"] and line.y0 > footer_room - 20 for line in numbers)
    # Outer side: odd pages right, even pages left.
    for line in numbers:
        odd = int(line.text.strip("— ")) % 2 == 1
        assert (line.x0 > 297) == odd, line


@pytest.mark.parametrize("name", list(BOUNDS))
def test_cjk_fonts_are_embedded_and_requested_by_name(documents, name) -> None:  # type: ignore[no-untyped-def]
    docx_path, pdf = documents[name]
    embedded = office.fonts(pdf)
    assert any("CJK" in f or "UKai" in f for f in embedded), embedded
    with zipfile.ZipFile(docx_path) as z:
        xml = z.read("word/document.xml").decode() + z.read("word/styles.xml").decode()
    for font in (gw.FONT_BODY, gw.FONT_HEADING_1, gw.FONT_TITLE):
        assert f'w:eastAsia="{font}"' in xml


def test_a_full_body_page_has_22_lines_of_28_characters(documents) -> None:  # type: ignore[no-untyped-def]
    pdf = documents["bulletin"][1]
    lines = [line for line in office.lines(pdf) if line.sizes and set(line.sizes) == {16.0}
             and not re.fullmatch(r"— \d+ —", line.text)]
    per_page: dict[int, set[float]] = {}
    for line in lines:
        per_page.setdefault(line.page, set()).add(round(line.y0))
    assert max(len(ys) for ys in per_page.values()) == 22, {p: len(ys) for p, ys in per_page.items()}
    widths = [len(line.text.replace(" ", "").rstrip(HANGING[:3])) for line in lines
              if not re.search(r"[0-9A-Za-z]", line.text)]
    assert max(widths) == 28  # a hanging mark (see above) is not counted
