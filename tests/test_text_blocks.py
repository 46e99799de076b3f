"""Received documents → DocText: each format, each refusal, merged cells, body order, encodings, and no crash.

The format-specific Word/Excel/PDF cases are in test_text_blocks_office.py; this file holds plain text, the
dispatch and refusals, the seed 004 round trips and a little fuzzing.
"""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from tasktrack.domain.doc_blocks import DocText, Paragraph, Table
from tasktrack.uploads.kinds import UploadLimits
from tasktrack.uploads.text_blocks import UnreadableDocument, read_document, read_pasted
from tests.plan_docs import (
    SEED004_SOURCE,
    scanned_pdf,
    seed004_docx,
    seed004_task_grid,
    seed004_xlsx,
    text_pdf,
)
from tests.upload_samples import DOC_STREAM, XLS_WORKBOOK, make_ole, make_zip


def refused(data: bytes, filename: str, code: str, **kwargs: object) -> UnreadableDocument:
    """Assert that reading ``data`` as ``filename`` is refused with ``code``; return the refusal."""
    with pytest.raises(UnreadableDocument) as info:
        read_document(data, filename, **kwargs)  # type: ignore[arg-type]
    assert info.value.code == code, str(info.value)
    assert str(info.value)
    return info.value


def tables(doc: DocText) -> list[Table]:
    """Return the document's tables in order."""
    return [b for b in doc.blocks if isinstance(b, Table)]


def texts(doc: DocText) -> list[str]:
    """Return the document's paragraph texts in order."""
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


# ---------------------------------------------------------------------------------------------
# Plain text and pasted text


def test_txt_one_paragraph_per_non_empty_line_with_crlf() -> None:
    doc = read_document("  第一行 \r\n\r\n第二行\r\n\u3000第三行\u3000\n".encode(), "a.txt")
    assert doc.source_format == "txt"
    assert doc.blocks == (Paragraph("第一行"), Paragraph("第二行"), Paragraph("第三行"))


