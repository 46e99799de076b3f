"""Tests for upload checking (tasktrack.uploads.sniffing) and file storage (tasktrack.uploads.storage).

Every sample file is built here: a hand-written PDF, DOCX/XLSX from python-docx/openpyxl or
zipfile, PNG/JPEG from Pillow, and legacy DOC/XLS from a minimal compound-file writer below.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import stat
import struct
import sys
import zipfile
import zlib

import docx
import openpyxl
import pytest
from PIL import Image

from tasktrack.uploads.headers import content_disposition
from tasktrack.uploads.kinds import ALL_KINDS, CONTENT_TYPES, CheckedFile, FileRejected, UploadLimits
from tasktrack.uploads.names import clean_filename
from tasktrack.uploads.sniffing import check_upload
from tasktrack.uploads.storage import FileStorage

# ---------------------------------------------------------------------------------------------
# Sample builders


def make_pdf(text: str = "hello") -> bytes:
    """Build a tiny valid one-page PDF with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def make_docx() -> bytes:
    """Build a real DOCX with python-docx."""
    document = docx.Document()
    document.add_paragraph("浙江省清廉社会组织建设工作专班 2024 年工作总结")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_xlsx() -> bytes:
    """Build a real XLSX with openpyxl."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "单位"
    sheet["B1"] = "进度"
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


DOCX_CT = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCM_CT = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


def make_zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Build a ZIP from name → content."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def minimal_docx(**extra: bytes) -> dict[str, bytes]:
    """Members of a minimal hand-made DOCX, plus ``extra``."""
    members = {
        "[Content_Types].xml": DOCX_CT,
        "word/document.xml": b"<w:document/>",
    }
    members.update(extra)
    return members


def make_png(size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: object) -> bytes:
    """Build a PNG with Pillow."""
    buf = io.BytesIO()
    Image.new(mode, size, "red" if mode != "P" else 1).save(buf, "PNG", **save)
    return buf.getvalue()


def make_jpeg_with_exif(size: tuple[int, int] = (60, 20), orientation: int = 6) -> bytes:
    """Build a JPEG carrying EXIF (orientation, camera make, GPS) and a comment."""
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° CW to display
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0)}  # GPS IFD
    buf = io.BytesIO()
    Image.new("RGB", size, "blue").save(buf, "JPEG", exif=exif, comment=b"private note")
    return buf.getvalue()


def png_header_claiming(width: int, height: int) -> bytes:
    """Build a tiny PNG whose IHDR claims ``width`` × ``height`` (no real pixel data)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


# --- a minimal OLE2 compound file writer (version 3, 512-byte sectors, no mini stream) ---------

_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def make_ole(tree: dict[str, object]) -> bytes:
    """Build a compound file from a tree of name → bytes (stream) or dict (storage).

    Streams are padded to 4096 bytes so they live in regular sectors.
    """
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "children": []}]
    streams: list[tuple[int, bytes]] = []

    def add(parent: int, subtree: dict[str, object]) -> None:
        for name, value in subtree.items():
            index = len(entries)
            entries[parent]["children"].append(index)  # type: ignore[union-attr]
            if isinstance(value, dict):
                entries.append({"name": name, "type": 1, "children": []})
                add(index, value)
            else:
                assert isinstance(value, bytes)
                data = value.ljust(4096, b"\x00")
                entries.append({"name": name, "type": 2, "children": [], "size": len(data)})
                streams.append((index, data))

    add(0, tree)
    dir_sectors = (len(entries) + 3) // 4
    fat = [_FATSECT] + [0] * dir_sectors
    for i in range(dir_sectors):
        fat[1 + i] = 2 + i if i < dir_sectors - 1 else _ENDOFCHAIN
    next_sector = 1 + dir_sectors
    body = bytearray()
    for index, data in streams:
        count = len(data) // 512
        entries[index]["start"] = next_sector
        for j in range(count):
            fat.append(next_sector + j + 1 if j < count - 1 else _ENDOFCHAIN)
        next_sector += count
        body += data
    assert len(fat) <= 128, "test OLE builder supports one FAT sector only"
    fat += [_FREESECT] * (128 - len(fat))

    directory = bytearray()
    for entry in entries:
        kids = entry["children"]
        name = str(entry["name"]).encode("utf-16-le") + b"\x00\x00"
        raw = bytearray(128)
        raw[0 : len(name)] = name
        struct.pack_into("<HBB", raw, 64, len(name), entry["type"], 1)
        struct.pack_into("<III", raw, 68, _NOSTREAM, _NOSTREAM, kids[0] if kids else _NOSTREAM)
        struct.pack_into("<II", raw, 116, entry.get("start", _ENDOFCHAIN), entry.get("size", 0))
        directory += raw
        # Siblings: a right-leaning chain (enough for readers; not a balanced red-black tree).
        for a, b in itertools.pairwise(kids):
            entries[a]["right"] = b
    for i, entry in enumerate(entries):
        if "right" in entry:
            struct.pack_into("<I", directory, i * 128 + 72, entry["right"])
    directory = directory.ljust(dir_sectors * 512, b"\x00")
    for i in range(len(entries), dir_sectors * 4):  # unused entries: no siblings/child
        struct.pack_into("<III", directory, i * 128 + 68, _NOSTREAM, _NOSTREAM, _NOSTREAM)

    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 44, 1, 1, 0, 4096)  # FAT sectors, first dir sector, tx, cutoff
    struct.pack_into("<IIII", header, 60, _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
    struct.pack_into("<I", header, 76, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, _FREESECT)
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory) + bytes(body)


