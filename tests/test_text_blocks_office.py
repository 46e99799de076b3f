"""Word and Excel specifics of the text-block readers: merged cells, headings, values, list numbers."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
import openpyxl
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from openpyxl.worksheet.cell_range import CellRange

from tasktrack.domain.doc_blocks import Paragraph, Table
from tasktrack.uploads.text_blocks import UnreadableDocument, read_document
from tasktrack.uploads.text_blocks.docx_numbering import format_number


def docx_bytes(document: object) -> bytes:
    """Return a python-docx document's bytes."""
    out = io.BytesIO()
    document.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def xlsx_bytes(workbook: openpyxl.Workbook) -> bytes:
    """Return an openpyxl workbook's bytes."""
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Word


def test_docx_body_order_of_paragraphs_and_tables() -> None:
    document = docx.Document()
    document.add_paragraph("前言")
    document.add_table(rows=1, cols=2).rows[0].cells[0].text = "表一"
    document.add_paragraph("")  # an empty paragraph is dropped
    document.add_paragraph("中段")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "表二"
    document.add_paragraph("结尾")
    doc = read_document(docx_bytes(document), "a.docx")
    assert doc.blocks == (
        Paragraph("前言"), Table((("表一", ""),)), Paragraph("中段"), Table((("表二",),)), Paragraph("结尾")
    )


def test_docx_horizontal_and_vertical_merges_leave_covered_cells_empty() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"{r}{c}"
    table.cell(0, 0).merge(table.cell(0, 2))  # gridSpan
    table.cell(1, 0).merge(table.cell(2, 0))  # vMerge
    (read,) = read_document(docx_bytes(document), "a.docx").blocks
    assert isinstance(read, Table)
    assert read.rows[0] == ("00\n01\n02", "", "")  # python-docx's merge keeps every cell's paragraph
    assert read.rows[1] == ("10\n20", "11", "12")
    assert read.rows[2] == ("", "21", "22")


def test_docx_grid_before_and_after_are_empty_cells() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "a", "b", "c"
    tr = table.rows[1]._tr
    for tc in tr.tc_lst[1:]:
        tr.remove(tc)
    tr.tc_lst[0].append(parse_xml(f"<w:p {nsdecls('w')}><w:r><w:t>中</w:t></w:r></w:p>"))
    tr.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>'))
    (read,) = read_document(docx_bytes(document), "a.docx").blocks
    assert read == Table((("a", "b", "c"), ("", "中", "")))


def test_docx_cell_paragraphs_are_lines_and_nested_tables_are_flattened() -> None:
    document = docx.Document()
    cell = document.add_table(rows=1, cols=2).cell(0, 0)
    cell.text = "牵头：省民政厅"
    cell.add_paragraph("配合：各市")
    nested = cell.add_table(rows=2, cols=2)
    nested.cell(0, 0).text, nested.cell(0, 1).text = "节点", "6月底前"
    nested.cell(1, 0).text = "验收"
    (read,) = read_document(docx_bytes(document), "a.docx").blocks
    assert read == Table((("牵头：省民政厅\n配合：各市\n节点 6月底前\n验收", ""),))


def test_docx_heading_levels_from_styles_and_outline_levels() -> None:
    document = docx.Document()
    document.add_heading("一级", level=1)
    document.add_heading("三级", level=3)
    chinese = document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("中文样式名", style=chinese)
    outlined = document.styles.add_style("公文小标题", WD_STYLE_TYPE.PARAGRAPH)
    outlined.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="1"/>'))
    based = document.styles.add_style("继承小标题", WD_STYLE_TYPE.PARAGRAPH)
    based.base_style = outlined
    document.add_paragraph("样式大纲级别", style=outlined)
    document.add_paragraph("继承的大纲级别", style=based)
    own = document.add_paragraph("段落大纲级别")
    own._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="0"/>'))
    body = document.add_paragraph("正文级别", style=outlined)
    body._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="9"/>'))
    document.add_paragraph("正文")
    doc = read_document(docx_bytes(document), "a.docx")
    assert [(b.text, b.heading_level) for b in doc.blocks if isinstance(b, Paragraph)] == [
        ("一级", 1), ("三级", 3), ("中文样式名", 2), ("样式大纲级别", 2), ("继承的大纲级别", 2),
        ("段落大纲级别", 1), ("正文级别", 2), ("正文", None),
    ]


