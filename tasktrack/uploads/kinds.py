"""What an upload may be: the kinds, their content types and extensions, the refusal and the limits."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

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
ACCEPTED_EXTENSIONS: dict[str, frozenset[str]] = {
    kind: frozenset({ext}) for kind, ext in EXTENSIONS.items() if kind != "jpeg"
} | {"jpeg": frozenset({".jpg", ".jpeg"})}

MACRO_EXTENSIONS = frozenset({".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".xlsb"})

# Human-readable groups, in the order they are listed in messages.
KIND_LABELS: tuple[tuple[str, frozenset[str]], ...] = (
    ("PDF", frozenset({"pdf"})),
    ("Word", frozenset({"docx", "doc"})),
    ("Excel", frozenset({"xlsx", "xls"})),
    ("图片", frozenset({"png", "jpeg"})),
)
KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word",
    "doc": "Word",
    "xlsx": "Excel",
    "xls": "Excel",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
}

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


def allowed_description(allowed: Collection[str]) -> str:
    """Describe the allowed kinds for a message, e.g. "PDF、Word、Excel、图片"."""
    labels = [label for label, kinds in KIND_LABELS if kinds & set(allowed)]
    return "、".join(labels) or "无"


def type_error(name: str, allowed: Collection[str], detail: str = "") -> FileRejected:
    """Build the standard "not an allowed type" refusal."""
    prefix = f"文件内容不是允许的类型（{allowed_description(allowed)}）"
    return FileRejected("type", f"{prefix}{detail}：{name}")


def macro_refusal(name: str) -> FileRejected:
    """Build the macro refusal."""
    return FileRejected(
        "macro", f"不接受含宏的文档，请另存为不含宏的 Word/Excel 文档（.docx/.xlsx）后重新上传：{name}"
    )


def encrypted_refusal(name: str) -> FileRejected:
    """Build the refusal for password-protected documents (they cannot be checked)."""
    return FileRejected("type", f"不接受加密（设置了打开密码）的文档，请取消密码后重新上传：{name}")
