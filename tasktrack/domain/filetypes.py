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
import io
import re
import struct
import unicodedata
import warnings
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import quote

import olefile
from PIL import Image, ImageOps, JpegImagePlugin

ALL_KINDS: frozenset[str] = frozenset({"pdf", "docx", "xlsx", "doc", "xls", "png", "jpeg"})

CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "png": "image/png",
    "jpeg": "image/jpeg",
}

EXTENSIONS: dict[str, str] = {
    "pdf": ".pdf",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "doc": ".doc",
    "xls": ".xls",
    "png": ".png",
    "jpeg": ".jpg",
}

# Extensions a user's file name may carry for each kind (lower case).
_ACCEPTED_EXTENSIONS: dict[str, frozenset[str]] = {
    kind: frozenset({ext}) for kind, ext in EXTENSIONS.items() if kind != "jpeg"
} | {"jpeg": frozenset({".jpg", ".jpeg"})}

_MACRO_EXTENSIONS = frozenset({".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb"})

# Human-readable groups, in the order they are listed in messages.
_KIND_LABELS: tuple[tuple[str, frozenset[str]], ...] = (
    ("PDF", frozenset({"pdf"})),
    ("Word", frozenset({"docx", "doc"})),
    ("Excel", frozenset({"xlsx", "xls"})),
    ("图片", frozenset({"png", "jpeg"})),
)
_KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word",
    "doc": "Word",
    "xlsx": "Excel",
    "xls": "Excel",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
}

MAX_NAME_LENGTH = 120

_PDF_MAGIC = b"%PDF-"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_EOF_WINDOW = 1024

# An extension is a final ".xxx" of 1–10 ASCII letters/digits with at least one letter, so that
# "报告v1.2" or "第1.2版" are names without an extension rather than files of type "2" / "2版".
_EXT_RE = re.compile(r"\.([A-Za-z0-9]{0,9}[A-Za-z][A-Za-z0-9]{0,9})$")
# Characters that are never kept in a display name (besides control/format characters).
_NAME_DROP = frozenset('/\\:*?"<>|')

# The largest [Content_Types].xml we are willing to read (real ones are a few kB).
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# Central directory bytes allowed per permitted entry (real entries are ~50–150 bytes).
_CD_BYTES_PER_ENTRY = 1024

_BIFF_BOUNDSHEET = 0x0085
_BIFF_FILEPASS = 0x002F
_BIFF_EOF = 0x000A
_BIFF_MACRO_SHEET_TYPES = frozenset({0x01, 0x06})  # XLM macro sheet, VBA module
_OLE_MACRO_STORAGES = frozenset({"macros", "_vba_project_cur", "_vba_project", "vba"})


class FileRejected(ValueError):
    """An upload that is refused; ``str(e)`` is the Chinese message, ``code`` the reason."""

    code: str

    def __init__(self, code: str, message: str) -> None:
        """Create a refusal with a machine-readable ``code`` and a message for the user."""
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class UploadLimits:
    """Size limits applied by ``check_upload``."""

    max_bytes: int = 20 * 1024 * 1024
    max_zip_uncompressed: int = 50 * 1024 * 1024
    max_zip_entries: int = 500
    max_zip_ratio: int = 100
    max_image_pixels: int = 40_000_000
    # The ratio check only applies once the declared uncompressed total is at least this large:
    # a 300 kB docx of repetitive XML can legitimately exceed 100:1 and harms nobody.
    zip_ratio_min_bytes: int = 1024 * 1024


