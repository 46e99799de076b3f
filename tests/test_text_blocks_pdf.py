"""PDF specifics of the text-block readers: pages, positions, wrapped cells, ruled and unruled tables."""

from __future__ import annotations

import pytest

from tasktrack.domain.doc_blocks import DocText, Paragraph, Table
from tasktrack.uploads.text_blocks import UnreadableDocument, read_document
from tests.plan_docs import ruled_table_pdf, seed004_task_grid, text_pdf

# ---------------------------------------------------------------------------------------------
# PDF


def test_pdf_pages_in_order_and_simple_tables_rebuilt_from_positions() -> None:
    data = text_pdf([
        "2024年省清廉社会组织建设工作任务表",
        "主要任务\t具体工作\t完成时间\t责任单位",
        "一、党建\t1. 学习教育\t7月底前\t业务主管单位",
        "\t2. 规范建设\t全年\t党建工作机构",
        "",
        "",
        "附件 2",
        "\f",
        "第二页\t的两段",
    ])
    doc = read_document(data, "a.pdf")
    assert doc.blocks == (
        Paragraph("2024年省清廉社会组织建设工作任务表"),
        Table((
            ("主要任务", "具体工作", "完成时间", "责任单位"),
            ("一、党建", "1. 学习教育", "7月底前", "业务主管单位"),
            ("", "2. 规范建设", "全年", "党建工作机构"),
        )),
        Paragraph("附件 2"),
        Paragraph("第二页 的两段"),
    )


def test_pdf_wrapped_cell_lines_join_their_cell() -> None:
    data = text_pdf([
        "任务\t内容\t单位",
        "1\t巩固拓展\t省民政厅",
        "\t主题教育成果",
        "2\t推动宣贯\t各市",
        "",
        "",
        "正文段落",
    ])
    (table, tail) = read_document(data, "a.pdf").blocks
    assert table == Table(
        (("任务", "内容", "单位"), ("1", "巩固拓展\n主题教育成果", "省民政厅"), ("2", "推动宣贯", "各市"))
    )
    assert tail == Paragraph("正文段落")


def test_pdf_that_needs_a_password_is_refused() -> None:
    data = text_pdf(["机密"])
    encrypt = (
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"
    )
    head, tail = data.rsplit(b"trailer\n<<", 1)
    data = head + b"trailer\n<< /Encrypt " + encrypt + b" /ID [<0123456789abcdef0123456789abcdef>"
    data += b" <0123456789abcdef0123456789abcdef>]" + tail
    with pytest.raises(UnreadableDocument) as info:
        read_document(data, "加密.pdf")
    assert info.value.code == "encrypted"


def test_truncated_pdf_is_refused_by_the_upload_checks() -> None:
    data = text_pdf(["一、党建"])
    with pytest.raises(UnreadableDocument) as info:
        read_document(data[:-30], "a.pdf")
    assert info.value.code == "truncated"


def test_pdf_reader_returns_doctext_of_pdf_format() -> None:
    doc = read_document(text_pdf(["甲"]), "a.PDF")
    assert doc == DocText(blocks=(Paragraph("甲"),), source_format="pdf")


def test_pdf_dense_table_cells_stay_apart_and_a_lone_spaced_line_is_a_paragraph() -> None:
    # Column stops are 130 pt apart; 12 characters of 10 pt leave a gap of one character width.
    wide = "社会组织党建工作质量提升"
    data = text_pdf([
        "通\t知\t书",
        "",
        "",
        f"{wide}\t{wide}\t{wide}",
        f"{wide[:4]}\t{wide[4:]}\t{wide[:2]}",
    ])
    doc = read_document(data, "a.pdf")
    assert doc.blocks == (
        Paragraph("通 知 书"),
        Table(((wide, wide, wide), (wide[:4], wide[4:], wide[:2]))),
    )


def _squeezed(table: Table) -> tuple[tuple[str, ...], ...]:
    """Return a table's cells without line breaks and spaces (a PDF cell's lines are its wraps)."""
    return tuple(tuple(cell.replace("\n", "").replace(" ", "") for cell in row) for row in table.rows)


def test_pdf_ruled_table_is_read_cell_by_cell_with_merged_sections_on_their_first_row() -> None:
    grid = seed004_task_grid()
    data = ruled_table_pdf(grid, [90, 230, 80, 130], before=("2024 年省清廉社会组织建设工作任务表",), after=("附件 2",))
    doc = read_document(data, "任务表.pdf")
    title, table, tail = doc.blocks
    assert title == Paragraph("2024 年省清廉社会组织建设工作任务表")
    assert tail == Paragraph("附件 2")
    assert isinstance(table, Table)
    assert _squeezed(table) == tuple(tuple(cell.replace(" ", "") for cell in row) for row in grid)
    # Section 二 is centred over rows 7–9 in the drawing, but stands in row 7's cell with "" below it.
    assert [row[0] for row in table.rows[7:10]] == ["二、加强规范监管", "", ""]
    assert table.rows[1][1] == "1. 巩固拓展主题教育成果，在社会组织领域开展党\n纪学习教育。"


def test_pdf_ruled_two_column_table_and_a_framed_note() -> None:
    grid = (("单位", "联系人"), ("省民政厅", "张三"), ("省财政厅", "李四"))
    doc = read_document(ruled_table_pdf(grid, [150, 150]), "a.pdf")
    assert doc.blocks == (Table(grid),)
    framed = read_document(ruled_table_pdf((("注：以上时间均为完成时限。",), ("另行通知。",)), [300]), "b.pdf")
    assert framed.blocks == (Paragraph("注：以上时间均为完成时限。"), Paragraph("另行通知。"))


def test_pdf_unruled_table_columns_come_from_the_widest_first_line_not_from_wrapped_lines() -> None:
    data = text_pdf([
        "主要任务\t具体工作\t时间\t单位",
        "一、党建\t1. 学习\t7月\t省民政厅",
        "\t2. 对照指引\t全年\t党建机构",
        "\t规范建设",
        "\t提升质量",
    ])
    assert read_document(data, "a.pdf").blocks == (Table((
        ("主要任务", "具体工作", "时间", "单位"),
        ("一、党建", "1. 学习", "7月", "省民政厅"),
        ("", "2. 对照指引\n规范建设\n提升质量", "全年", "党建机构"),
    )),)
