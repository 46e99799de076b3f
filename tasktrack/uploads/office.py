"""Office documents: a safe OOXML package (DOCX/XLSX) or a legacy OLE file (DOC/XLS) without macros.

The ZIP's end record and central directory are checked for entry count, declared uncompressed size and ratio
*before any member is read*; absolute or ``..`` member names, ``vbaProject.bin`` anywhere, XLM macro sheets
and ``macroEnabled`` content types are refused. In OLE files, VBA storages, Excel 4.0 (XLM) macro sheets and
encrypted workbooks are refused.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Collection

import olefile

from tasktrack.uploads.kinds import FileRejected, UploadLimits, encrypted_refusal, macro_refusal, type_error

# The largest [Content_Types].xml we are willing to read (real ones are a few kB).
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# Central directory bytes allowed per permitted entry (real entries are ~50–150 bytes).
_CD_BYTES_PER_ENTRY = 1024

_BIFF_BOUNDSHEET = 0x0085
_BIFF_FILEPASS = 0x002F
_BIFF_EOF = 0x000A
_BIFF_MACRO_SHEET_TYPES = frozenset({0x01, 0x06})  # XLM macro sheet, VBA module
_OLE_MACRO_STORAGES = frozenset({"macros", "_vba_project_cur", "_vba_project", "vba"})


def _zip_bomb(name: str, detail: str) -> FileRejected:
    """Build the zip-bomb refusal."""
    return FileRejected("zip_bomb", f"文件解压后过大或条目过多（{detail}），无法接收：{name}")


def _precheck_zip_end(name: str, data: bytes, limits: UploadLimits) -> None:
    """Check the ZIP end record's entry count and directory size before ``zipfile`` parses it."""
    tail_start = max(0, len(data) - (22 + 0xFFFF))
    pos = data.rfind(b"PK\x05\x06", tail_start)
    if pos < 0 or pos + 22 > len(data):
        raise FileRejected("truncated", f"文件不完整或已损坏（压缩包缺少目录），请重新上传：{name}")
    entries, cd_size = struct.unpack_from("<HI", data, pos + 10)
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or entries > limits.max_zip_entries:
        raise _zip_bomb(name, f"条目数超过 {limits.max_zip_entries}")
    if cd_size > max(limits.max_zip_entries, 1) * _CD_BYTES_PER_ENTRY:
        raise _zip_bomb(name, "压缩包目录过大")


def _unsafe_member_name(member: str) -> bool:
    """Tell whether a ZIP member name is absolute or climbs out with ``..``."""
    if member.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", member):
        return True
    return ".." in re.split(r"[/\\]", member)


def inspect_zip(name: str, data: bytes, limits: UploadLimits, allowed: Collection[str]) -> str:
    """Return "docx" or "xlsx" for a safe OOXML package, else raise ``FileRejected``."""
    _precheck_zip_end(name, data, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # hostile bytes: any parser failure means "not a usable file"
        raise FileRejected("truncated", f"文件不完整或已损坏，请重新上传：{name}") from exc
    with zf:
        infos = zf.infolist()
        # 1. Sizes, from the central directory only: nothing has been decompressed yet.
        if len(infos) > limits.max_zip_entries:
            raise _zip_bomb(name, f"条目数超过 {limits.max_zip_entries}")
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos)
        if total > limits.max_zip_uncompressed:
            mb = limits.max_zip_uncompressed / (1024 * 1024)
            raise _zip_bomb(name, f"解压后超过 {mb:g} MB")
        if total >= limits.zip_ratio_min_bytes and total > limits.max_zip_ratio * max(packed, 1):
            raise _zip_bomb(name, f"压缩比超过 {limits.max_zip_ratio}:1")
        # 2. Names.
        names = [i.filename for i in infos]
        if any(_unsafe_member_name(n) for n in names):
            raise type_error(name, allowed, "（压缩包内含不安全的路径）")
        lowered = {n.lower() for n in names}
        if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in lowered) or any(
            n.startswith("xl/macrosheets/") for n in lowered
        ):
            raise macro_refusal(name)
        is_docx = "word/document.xml" in names
        is_xlsx = "xl/workbook.xml" in names
        if "[Content_Types].xml" not in names or is_docx == is_xlsx:
            if "encryptedpackage" in lowered:
                raise encrypted_refusal(name)
            raise type_error(name, allowed, "（压缩包不是 Word 或 Excel 文档）")
        # 3. The one member we read, with a byte cap (declared sizes can lie).
        try:
            with zf.open("[Content_Types].xml") as fh:
                content_types = fh.read(_MAX_CONTENT_TYPES_BYTES + 1)
        except Exception as exc:  # bad CRC, corrupt deflate data, unsupported method, encryption…
            raise FileRejected("truncated", f"文件不完整或已损坏，请重新上传：{name}") from exc
        if len(content_types) > _MAX_CONTENT_TYPES_BYTES:
            raise _zip_bomb(name, "[Content_Types].xml 过大")
        if b"macroenabled" in content_types.lower():
            raise macro_refusal(name)
    return "docx" if is_docx else "xlsx"


def _xls_has_macro_sheet(workbook: bytes) -> bool | None:
    """Scan the BIFF globals for macro sheets; ``None`` means the workbook is encrypted."""
    pos = 0
    while pos + 4 <= len(workbook):
        rtype, rlen = struct.unpack_from("<HH", workbook, pos)
        body = workbook[pos + 4 : pos + 4 + rlen]
        if rtype == _BIFF_FILEPASS:
            return None
        if rtype == _BIFF_BOUNDSHEET and len(body) >= 6 and body[5] in _BIFF_MACRO_SHEET_TYPES:
            return True
        if rtype == _BIFF_EOF:
            break
        pos += 4 + rlen
    return False


def inspect_ole(name: str, data: bytes, allowed: Collection[str]) -> str:
    """Return "doc" or "xls" for a legacy Office file without macros, else raise ``FileRejected``."""
    try:
        # A file object, never bytes: olefile treats short bytes as a *path*.
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entries = ole.listdir(streams=True, storages=True)
            parts = {p.lower() for entry in entries for p in entry}
            top = {entry[0].lower() for entry in entries if len(entry) == 1}
            if parts & _OLE_MACRO_STORAGES:
                raise macro_refusal(name)
            is_doc = "worddocument" in top
            is_xls = "workbook" in top or "book" in top
            if is_doc == is_xls:
                if "encryptedpackage" in top:
                    raise encrypted_refusal(name)
                raise type_error(name, allowed, "（不是 Word 或 Excel 文档）")
            if is_doc:
                return "doc"
            stream = "Workbook" if ole.exists("Workbook") else "Book"
            macro_sheet = _xls_has_macro_sheet(ole.openstream(stream).read())
    except FileRejected:
        raise
    except Exception as exc:  # hostile bytes: any parser failure means "not a usable file"
        raise FileRejected("truncated", f"文件不完整或已损坏，请重新上传：{name}") from exc
    if macro_sheet is None:
        raise encrypted_refusal(name)
    if macro_sheet:
        raise macro_refusal(name)
    return "xls"