DEFAULT_LIMITS = UploadLimits()


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: its display name, detected kind and the bytes to store."""

    original_name: str
    kind: str
    content_type: str
    extension: str
    data: bytes
    size: int
    sha256: str


# ---------------------------------------------------------------------------------------------
# Names


def _split_ext(name: str) -> tuple[str, str]:
    """Split ``name`` into stem and extension (``""`` when it has none in our sense)."""
    m = _EXT_RE.search(name)
    if m is None or m.start() == 0:
        return name, ""
    return name[: m.start()], name[m.start() :]


def _cap_length(stem: str, ext: str) -> str:
    """Join stem and extension, shortening the stem so the result fits ``MAX_NAME_LENGTH``."""
    if len(stem) + len(ext) <= MAX_NAME_LENGTH:
        return stem + ext
    if len(ext) >= MAX_NAME_LENGTH:
        return (stem + ext)[:MAX_NAME_LENGTH]
    return stem[: MAX_NAME_LENGTH - len(ext)].rstrip(" .") + ext


def clean_filename(name: str) -> str:
    """Return the display name for an uploaded file name, or raise ``FileRejected(code="name")``."""
    if not isinstance(name, str):
        raise FileRejected("name", "文件名无效")
    name = unicodedata.normalize("NFC", name)
    # A name that climbs directories ("../x.pdf") is refused outright; a plain client path (old browsers
    # send "C:\\Users\\…\\总结.pdf") is reduced to its last component.
    parts = re.split(r"[/\\]", name)
    if any(part.strip() == ".." for part in parts):
        raise FileRejected("name", f"文件名不能包含上级目录（“..”）：{name}")
    name = parts[-1]
    name = "".join(
        ch
        for ch in name
        if ch not in _NAME_DROP and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
    )
    name = name.strip().rstrip(". ")
    stripped = name.lstrip(". ")
    if not stripped:
        raise FileRejected("name", "文件名无效，请使用有实际名称的文件")
    if stripped != name and "." not in stripped:
        # ".pdf", "..pdf", ". docx": only an extension, no name.
        raise FileRejected("name", f"文件名无效（只有扩展名）：{name}")
    stem, ext = _split_ext(stripped)
    if not stem.strip(" ."):
        raise FileRejected("name", f"文件名无效（只有扩展名）：{name}")
    return _cap_length(stem, ext)


def _allowed_description(allowed: Collection[str]) -> str:
    """Describe the allowed kinds for a message, e.g. "PDF、Word、Excel、图片"."""
    labels = [label for label, kinds in _KIND_LABELS if kinds & set(allowed)]
    return "、".join(labels) or "无"


def _type_error(name: str, allowed: Collection[str], detail: str = "") -> FileRejected:
    """Build the standard "not an allowed type" refusal."""
    prefix = f"文件内容不是允许的类型（{_allowed_description(allowed)}）"
    return FileRejected("type", f"{prefix}{detail}：{name}")


# ---------------------------------------------------------------------------------------------
# Detection


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


def _inspect_zip(name: str, data: bytes, limits: UploadLimits, allowed: Collection[str]) -> str:
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
            raise _type_error(name, allowed, "（压缩包内含不安全的路径）")
        lowered = {n.lower() for n in names}
        if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in lowered) or any(
            n.startswith("xl/macrosheets/") for n in lowered
        ):
            raise _macro(name)
        is_docx = "word/document.xml" in names
        is_xlsx = "xl/workbook.xml" in names
        if "[Content_Types].xml" not in names or is_docx == is_xlsx:
            if "encryptedpackage" in lowered:
                raise _encrypted(name)
            raise _type_error(name, allowed, "（压缩包不是 Word 或 Excel 文档）")
        # 3. The one member we read, with a byte cap (declared sizes can lie).
        try:
            with zf.open("[Content_Types].xml") as fh:
                content_types = fh.read(_MAX_CONTENT_TYPES_BYTES + 1)
        except Exception as exc:  # bad CRC, corrupt deflate data, unsupported method, encryption…
            raise FileRejected("truncated", f"文件不完整或已损坏，请重新上传：{name}") from exc
        if len(content_types) > _MAX_CONTENT_TYPES_BYTES:
            raise _zip_bomb(name, "[Content_Types].xml 过大")
        if b"macroenabled" in content_types.lower():
            raise _macro(name)
    return "docx" if is_docx else "xlsx"


def _macro(name: str) -> FileRejected:
    """Build the macro refusal."""
    return FileRejected(
        "macro", f"不接受含宏的文档，请另存为不含宏的 Word/Excel 文档（.docx/.xlsx）后重新上传：{name}"
    )


def _encrypted(name: str) -> FileRejected:
    """Build the refusal for password-protected documents (they cannot be checked)."""
    return FileRejected("type", f"不接受加密（设置了打开密码）的文档，请取消密码后重新上传：{name}")


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


def _inspect_ole(name: str, data: bytes, allowed: Collection[str]) -> str:
    """Return "doc" or "xls" for a legacy Office file without macros, else raise ``FileRejected``."""
    try:
        # A file object, never bytes: olefile treats short bytes as a *path*.
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            entries = ole.listdir(streams=True, storages=True)
            parts = {p.lower() for entry in entries for p in entry}
            top = {entry[0].lower() for entry in entries if len(entry) == 1}
            if parts & _OLE_MACRO_STORAGES:
                raise _macro(name)
            is_doc = "worddocument" in top
            is_xls = "workbook" in top or "book" in top
            if is_doc == is_xls:
                if "encryptedpackage" in top:
                    raise _encrypted(name)
                raise _type_error(name, allowed, "（不是 Word 或 Excel 文档）")
            if is_doc:
                return "doc"
            stream = "Workbook" if ole.exists("Workbook") else "Book"
            macro_sheet = _xls_has_macro_sheet(ole.openstream(stream).read())
    except FileRejected:
        raise
    except Exception as exc:  # hostile bytes: any parser failure means "not a usable file"
        raise FileRejected("truncated", f"文件不完整或已损坏，请重新上传：{name}") from exc
    if macro_sheet is None:
        raise _encrypted(name)
    if macro_sheet:
        raise _macro(name)
    return "xls"


# ---------------------------------------------------------------------------------------------
# Images

_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Read width and height from a PNG's IHDR chunk without decoding anything."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return struct.unpack_from(">II", data, 16)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Read the largest frame size declared before the first scan of a JPEG."""
    best: tuple[int, int] | None = None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            pos += 1
            continue
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0x00, 0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):
            break
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if marker in _JPEG_SOF and pos + 9 <= len(data):
            height, width = struct.unpack_from(">HH", data, pos + 5)
            if best is None or width * height > best[0] * best[1]:
                best = (width, height)
        pos += 2 + max(length, 2)
    return best