def test_docx_runs_in_revisions_hyperlinks_and_content_controls() -> None:
    document = docx.Document()
    p = document.add_paragraph("开展")
    p._p.append(parse_xml(
        f'<w:ins {nsdecls("w")} w:id="1" w:author="a"><w:r><w:t>专项</w:t></w:r></w:ins>'
    ))
    p._p.append(parse_xml(
        f'<w:del {nsdecls("w")} w:id="2" w:author="a"><w:r><w:delText>删掉</w:delText></w:r></w:del>'
    ))
    p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:tab/><w:t>整治</w:t><w:br/><w:t>行动</w:t>'
                          '<w:br w:type="page"/><w:t>20</w:t><w:noBreakHyphen/><w:t>25</w:t></w:r>'))
    p._p.append(parse_xml(
        f'<w:r {nsdecls("w")}><w:ruby><w:rt><w:r><w:t>zhuān</w:t></w:r></w:rt>'
        '<w:rubyBase><w:r><w:t>专</w:t></w:r></w:rubyBase></w:ruby></w:r>'
    ))
    document.element.body.insert(0, parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtContent><w:p><w:r><w:t>控件内段落</w:t></w:r></w:p></w:sdtContent></w:sdt>'
    ))
    doc = read_document(docx_bytes(document), "a.docx")
    assert doc.blocks == (Paragraph("控件内段落"), Paragraph("开展专项\t整治\n行动20-25专"))


# ---------------------------------------------------------------------------------------------
# Excel


def test_xlsx_values_are_shown_as_a_user_sees_them() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["序号", "指标", "比例", "完成时间", "时刻", "是否"])
    sheet.append([7.0, 1234.5, 0.85, dt.datetime(2025, 6, 30), dt.datetime(2025, 6, 30, 14, 30), True])
    sheet["C2"].number_format = "0%"
    sheet.append([3, 0.1 + 0.2, None, dt.date(2024, 12, 31), "  文本  ", False])
    doc = read_document(xlsx_bytes(workbook), "a.xlsx")
    assert doc.blocks == (Table((
        ("序号", "指标", "比例", "完成时间", "时刻", "是否"),
        ("7", "1234.5", "85%", "2025-06-30", "2025-06-30 14:30", "TRUE"),
        ("3", "0.3", "", "2024-12-31", "文本", "FALSE"),
    )),)


def test_xlsx_trims_empty_outer_rows_and_columns_and_keeps_inner_ones() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["C3"] = "任务"
    sheet["E5"] = "单位"
    sheet["G9"] = "   "  # blank text counts as empty
    doc = read_document(xlsx_bytes(workbook), "a.xlsx")
    assert doc.blocks == (Table((("任务", "", ""), ("", "", ""), ("", "", "单位"))),)


def test_xlsx_merged_range_text_in_top_left_and_covered_cells_empty() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["2024年任务表", None, None])
    sheet.merge_cells("A1:C1")
    sheet.append(["一、党建", "1. 学习", "全年"])
    sheet.append(["一、党建（重复）", "2. 指引", "全年"])
    # A merge whose covered cell still holds a value (as some generators leave it).
    sheet.merged_cells.add(CellRange("A2:A3"))
    doc = read_document(xlsx_bytes(workbook), "a.xlsx")
    assert doc.blocks == (Table((("2024年任务表", "", ""), ("一、党建", "1. 学习", "全年"), ("", "2. 指引", "全年"))),)


def test_xlsx_formula_cells_give_the_cached_value_never_the_formula() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"], sheet["C1"] = 2, 5, "=A1*B1"
    data = xlsx_bytes(workbook)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"(<f>A1\*B1</f>)(<v\s*/>|<v></v>)?", rb"\1<v>10</v>", content)
            dst.writestr(info, content)
    assert read_document(out.getvalue(), "a.xlsx").blocks == (Table((("2", "5", "10"),)),)
    assert read_document(data, "a.xlsx").blocks == (Table((("2", "5"),)),)  # never calculated: empty, trimmed