def biff_record(rtype: int, body: bytes = b"") -> bytes:
    """One BIFF8 record."""
    return struct.pack("<HH", rtype, len(body)) + body


def boundsheet(name: str, sheet_type: int) -> bytes:
    """A BOUNDSHEET8 record for a sheet of ``sheet_type`` (0 worksheet, 1 XLM macro sheet)."""
    raw = name.encode("latin-1")
    return biff_record(0x0085, struct.pack("<IBB", 0, 0, sheet_type) + bytes([len(raw), 0]) + raw)


BOF = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
XLS_WORKBOOK = BOF + boundsheet("Sheet1", 0) + biff_record(0x000A)
DOC_STREAM = b"\xec\xa5" + b"\x00" * 62  # WordDocument starts with the FIB magic wIdent


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


def rejected(name: str, data: bytes, code: str, **kwargs: object) -> FileRejected:
    """Assert that the upload is rejected with ``code`` and return the exception."""
    with pytest.raises(FileRejected) as exc:
        check_upload(name, data, **kwargs)  # type: ignore[arg-type]
    assert exc.value.code == code, str(exc.value)
    assert isinstance(exc.value, ValueError)
    return exc.value


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


# ---------------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\张三\\桌面\\总结.pdf", "总结.pdf"),
        ("/abs/path/报告.pdf", "报告.pdf"),
        ("a\x00.pdf", "a.pdf"),
        ("a\r\nb.pdf", "ab.pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("...hidden.pdf", "hidden.pdf"),
        ("  报告.pdf  ", "报告.pdf"),
        ("报告.pdf.", "报告.pdf"),
        ("a:b*c?.pdf", "abc.pdf"),
        ("e\u0301.pdf", "\u00e9.pdf"),
        ("CON.pdf", "CON.pdf"),
        ("报告.pdf", "报告.pdf"),
    ],
)
def test_clean_filename(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


@pytest.mark.parametrize("raw", ["", " ", "..", ".", ".pdf", "..pdf", "a/..", "a/", "\x00", "\u202e", "/"])
def test_clean_filename_rejects(raw: str) -> None:
    with pytest.raises(FileRejected) as exc:
        clean_filename(raw)
    assert exc.value.code == "name"


def test_long_name_capped_keeping_extension() -> None:
    name = clean_filename("长" * 300 + ".pdf")
    assert len(name) == 120
    assert name.endswith(".pdf")
    assert len(clean_filename("a" * 300)) == 120


def test_traversal_names_in_check_upload() -> None:
    rejected("../../etc/passwd.pdf", make_pdf(), "name")
    rejected("..\\..\\a.pdf", make_pdf(), "name")
    rejected("reports/../../a.pdf", make_pdf(), "name")
    assert check_upload("C:\\Users\\张三\\桌面\\总结.pdf", make_pdf()).original_name == "总结.pdf"
    rejected("..", make_pdf(), "name")
    rejected(".pdf", make_pdf(), "name")


def test_name_checked_before_content() -> None:
    rejected(".pdf", b"", "name")


# ---------------------------------------------------------------------------------------------
# Images


def test_image_over_pixel_cap_from_header() -> None:
    data = png_header_claiming(30_000, 30_000)
    err = rejected("巨图.png", data, "pixels")
    assert "30000×30000" in str(err)


def test_image_over_small_cap() -> None:
    rejected("图.png", make_png((100, 100)), "pixels", limits=UploadLimits(max_image_pixels=5_000))
    buf = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buf, "JPEG")
    rejected("图.jpg", buf.getvalue(), "pixels", limits=UploadLimits(max_image_pixels=5_000))


@pytest.mark.parametrize("side", [10_000, 20_000])  # Pillow warns above ~89 Mpx, raises above ~179 Mpx
def test_pillow_bomb_check_does_not_escape(side: int) -> None:
    data = png_header_claiming(side, side)
    rejected("图.png", data, "pixels", limits=UploadLimits(max_image_pixels=10**9))


def test_reencode_strips_exif_and_applies_orientation() -> None:
    data = make_jpeg_with_exif((60, 20), orientation=6)
    assert b"SecretCam" in data
    result = check_upload("照片.jpg", data)
    assert b"SecretCam" not in result.data
    assert b"private note" not in result.data
    assert b"Exif" not in result.data
    with Image.open(io.BytesIO(result.data)) as im:
        assert im.size == (20, 60)  # rotated as the orientation tag said
        assert not im.getexif()
        assert "comment" not in im.info


