"""Upload checking (tasktrack.uploads.sniffing): accepted kinds, spoofed and refused types, PDF structure, macros,
zip bombs and size. The sample files are built in tests/upload_samples.py."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from PIL import Image

from tasktrack.uploads.kinds import ALL_KINDS, CONTENT_TYPES, CheckedFile, FileRejected, UploadLimits
from tasktrack.uploads.sniffing import check_upload
from tests.upload_samples import (
    BOF,
    DOC_STREAM,
    DOCM_CT,
    XLS_WORKBOOK,
    biff_record,
    boundsheet,
    make_docx,
    make_ole,
    make_pdf,
    make_png,
    make_xlsx,
    make_zip,
    minimal_docx,
    rejected,
)

# ---------------------------------------------------------------------------------------------
# Accepted kinds


def assert_checked(result: CheckedFile, kind: str, name: str) -> None:
    """Common assertions on an accepted file."""
    assert result.kind == kind
    assert result.original_name == name
    assert result.content_type == CONTENT_TYPES[kind]
    assert result.size == len(result.data)
    assert result.sha256 == hashlib.sha256(result.data).hexdigest()


def test_pdf_accepted_with_chinese_name() -> None:
    data = make_pdf()
    result = check_upload("浙江省民政厅2024年工作总结.pdf", data)
    assert_checked(result, "pdf", "浙江省民政厅2024年工作总结.pdf")
    assert result.data == data
    assert result.extension == ".pdf"


def test_docx_accepted() -> None:
    data = make_docx()
    result = check_upload("关于第三季度工作进展的报告.docx", data)
    assert_checked(result, "docx", "关于第三季度工作进展的报告.docx")
    assert result.data == data
    assert result.extension == ".docx"


def test_xlsx_accepted() -> None:
    data = make_xlsx()
    result = check_upload("各市进度汇总表.XLSX", data)
    assert_checked(result, "xlsx", "各市进度汇总表.XLSX")
    assert result.extension == ".xlsx"


def test_doc_accepted() -> None:
    data = make_ole({"WordDocument": DOC_STREAM, "1Table": b"\x00" * 16})
    result = check_upload("旧版通知.doc", data)
    assert_checked(result, "doc", "旧版通知.doc")
    assert result.content_type == "application/msword"


def test_xls_accepted() -> None:
    data = make_ole({"Workbook": XLS_WORKBOOK})
    result = check_upload("旧版台账.xls", data)
    assert_checked(result, "xls", "旧版台账.xls")
    assert result.content_type == "application/vnd.ms-excel"


def test_png_accepted_and_reencoded() -> None:
    data = make_png()
    result = check_upload("现场照片.png", data)
    assert_checked(result, "png", "现场照片.png")
    with Image.open(io.BytesIO(result.data)) as im:
        assert im.format == "PNG"
        assert im.size == (40, 30)


@pytest.mark.parametrize("name", ["会议现场.jpg", "会议现场.jpeg", "会议现场.JPG"])
def test_jpeg_accepted(name: str) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(buf, "JPEG")
    result = check_upload(name, buf.getvalue())
    assert_checked(result, "jpeg", name)
    assert result.extension == ".jpg"
    assert result.data.startswith(b"\xff\xd8\xff")


def test_missing_extension_gets_canonical_one() -> None:
    assert check_upload("工作总结", make_pdf()).original_name == "工作总结.pdf"
    assert check_upload("照片", make_png()).original_name == "照片.png"
    # A dot followed by digits or Chinese is part of the name, not an extension.
    assert check_upload("方案v1.2", make_docx()).original_name == "方案v1.2.docx"
    assert check_upload("第1.2版", make_pdf()).original_name == "第1.2版.pdf"


def test_allowed_subset() -> None:
    with pytest.raises(FileRejected) as exc:
        check_upload("总结.pdf", make_pdf(), allowed={"png", "jpeg"})
    assert exc.value.code == "type"
    assert "图片" in str(exc.value)
    assert "PDF" not in str(exc.value).split("：")[0]
    assert check_upload("图.png", make_png(), allowed={"png", "jpeg"}).kind == "png"
    with pytest.raises(FileRejected, match="Word") as exc:
        check_upload("表.xlsx", make_xlsx(), allowed={"docx"})
    assert exc.value.code == "type"


def test_all_kinds() -> None:
    assert sorted(ALL_KINDS) == ["doc", "docx", "jpeg", "pdf", "png", "xls", "xlsx"]


# ---------------------------------------------------------------------------------------------
# Type spoofing and refused types


def test_exe_renamed_pdf() -> None:
    err = rejected("恶意.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "type")
    assert str(err) == "文件内容不是允许的类型（PDF、Word、Excel、图片）：恶意.pdf"


def test_elf_renamed_pdf() -> None:
    rejected("a.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "type")


def test_html_renamed_pdf() -> None:
    rejected("报告.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "type")


def test_svg_rejected() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    rejected("图.svg", svg, "type")
    rejected("图.png", svg, "type")
    rejected("图.png", b'<?xml version="1.0"?>' + svg, "type")


@pytest.mark.parametrize(
    "data",
    [
        b"just some text\n",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"{\\rtf1\\ansi hello}",
    ],
)
def test_other_types_rejected(data: bytes) -> None:
    rejected("文件.pdf", data, "type")


def test_real_pdf_named_docx() -> None:
    err = rejected("总结.docx", make_pdf(), "type")
    assert "扩展名" in str(err)


def test_png_named_docx() -> None:
    rejected("总结.docx", make_png(), "type")


def test_docx_named_xlsx_and_doc() -> None:
    rejected("总结.xlsx", make_docx(), "type")
    rejected("总结.doc", make_docx(), "type")


def test_double_extension_exe() -> None:
    rejected("x.pdf.exe", make_pdf(), "type")


def test_plain_zip_rejected() -> None:
    rejected("资料.docx", make_zip({"readme.txt": b"hi"}), "type")


def test_zip_with_traversal_member_rejected() -> None:
    rejected("a.docx", make_zip(minimal_docx(**{"../../evil.txt": b"x"})), "type")
    rejected("a.docx", make_zip(minimal_docx(**{"/etc/cron.d/x": b"x"})), "type")


def test_truncated_docx() -> None:
    data = make_docx()
    rejected("a.docx", data[: len(data) // 2], "truncated")


def test_ole_that_is_neither_doc_nor_xls() -> None:
    rejected("a.doc", make_ole({"PowerPoint Document": b"\x00" * 10}), "type")


def test_encrypted_ooxml_rejected() -> None:
    err = rejected("a.docx", make_ole({"EncryptionInfo": b"\x04", "EncryptedPackage": b"\x00"}), "type")
    assert "密码" in str(err)


def test_garbage_after_ole_magic() -> None:
    rejected("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 3000, "truncated")
    rejected("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "truncated")


# ---------------------------------------------------------------------------------------------
# PDF structure


def test_truncated_pdf() -> None:
    data = make_pdf()
    rejected("a.pdf", data[: len(data) - 20], "truncated")


def test_pdf_magic_must_be_at_offset_zero() -> None:
    rejected("a.pdf", b"\n" + make_pdf(), "type")


# ---------------------------------------------------------------------------------------------
# Macros


def test_docm_vba_project_rejected() -> None:
    data = make_zip(minimal_docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}))
    rejected("伪装.docx", data, "macro")


def test_vba_project_anywhere_rejected() -> None:
    data = make_zip(minimal_docx(**{"customXml/VBAPROJECT.BIN": b"x"}))
    rejected("a.docx", data, "macro")


def test_macro_enabled_content_type_rejected() -> None:
    members = minimal_docx()
    members["[Content_Types].xml"] = DOCM_CT
    rejected("a.docx", make_zip(members), "macro")


def test_macro_extension_rejected() -> None:
    err = rejected("宏.docm", make_docx(), "macro")
    assert "宏" in str(err)
    rejected("宏.xlsm", make_xlsx(), "macro")


def test_xlsx_macro_sheet_rejected() -> None:
    members = {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b"<workbook/>",
        "xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>",
    }
    rejected("a.xlsx", make_zip(members), "macro")


def test_doc_with_vba_rejected() -> None:
    tree = {"WordDocument": DOC_STREAM, "Macros": {"VBA": {"dir": b"\x01"}, "PROJECT": b"ID="}}
    rejected("宏.doc", make_ole(tree), "macro")


def test_xls_with_vba_rejected() -> None:
    tree = {"Workbook": XLS_WORKBOOK, "_VBA_PROJECT_CUR": {"VBA": {"dir": b"\x01"}}}
    rejected("宏.xls", make_ole(tree), "macro")


def test_xls_with_xlm_macro_sheet_rejected() -> None:
    workbook = BOF + boundsheet("Sheet1", 0) + boundsheet("Macro1", 1) + biff_record(0x000A)
    rejected("宏.xls", make_ole({"Workbook": workbook}), "macro")


def test_encrypted_xls_rejected() -> None:
    workbook = BOF + biff_record(0x002F, b"\x01\x00" * 27) + boundsheet("S", 0) + biff_record(0x000A)
    err = rejected("加密.xls", make_ole({"Workbook": workbook}), "type")
    assert "密码" in str(err)


# ---------------------------------------------------------------------------------------------
# Zip bombs


def test_zip_bomb_60_mb_of_zeros() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in minimal_docx().items():
            zf.writestr(name, content)
        with zf.open("word/media/zeros.bin", "w") as fh:
            chunk = bytes(1024 * 1024)
            for _ in range(60):
                fh.write(chunk)
    data = buf.getvalue()
    assert len(data) < 1024 * 1024  # compresses small, so the size limit alone would not catch it
    err = rejected("炸弹.docx", data, "zip_bomb")
    assert "50 MB" in str(err)


def test_zip_ratio_rejected() -> None:
    data = make_zip(minimal_docx(**{"word/media/zeros.bin": bytes(4 * 1024 * 1024)}))
    err = rejected("炸弹.docx", data, "zip_bomb")
    assert "100:1" in str(err)


def test_too_many_entries() -> None:
    extra = {f"word/media/{i}.xml": b"<x/>" for i in range(600)}
    err = rejected("多.docx", make_zip(minimal_docx(**extra)), "zip_bomb")
    assert "500" in str(err)


def test_entries_cap_is_configurable() -> None:
    extra = {f"word/media/{i}.xml": b"<x/>" for i in range(20)}
    data = make_zip(minimal_docx(**extra))
    assert check_upload("a.docx", data).kind == "docx"
    rejected("a.docx", data, "zip_bomb", limits=UploadLimits(max_zip_entries=10))


def test_zip_bomb_detected_before_any_member_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("a member was opened")

    data = make_zip(minimal_docx(**{"word/media/zeros.bin": bytes(60 * 1024 * 1024)}))
    monkeypatch.setattr(zipfile.ZipFile, "open", no_open)
    rejected("a.docx", data, "zip_bomb")


def test_small_repetitive_docx_is_not_a_bomb() -> None:
    # 500 kB of repetitive XML exceeds 100:1 but is below the ratio floor (1 MiB).
    data = make_zip(minimal_docx(**{"word/styles.xml": b"<w:style/>" * 50_000}))
    assert check_upload("a.docx", data).kind == "docx"


# ---------------------------------------------------------------------------------------------
# Size


def test_empty() -> None:
    err = rejected("空.pdf", b"", "empty")
    assert "空" in str(err)


def test_oversized_default_limit() -> None:
    data = make_pdf() + b"\x00" * (20 * 1024 * 1024)
    err = rejected("大.pdf", data, "too_large")
    assert "20 MB" in str(err)


def test_oversized_custom_limit() -> None:
    err = rejected("大.pdf", make_pdf(), "too_large", limits=UploadLimits(max_bytes=100))
    assert "MB" in str(err)