def test_xlsx_several_sheets_get_their_titles_and_hidden_or_empty_sheets_are_skipped() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "省级任务"
    workbook.active["A1"] = "任务一"
    workbook.create_sheet("空表")
    hidden = workbook.create_sheet("下拉选项")
    hidden["A1"] = "省民政厅"
    hidden.sheet_state = "hidden"
    workbook.create_sheet("市级任务")["B2"] = "任务二"
    doc = read_document(xlsx_bytes(workbook), "a.xlsx")
    assert doc.blocks == (
        Paragraph("省级任务"), Table((("任务一",),)), Paragraph("市级任务"), Table((("任务二",),))
    )


def test_xlsx_without_cells_is_refused() -> None:
    workbook = openpyxl.Workbook()
    workbook.create_sheet("Sheet2")
    with pytest.raises(UnreadableDocument) as info:
        read_document(xlsx_bytes(workbook), "空.xlsx")
    assert info.value.code == "empty"
    assert "表格中没有内容" in str(info.value)


# ---------------------------------------------------------------------------------------------
# Word list numbering


def _add_list(document: object, abstract_id: int, levels: list[tuple[str, str]], num_ids: dict[int, int]) -> None:
    """Add an abstract list of (numFmt, lvlText) levels and ``w:num``s (numId → startOverride of level 0, 0: none)."""
    numbering = document.part.numbering_part.element  # type: ignore[attr-defined]
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>')
    numbering.insert(0, abstract)
    for num_id, start in num_ids.items():
        override = (f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>' if start else "")
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
        ))


def _numbered(container: object, text: str, num_id: int, ilvl: int) -> None:
    """Add a paragraph in list ``num_id`` at level ``ilvl``."""
    p = container.add_paragraph(text)  # type: ignore[attr-defined]
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
    ))


def test_docx_automatic_list_numbers_are_rendered_as_word_shows_them() -> None:
    document = docx.Document()
    _add_list(document, 90, [("chineseCounting", "%1、"), ("decimal", "%2."), ("chineseCounting", "（%3）")],
              {90: 0, 91: 5})
    _numbered(document, "强化党建统领", 90, 0)
    _numbered(document, "加强思想政治引领", 90, 1)
    _numbered(document, "", 90, 1)  # an empty numbered paragraph still takes its number
    _numbered(document, "注重党建质量提升", 90, 1)
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    _numbered(cell, "表格内的条目", 90, 1)
    _numbered(document, "加强规范监管", 90, 0)
    _numbered(document, "强化制度保障", 90, 1)
    _numbered(document, "细化措施", 90, 2)
    _numbered(document, "重新起编", 91, 0)
    plain = document.add_paragraph("显式不编号", style="List Number")
    plain._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="0"/></w:numPr>'
    ))
    document.add_paragraph("样式编号甲", style="List Number")
    document.add_paragraph("样式编号乙", style="List Number")
    document.add_paragraph("项目符号", style="List Bullet")
    doc = read_document(docx_bytes(document), "a.docx")
    assert doc.blocks == (
        Paragraph("一、强化党建统领"),
        Paragraph("1. 加强思想政治引领"),
        Paragraph("3. 注重党建质量提升"),
        Table((("4. 表格内的条目",),)),
        Paragraph("二、加强规范监管"),
        Paragraph("1. 强化制度保障"),
        Paragraph("（一）细化措施"),
        Paragraph("五、重新起编"),
        Paragraph("显式不编号"),
        Paragraph("1. 样式编号甲"),
        Paragraph("2. 样式编号乙"),
        Paragraph("项目符号"),
    )


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (11, "chineseCountingThousand", "十一"),
        (20, "chineseCounting", "二十"), (105, "chineseCounting", "一百零五"), (1010, "chineseCounting", "一千零一十"),
        (12, "chineseLegalSimplified", "壹拾贰"), (3, "ideographTraditional", "丙"), (2, "decimalEnclosedCircle", "②"),
        (4, "upperRoman", "IV"), (14, "lowerRoman", "xiv"), (28, "upperLetter", "BB"), (3, "lowerLetter", "c"),
        (7, "decimalFullWidth", "７"), (3, "decimalZero", "03"), (21, "decimalEnclosedCircle", "21"),
        (5, "somethingNew", "5"),
    ],
)
def test_word_number_formats(value: int, fmt: str, expected: str) -> None:
    assert format_number(value, fmt) == expected
