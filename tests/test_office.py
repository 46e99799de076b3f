"""The office suite the document tests rely on is installed and maps the 公文 font names to real CJK fonts."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tests import office

pytestmark = pytest.mark.office


def _docx(path: Path, east_asian: str) -> Path:
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    run = document.add_paragraph().add_run("清廉社会组织建设工作进展情况")
    run.font.size = Pt(16)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    document.save(str(path))
    return path


def test_libreoffice_prints_a_docx_with_gongwen_fonts_to_a4(tmp_path: Path) -> None:
    sources = [_docx(tmp_path / "fangsong.docx", "仿宋_GB2312"), _docx(tmp_path / "kaiti.docx", "楷体_GB2312")]
    fangsong, kaiti = office.convert(sources, tmp_path / "pdf")
    sizes = office.page_sizes(fangsong)
    assert len(sizes) == 1
    assert office.is_size(sizes[0], office.A4_PORTRAIT)
    assert "清廉社会组织建设工作进展情况" in office.text(fangsong)
    assert any(line.sizes and set(line.sizes) == {16.0} for line in office.lines(fangsong))
    # The font aliases (scripts/fonts) give each requested name a CJK font of its style, never a box-drawing fallback.
    assert any("NotoSerifCJK" in name for name in office.fonts(fangsong))
    assert any("UKai" in name for name in office.fonts(kaiti))
    assert office.outside(fangsong, top=20 * office.MM, right=20 * office.MM, bottom=20 * office.MM,
                          left=20 * office.MM) == []
    assert office.render_png(fangsong, "office-selftest", first_pages=1)
