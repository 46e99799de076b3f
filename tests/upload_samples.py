"""Sample files for the upload tests, each built here: a hand-written PDF, DOCX/XLSX from python-docx/openpyxl or
zipfile, PNG/JPEG from Pillow, and legacy DOC/XLS from a minimal compound-file writer."""

from __future__ import annotations

import io
import itertools
import struct
import zipfile
import zlib

import docx
import openpyxl
import pytest
from PIL import Image

from tasktrack.uploads.kinds import FileRejected
from tasktrack.uploads.sniffing import check_upload
from tests.plan_docs import pdf_of


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
    return pdf_of(objects)


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


def rejected(name: str, data: bytes, code: str, **kwargs: object) -> FileRejected:
    """Assert that the upload is rejected with ``code`` and return the exception."""
    with pytest.raises(FileRejected) as exc:
        check_upload(name, data, **kwargs)  # type: ignore[arg-type]
    assert exc.value.code == code, str(exc.value)
    assert isinstance(exc.value, ValueError)
    return exc.value
