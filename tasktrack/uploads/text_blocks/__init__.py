"""Received documents as text blocks: the first step of the import pipeline (file → ``DocText``).

``read_document`` reads a received file by its extension, after the upload checks (``check_upload``: magic bytes,
zip-bomb and macro checks, encrypted Office files) have looked at its bytes; ``read_pasted`` reads text pasted into
a form the way a .txt file is read. One module per format: docx_reader.py, xlsx_reader.py, pdf_reader.py and
plain.py (.txt, .tsv, pasted text). Every refusal is an ``UnreadableDocument`` (errors.py) with a short ``code`` and
a Chinese message; no input makes these functions raise anything else.

Accepted: .docx .xlsx .pdf .txt .tsv. Legacy .doc/.xls/.wps are refused with a "save as" hint, macro documents
(.docm, .xlsm, a vbaProject.bin inside) by the office checks.
"""

from __future__ import annotations

import warnings

from tasktrack.domain.doc_blocks import DocText
from tasktrack.uploads.kinds import DEFAULT_LIMITS, MACRO_EXTENSIONS, FileRejected, UploadLimits, macro_refusal
from tasktrack.uploads.names import clean_filename, split_ext
from tasktrack.uploads.sniffing import check_upload
from tasktrack.uploads.text_blocks import errors
from tasktrack.uploads.text_blocks.docx_reader import read_docx
from tasktrack.uploads.text_blocks.errors import UnreadableDocument
from tasktrack.uploads.text_blocks.pdf_reader import read_pdf
from tasktrack.uploads.text_blocks.plain import decode_text, read_text, read_tsv
from tasktrack.uploads.text_blocks.xlsx_reader import read_xlsx

__all__ = ["UnreadableDocument", "read_document", "read_pasted"]

# Kinds check_upload may detect here: what we read, plus the legacy kinds so that a renamed .doc is named as such.
_CHECKED_KINDS = frozenset({"docx", "xlsx", "pdf", "doc", "xls"})
_CONTAINER_SUFFIXES = {".docx": "docx", ".xlsx": "xlsx", ".pdf": "pdf"}


def read_document(data: bytes, filename: str, *, limits: UploadLimits | None = None) -> DocText:
    """Read a received file as paragraphs and tables, or raise ``UnreadableDocument``."""
    try:
        name = clean_filename(filename)
    except FileRejected as exc:
        raise UnreadableDocument(exc.code, str(exc)) from exc
    ext = split_ext(name)[1].lower()
    if not data.strip():
        raise errors.empty(name)
    if ext in MACRO_EXTENSIONS:
        refusal = macro_refusal(name)
        raise UnreadableDocument(refusal.code, str(refusal))
    if ext in errors.LEGACY_SUFFIXES:
        raise errors.legacy(name, ext)
    if ext in _CONTAINER_SUFFIXES:
        doc = _read_container(data, name, ext, limits or DEFAULT_LIMITS)
    elif ext in (".txt", ".tsv"):
        if len(data) > (limits or DEFAULT_LIMITS).max_bytes:
            raise errors.too_large(name, "超过上传大小上限")
        text = decode_text(data, name)
        doc = read_tsv(text) if ext == ".tsv" else read_text(text)
    else:
        raise errors.unsupported(name, ext)
    if doc.is_empty:
        raise errors.empty(name)
    return doc


def read_pasted(text: str) -> DocText:
    """Read text pasted into a form as a .txt file is read, or raise ``UnreadableDocument`` when it is blank."""
    doc = read_text(text.lstrip("\ufeff"))
    if doc.is_empty:
        raise UnreadableDocument("empty", "粘贴的内容为空，没有可导入的文字")
    return doc


def _read_container(data: bytes, name: str, ext: str, limits: UploadLimits) -> DocText:
    """Check a .docx/.xlsx/.pdf with the upload checks, then read it with its format's reader."""
    expected = _CONTAINER_SUFFIXES[ext]
    kind = _checked_kind(data, name, ext, expected, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it drops
            if kind == "docx":
                return read_docx(data)
            if kind == "xlsx":
                return read_xlsx(data, name)
            return read_pdf(data, name)
    except UnreadableDocument:
        raise
    except Exception as exc:  # hostile bytes: any parser failure means "cannot be read"
        raise errors.corrupt(name) from exc


def _checked_kind(data: bytes, name: str, ext: str, expected: str, limits: UploadLimits) -> str:
    """Return the kind the upload checks find, or raise (a renamed legacy file gets the "save as" hint)."""
    try:
        return check_upload(name, data, allowed=_CHECKED_KINDS, limits=limits).kind
    except FileRejected as exc:
        rejection = exc
    try:
        # Without the extension: if this passes, the content is fine and only the extension disagrees.
        kind = check_upload(split_ext(name)[0], data, allowed=_CHECKED_KINDS, limits=limits).kind
    except FileRejected:
        raise errors.from_rejection(name, ext, expected, _CHECKED_KINDS, rejection) from rejection
    if kind in ("doc", "xls"):
        raise errors.legacy(name, "." + kind)
    raise errors.mismatch(name, ext, expected)