@pytest.mark.parametrize(
    "data",
    [
        "一、强化党建统领\n".encode(),
        b"\xef\xbb\xbf" + "一、强化党建统领\n".encode(),
        "\ufeff一、强化党建统领\n".encode("utf-16-le").replace(b"\xff\xfe", b"\xff\xfe", 1),
        "\ufeff一、强化党建统领\n".encode("utf-16-be"),
        "一、强化党建统领\n".encode("gb18030"),
        "一、强化党建统领\n".encode("gbk"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "gb18030", "gbk"],
)
def test_txt_encodings(data: bytes) -> None:
    assert read_document(data, "a.txt").blocks == (Paragraph("一、强化党建统领"),)


@pytest.mark.parametrize("data", [b"\x81\x20\xff\xfeabc" * 3, b"\x80\x80\x80", b"\xff\xff"])
def test_undecodable_text_is_refused(data: bytes) -> None:
    err = refused(data, "a.txt", "encoding")
    assert "UTF-8" in str(err)


def test_utf16_without_a_bom_is_recognised() -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        assert read_document("一、党建\r\nab\n".encode(encoding), "a.txt").blocks == (
            Paragraph("一、党建"), Paragraph("ab")
        )


@pytest.mark.parametrize("ext", [".txt", ".tsv"])
def test_binary_files_named_as_text_are_refused(ext: str) -> None:
    for data in (seed004_docx(), text_pdf(["一"]), bytes(range(256)), b"text with a NUL\x00 inside"):
        assert "不是纯文本" in str(refused(data, "a" + ext, "mismatch"))


def test_tab_lines_are_one_padded_table_and_a_blank_line_ends_it() -> None:
    text = "标题\n主要任务\t具体工作\t时间\n一、党建\t1. 学习\n\t2. 指引\t全年\n\n正文\na\tb\n"
    doc = read_pasted(text)
    assert doc.blocks == (
        Paragraph("标题"),
        Table((("主要任务", "具体工作", "时间"), ("一、党建", "1. 学习", ""), ("", "2. 指引", "全年"))),
        Paragraph("正文"),
        Table((("a", "b"),)),
    )


def test_markdown_headings_pipe_tables_and_list_markers() -> None:
    text = (
        "# 绍兴市人民政府办公室文件\n"
        "## 一、加快专业化建设 ##\n"
        "- 附件：1. 工作要点\n"
        "* 第二项\n"
        "1. 编号保留\n"
        "| 任务 | 单位 |\n"
        "|:---|---:|\n"
        "| 开展 a\\|b | 省民政厅 |\n"
        "| 只有一格 |\n"
        "#不是标题\n"
    )
    doc = read_pasted(text)
    assert doc.blocks == (
        Paragraph("绍兴市人民政府办公室文件", heading_level=1),
        Paragraph("一、加快专业化建设", heading_level=2),
        Paragraph("附件：1. 工作要点"),
        Paragraph("第二项"),
        Paragraph("1. 编号保留"),
        Table((("任务", "单位"), ("开展 a|b", "省民政厅"), ("只有一格", ""))),
        Paragraph("#不是标题"),
    )


def test_seed004_text_reads_both_table_parts() -> None:
    doc = read_document(SEED004_SOURCE.read_bytes(), "source.txt")
    first, second = tables(doc)
    assert first.rows[0] == second.rows[0] == ("主要任务", "具体工作", "完成时间节点", "责任单位")
    assert first.rows + second.rows[1:] == seed004_task_grid()
    assert texts(doc)[0] == "浙江省清廉社会组织建设工作专班"
    assert "附件：1. 2024年全省清廉社会组织建设工作要点" in texts(doc)  # the "- " marker stripped
    assert texts(doc)[-1].startswith("省委组织部、省发展改革委")


def test_tsv_is_one_table() -> None:
    data = "主要任务\t序号\t具体工作\r\n一、党建\t1\t学习\n\n\t2\n".encode()
    doc = read_document(data, "tasks.TSV")
    assert doc.source_format == "tsv"
    assert doc.blocks == (Table((("主要任务", "序号", "具体工作"), ("一、党建", "1", "学习"), ("", "2", ""))),)


def test_pasted_text_is_read_like_a_txt_file() -> None:
    text = "# 工作要点\r\n一、党建\t牵头\n"
    assert read_pasted(text).blocks == read_document(text.encode(), "x.txt").blocks
    with pytest.raises(UnreadableDocument) as info:
        read_pasted(" \n\u3000\t\n")
    assert info.value.code == "empty"


# ---------------------------------------------------------------------------------------------
# Seed 004 as Word and Excel


def test_seed004_docx_round_trips_to_the_task_grid_in_body_order() -> None:
    doc = read_document(seed004_docx(), "2024年工作要点.docx")
    assert doc.source_format == "docx"
    (table,) = tables(doc)
    assert table.rows == seed004_task_grid()
    index = doc.blocks.index(table)
    assert doc.blocks[index - 1] == Paragraph("2024 年省清廉社会组织建设工作任务表")
    assert doc.blocks[index + 1 : index + 3] == (
        Paragraph("附件 2"),
        Paragraph("省清廉社会组织建设工作专班 成员单位名单"),
    )
    assert texts(doc)[:2] == ["浙江省清廉社会组织建设工作专班", "〔2024〕4号"]


def test_seed004_docx_really_merges_the_section_cells() -> None:
    xml = zipfile.ZipFile(io.BytesIO(seed004_docx())).read("word/document.xml").decode()
    assert xml.count('<w:vMerge w:val="restart"/>') == 5
    assert xml.count("<w:vMerge/>") == 12
    assert xml.count("<w:tbl>") == 1


def test_seed004_xlsx_round_trips_to_the_task_grid() -> None:
    doc = read_document(seed004_xlsx(), "任务表.xlsx")
    assert doc == DocText(blocks=(Table(seed004_task_grid()),), source_format="xlsx")


# ---------------------------------------------------------------------------------------------
# Refusals


@pytest.mark.parametrize("filename", ["a.docx", "a.xlsx", "a.pdf", "a.txt", "a.tsv"])
@pytest.mark.parametrize("data", [b"", b"  \r\n\t "])
def test_empty_or_blank_files_are_refused(filename: str, data: bytes) -> None:
    err = refused(data, filename, "empty")
    assert "为空" in str(err)


@pytest.mark.parametrize("filename", ["a.txt", "a.tsv"])
@pytest.mark.parametrize("data", ["\u3000\n".encode(), " \t\n".encode("utf-16"), b"\t\t\n\t"])
def test_text_files_of_blank_characters_are_refused(filename: str, data: bytes) -> None:
    refused(data, filename, "empty")


@pytest.mark.parametrize("filename", ["计划.doc", "计划.xls", "计划.wps", "计划.ET"])
def test_legacy_formats_are_refused_with_a_save_as_hint(filename: str) -> None:
    data = make_ole({"WordDocument": DOC_STREAM}) if filename.endswith("doc") else b"anything"
    err = refused(data, filename, "legacy")
    assert "请另存为 .docx/.xlsx 后再导入" in str(err)


@pytest.mark.parametrize(("filename", "data"), [("a.docx", make_ole({"WordDocument": DOC_STREAM})),
                                                 ("a.xlsx", make_ole({"Workbook": XLS_WORKBOOK}))])
def test_a_legacy_file_renamed_to_the_new_extension_gets_the_same_hint(filename: str, data: bytes) -> None:
    refused(data, filename, "legacy")


@pytest.mark.parametrize("filename", ["计划.pptx", "计划.png", "计划", "计划.md", "计划.csv"])
def test_unsupported_extensions_list_what_is_accepted(filename: str) -> None:
    err = refused("一、党建".encode(), filename, "unsupported")
    assert ".docx .xlsx .pdf .txt .tsv" in str(err)


def test_content_that_is_not_what_the_name_says() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert "Word" in str(refused(png, "计划.docx", "mismatch"))
    assert "PDF" in str(refused("一、强化党建统领".encode(), "计划.pdf", "mismatch"))
    refused(seed004_xlsx(), "计划.docx", "mismatch")
    refused(make_zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}), "计划.docx", "mismatch")
    refused(make_ole({"PowerPoint Document": b"\x00" * 10}), "计划.xlsx", "mismatch")
    refused(seed004_docx(), "计划.pdf", "mismatch")