def test_png_text_chunks_stripped_transparency_kept() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13800000000")
    data = make_png((8, 8), mode="P", pnginfo=info, transparency=0)
    result = check_upload("图.png", data)
    assert "张三".encode() not in result.data
    assert b"Author" not in result.data
    with Image.open(io.BytesIO(result.data)) as im:
        assert im.info.get("transparency") == 0


def test_truncated_images() -> None:
    buf = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(buf, "JPEG")
    jpeg = buf.getvalue()
    rejected("图.jpg", jpeg[: len(jpeg) // 2], "truncated")
    png = make_png((200, 200))
    rejected("图.png", png[:60], "truncated")


# ---------------------------------------------------------------------------------------------
# Content-Disposition


def test_content_disposition_chinese() -> None:
    value = content_disposition("关于第三季度工作进展的报告.docx")
    assert value.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E5%85%B3%E4%BA%8E" in value
    value.encode("latin-1")  # header-safe
    fallback = re.search(r'filename="([^"]*)"', value)
    assert fallback is not None
    assert fallback.group(1) == "download.docx"


def test_content_disposition_mixed_and_inline() -> None:
    value = content_disposition("浙江省民政厅2024年工作总结.pdf", inline=True)
    assert value.startswith('inline; filename="2024.pdf"; ')
    assert value.endswith(
        "filename*=UTF-8''" + "%E6%B5%99%E6%B1%9F%E7%9C%81%E6%B0%91%E6%94%BF%E5%8E%85"
        "2024%E5%B9%B4%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93.pdf"
    )


def test_content_disposition_hostile_name() -> None:
    value = content_disposition('a"b\\c\r\nSet-Cookie: x=1;.pdf')
    assert "\r" not in value
    assert "\n" not in value
    fallback = re.search(r'filename="([^"]*)"; filename\*=', value)
    assert fallback is not None
    assert '"' not in fallback.group(1)
    assert "\\" not in fallback.group(1)


# ---------------------------------------------------------------------------------------------
# Storage

KEY_RE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]+)?")


def test_storage_round_trip(tmp_path: os.PathLike[str]) -> None:
    storage = FileStorage(os.path.join(tmp_path, "uploads"))
    key = storage.store(b"hello")
    assert KEY_RE.fullmatch(key)
    assert key[:2] == key[3:5]
    assert storage.exists(key)
    with storage.open(key) as fh:
        assert fh.read() == b"hello"
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # missing is fine
    with pytest.raises(FileNotFoundError):
        storage.open(key)


def test_storage_keys_contain_no_user_text(tmp_path: os.PathLike[str]) -> None:
    storage = FileStorage(tmp_path)
    checked = check_upload("浙江省民政厅2024年工作总结.pdf", make_pdf())
    key = storage.store(checked.data, extension=checked.extension)
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}\.pdf", key)
    stored = storage.path(key)
    assert stored.parent.parent == storage.root
    assert all(ord(ch) < 128 for ch in str(stored.relative_to(storage.root)))
    keys = {storage.store(b"x") for _ in range(20)}
    assert len(keys) == 20


def test_storage_extension_validated(tmp_path: os.PathLike[str]) -> None:
    storage = FileStorage(tmp_path)
    for bad in ["pdf", "./x", ".PDF", "../x", ".p/f", ".toolongext"]:
        with pytest.raises(ValueError, match="extension"):
            storage.store(b"x", extension=bad)


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "ab/../../etc/passwd",
        "/etc/passwd",
        "ab/" + "0" * 31,
        "AB/" + "A" * 32,
        "ab\\" + "0" * 32,
        "ab/" + "0" * 32 + "/",
        "ab/" + "0" * 32 + "\n",
        "ab/" + "0" * 32 + ".pdf/../x",
        "",
    ],
)
def test_storage_path_rejects_bad_keys(tmp_path: os.PathLike[str], key: str) -> None:
    storage = FileStorage(tmp_path)
    with pytest.raises(ValueError, match="key"):
        storage.path(key)
    with pytest.raises(ValueError, match="key"):
        storage.delete(key)
    with pytest.raises(ValueError, match="key"):
        storage.exists(key)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_storage_permissions(tmp_path: os.PathLike[str]) -> None:
    root = os.path.join(tmp_path, "new", "uploads")
    storage = FileStorage(root)
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    key = storage.store(b"secret")
    assert stat.S_IMODE(os.stat(storage.path(key)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(storage.path(key).parent).st_mode) == 0o700
    # No temporary file is left behind.
    assert os.listdir(storage.path(key).parent) == [os.path.basename(key)]


def test_storage_refuses_web_served_root(tmp_path: os.PathLike[str]) -> None:
    with pytest.raises(ValueError, match="web-served"):
        FileStorage(os.path.join(tmp_path, "tasktrack", "static", "uploads"))
    web = os.path.join(tmp_path, "site")
    with pytest.raises(ValueError, match="web-served"):
        FileStorage(os.path.join(web, "files"), web_roots=[web])
    FileStorage(os.path.join(tmp_path, "instance", "uploads"), web_roots=[web])