def _pixels_error(name: str, size: tuple[int, int] | None, limits: UploadLimits) -> FileRejected:
    """Build the pixel-flood refusal."""
    cap = f"{limits.max_image_pixels / 1_000_000:g} 百万像素"
    dims = f"{size[0]}×{size[1]} 像素，" if size else ""
    return FileRejected("pixels", f"图片尺寸过大（{dims}上限 {cap}），请缩小后重新上传：{name}")


def _reencode_image(name: str, data: bytes, kind: str, limits: UploadLimits) -> bytes:
    """Decode a PNG/JPEG within the pixel cap and re-encode it without metadata."""
    declared = _png_size(data) if kind == "png" else _jpeg_size(data)
    if declared is not None and declared[0] * declared[1] > limits.max_image_pixels:
        raise _pixels_error(name, declared, limits)
    fmt = "PNG" if kind == "png" else "JPEG"
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check stays quiet under the header check above with the default
            # limits; should it fire anyway it becomes an error here. Other decoder warnings (such
            # as corrupt EXIF) are ignored so that tests and production behave the same.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as src:
                if src.width * src.height > limits.max_image_pixels:
                    raise _pixels_error(name, src.size, limits)
                src.load()
                save_args: dict[str, object] = {}
                if src.info.get("icc_profile"):
                    save_args["icc_profile"] = src.info["icc_profile"]
                if kind == "png" and "transparency" in src.info:
                    save_args["transparency"] = src.info["transparency"]
                if kind == "jpeg":
                    save_args["qtables"] = src.quantization
                    sampling = JpegImagePlugin.get_sampling(src)
                    if sampling != -1:
                        save_args["subsampling"] = sampling
                img = ImageOps.exif_transpose(src)
            img.info = {}  # EXIF, XMP, comments, text chunks: none of it is carried over
            out = io.BytesIO()
            img.save(out, format=fmt, **save_args)
    except FileRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _pixels_error(name, declared, limits) from exc
    except Image.UnidentifiedImageError as exc:
        raise FileRejected("truncated", f"图片已损坏，无法识别，请重新上传：{name}") from exc
    except Exception as exc:  # hostile bytes: any decoder failure means "not a usable image"
        raise FileRejected("truncated", f"图片不完整或已损坏，请重新上传：{name}") from exc
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Entry points


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

    stem, ext = _split_ext(name)
    family = _sniff(data)
    if family is None or not (_FAMILY_KINDS.get(family, frozenset({family})) & set(allowed)):
        raise _type_error(name, allowed)
    if family in ("zip", "ole") and ext.lower() in _MACRO_EXTENSIONS:
        raise _macro(name)

    if family == "zip":
        kind = _inspect_zip(name, data, limits, allowed)
    elif family == "ole":
        kind = _inspect_ole(name, data, allowed)
    else:
        kind = family
    if kind not in allowed:
        raise _type_error(name, allowed)

    if not ext:
        name = _cap_length(stem, EXTENSIONS[kind])
    elif ext.lower() not in _ACCEPTED_EXTENSIONS[kind]:
        raise FileRejected(
            "type",
            f"文件扩展名与内容不符（内容是 {_KIND_NAMES[kind]}，扩展名是 {ext}），"
            f"允许的类型：{_allowed_description(allowed)}：{name}",
        )

    if kind == "pdf":
        _check_pdf(name, data)
        stored = data
    elif kind in ("png", "jpeg"):
        stored = _reencode_image(name, data, kind, limits)
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


_RFC5987_SAFE = "!#$&+-.^_`|~"
_FALLBACK_CHARS = re.compile(r"[^A-Za-z0-9 ._()\[\]+-]")


def content_disposition(original_name: str, *, inline: bool = False) -> str:
    """Return a Content-Disposition value with an ASCII fallback and a UTF-8 ``filename*``."""
    name = "".join(ch for ch in unicodedata.normalize("NFC", original_name) if ch.isprintable())
    name = name or "download"
    stem, ext = _split_ext(name)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = _FALLBACK_CHARS.sub("", ascii_stem).strip(" .")
    ascii_ext = _FALLBACK_CHARS.sub("", ext)
    fallback = (ascii_stem or "download") + ascii_ext
    encoded = quote(name, safe=_RFC5987_SAFE)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