def test_macro_documents_are_refused_by_the_office_checks() -> None:
    refused(seed004_docx(), "计划.docm", "macro")
    refused(seed004_xlsx(), "计划.xlsm", "macro")
    with zipfile.ZipFile(io.BytesIO(seed004_docx())) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    members["word/vbaProject.bin"] = b"\x00" * 100
    refused(make_zip(members), "计划.docx", "macro")


def test_zip_bomb_is_refused_by_the_office_checks() -> None:
    refused(seed004_docx(), "a.docx", "zip_bomb", limits=UploadLimits(max_zip_entries=3))


@pytest.mark.parametrize("filename", ["a.docx", "a.xlsx"])
def test_password_protected_office_files_are_refused(filename: str) -> None:
    data = make_ole({"EncryptionInfo": b"\x04", "EncryptedPackage": b"\x00"})
    assert "密码" in str(refused(data, filename, "encrypted"))


def test_scanned_pdf_is_refused() -> None:
    err = refused(scanned_pdf(), "扫描件.pdf", "no_text")
    assert str(err).startswith("PDF中没有可提取的文字，可能是扫描件")


def test_pdf_text_layer_is_read() -> None:
    doc = read_document(text_pdf(["浙江省清廉社会组织建设工作专班", "一、强化党建统领"]), "a.pdf")
    assert doc == DocText(
        blocks=(Paragraph("浙江省清廉社会组织建设工作专班"), Paragraph("一、强化党建统领")), source_format="pdf"
    )


# ---------------------------------------------------------------------------------------------
# No crash on any input


def _samples() -> dict[str, bytes]:
    return {
        ".docx": seed004_docx(),
        ".xlsx": seed004_xlsx(),
        ".pdf": text_pdf(["一、强化党建统领", "主要任务\t具体工作\t单位"]),
        ".txt": SEED004_SOURCE.read_bytes(),
    }


def _read_or_refuse(data: bytes, filename: str) -> None:
    """Read ``data``: a non-empty DocText or an UnreadableDocument with a code and a message, nothing else."""
    try:
        doc = read_document(data, filename)
    except UnreadableDocument as err:
        code, message = err.code, str(err)
        assert code.isascii()
        assert message
    else:
        assert not doc.is_empty


def test_fuzz_truncated_and_mutated_documents_never_crash() -> None:
    rng = random.Random(11)
    for ext, data in _samples().items():
        cuts = sorted({rng.randrange(1, len(data)) for _ in range(25)} | {len(data) // 2, len(data) - 1})
        for cut in cuts:
            _read_or_refuse(data[:cut], "x" + ext)
        for _ in range(25):
            mutated = bytearray(data)
            for _ in range(rng.randrange(1, 20)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            _read_or_refuse(bytes(mutated), "x" + ext)


@pytest.mark.parametrize("ext", [".docx", ".xlsx", ".pdf", ".txt", ".tsv", ".doc", ".zip", ""])
def test_fuzz_random_bytes_with_each_extension_never_crash(ext: str) -> None:
    rng = random.Random(ext)
    prefixes = [b"", b"PK\x03\x04", b"%PDF-1.7\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf"]
    for prefix in prefixes:
        for size in (1, 7, 100, 3000):
            _read_or_refuse(prefix + rng.randbytes(size), "随机" + ext)
