"""Deciding what an uploaded file is from its bytes, and refusing anything else.

``check_upload`` is the single entry point. It never trusts the file name's extension or the
client's Content-Type; the order of checks is

1. the name (``clean_filename``: display name only, never used on disk);
2. the size (empty, over ``UploadLimits.max_bytes``);
3. the type by magic bytes (PDF, PNG, JPEG, ZIP → DOCX/XLSX, OLE → DOC/XLS; nothing else);
4. a structural check of that type:

   * PDF: ``%PDF-`` at offset 0 and ``%%EOF`` in the last 1024 bytes;
   * DOCX/XLSX: the ZIP's end record and central directory are checked for entry count, declared
     uncompressed size and ratio *before any member is read*; absolute or ``..`` member names,
     ``vbaProject.bin`` anywhere, XLM macro sheets and ``macroEnabled`` content types are refused;
   * DOC/XLS: VBA storages, Excel 4.0 (XLM) macro sheets and encrypted workbooks are refused;
   * PNG/JPEG: the pixel count is read from the header before decoding, then the image is decoded
     and re-encoded to the same format without metadata (EXIF orientation applied first);

5. the file name's extension must agree with the detected kind (a missing one is appended).

Every refusal is a ``FileRejected`` whose ``str()`` is a Chinese message for the user and whose
``code`` is a short machine-readable reason for the JSON API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection

from tasktrack.uploads.images import reencode_image
from tasktrack.uploads.kinds import (
    ACCEPTED_EXTENSIONS,
    ALL_KINDS,
    CONTENT_TYPES,
    DEFAULT_LIMITS,
    EXTENSIONS,
    KIND_NAMES,
    MACRO_EXTENSIONS,
    CheckedFile,
    FileRejected,
    UploadLimits,
    allowed_description,
    macro_refusal,
    type_error,
)
from tasktrack.uploads.names import cap_length, clean_filename, split_ext
from tasktrack.uploads.office import inspect_ole, inspect_zip

_PDF_MAGIC = b"%PDF-"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_EOF_WINDOW = 1024


def _sniff(data: bytes) -> str | None:
    """Return the family the magic bytes announce: a kind, "zip", "ole" or ``None``."""
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_ZIP_MAGIC):
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    return None


_FAMILY_KINDS = {"zip": frozenset({"docx", "xlsx"}), "ole": frozenset({"doc", "xls"})}


def _check_pdf(name: str, data: bytes) -> None:
    """Refuse a PDF without ``%%EOF`` near its end (a truncated upload)."""
    if b"%%EOF" not in data[-_PDF_EOF_WINDOW:]:
        raise FileRejected("truncated", f"PDF 文件不完整（缺少文件结尾），请重新上传：{name}")


def check_upload(
    filename: str,
    data: bytes,
    *,
    allowed: Collection[str] = ALL_KINDS,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> CheckedFile:
    """Check an upload by its content and return what to store, or raise ``FileRejected``."""
    name = clean_filename(filename)
    if not data:
        raise FileRejected("empty", f"文件为空，请重新选择：{name}")
    if len(data) > limits.max_bytes:
        mb = limits.max_bytes / (1024 * 1024)
        raise FileRejected("too_large", f"文件超过 {mb:g} MB 的大小上限：{name}")

    stem, ext = split_ext(name)
    family = _sniff(data)
    if family is None or not (_FAMILY_KINDS.get(family, frozenset({family})) & set(allowed)):
        raise type_error(name, allowed)
    if family in ("zip", "ole") and ext.lower() in MACRO_EXTENSIONS:
        raise macro_refusal(name)

    if family == "zip":
        kind = inspect_zip(name, data, limits, allowed)
    elif family == "ole":
        kind = inspect_ole(name, data, allowed)
    else:
        kind = family
    if kind not in allowed:
        raise type_error(name, allowed)

    if not ext:
        name = cap_length(stem, EXTENSIONS[kind])
    elif ext.lower() not in ACCEPTED_EXTENSIONS[kind]:
        raise FileRejected(
            "type",
            f"文件扩展名与内容不符（内容是 {KIND_NAMES[kind]}，扩展名是 {ext}），"
            f"允许的类型：{allowed_description(allowed)}：{name}",
        )

    if kind == "pdf":
        _check_pdf(name, data)
        stored = data
    elif kind in ("png", "jpeg"):
        stored = reencode_image(name, data, kind, limits)
    else:
        stored = data
    return CheckedFile(
        original_name=name,
        kind=kind,
        content_type=CONTENT_TYPES[kind],
        extension=EXTENSIONS[kind],
        data=stored,
        size=len(stored),
        sha256=hashlib.sha256(stored).hexdigest(),
    )
