"""The one refusal of the text-block readers, ``UnreadableDocument``, and the messages it carries.

Every way a received document can fail to become a ``DocText`` ends here, with a short ASCII ``code`` for the
JSON API and a Chinese message that tells the user what to do next. The upload checks' ``FileRejected`` is turned
into this refusal by ``from_rejection`` so that callers catch one exception.
"""

from __future__ import annotations

from collections.abc import Collection

from tasktrack.uploads.kinds import FileRejected, encrypted_refusal, type_error

#: What the importer reads, in the order the messages list it.
ACCEPTED_SUFFIXES: tuple[str, ...] = (".docx", ".xlsx", ".pdf", ".txt", ".tsv")
#: Legacy binary formats: refused with a "save as" hint (WPS's own .wps/.et included).
LEGACY_SUFFIXES: frozenset[str] = frozenset({".doc", ".xls", ".wps", ".et", ".dot", ".xlt", ".rtf"})

# The details office.py adds to ``type_error`` when a ZIP/OLE file is some other kind of package.
_NOT_A_DOCUMENT_DETAILS = ("", "（压缩包不是 Word 或 Excel 文档）", "（不是 Word 或 Excel 文档）")
_FORMAT_LABELS = {"docx": "Word 文档（.docx）", "xlsx": "Excel 表格（.xlsx）", "pdf": "PDF 文件"}


class UnreadableDocument(ValueError):
    """A received document that cannot be read as text; ``str(e)`` is the Chinese message, ``code`` the reason."""

    code: str

    def __init__(self, code: str, message: str) -> None:
        """Create a refusal with a machine-readable ``code`` and a message for the user."""
        super().__init__(message)
        self.code = code


def empty(name: str) -> UnreadableDocument:
    """Build the refusal for an empty file or one holding only whitespace."""
    return UnreadableDocument("empty", f"文件为空或只有空白，没有可导入的内容：{name}")


def unsupported(name: str, ext: str) -> UnreadableDocument:
    """Build the refusal for an extension the importer does not read, listing what it does read."""
    shown = ext or "（无扩展名）"
    accepted = " ".join(ACCEPTED_SUFFIXES)
    return UnreadableDocument("unsupported", f"不支持导入 {shown} 文件，可导入的格式：{accepted}：{name}")


def legacy(name: str, ext: str) -> UnreadableDocument:
    """Build the refusal for a legacy binary Office/WPS document."""
    return UnreadableDocument(
        "legacy", f"无法读取旧版 {ext} 格式，请另存为 .docx/.xlsx 后再导入：{name}"
    )


def mismatch(name: str, ext: str, expected: str) -> UnreadableDocument:
    """Build the refusal for a file whose content is not what its extension says."""
    label = _FORMAT_LABELS.get(expected, expected)
    return UnreadableDocument(
        "mismatch", f"文件内容不是 {label}，与扩展名 {ext} 不符，请确认选择的文件是否正确：{name}"
    )


def encrypted(name: str) -> UnreadableDocument:
    """Build the refusal for a password-protected document."""
    return UnreadableDocument("encrypted", f"文件设置了打开密码，无法读取，请取消密码后再导入：{name}")


def corrupt(name: str) -> UnreadableDocument:
    """Build the refusal for a document whose structure cannot be parsed."""
    return UnreadableDocument("corrupt", f"文件已损坏或格式无法识别，无法读取，请重新保存后再导入：{name}")


def scanned_pdf(name: str) -> UnreadableDocument:
    """Build the refusal for a PDF without a text layer."""
    return UnreadableDocument(
        "no_text",
        f"PDF中没有可提取的文字，可能是扫描件或图片；请导入 Word/Excel 原件，或将文字粘贴到文本框：{name}",
    )


def empty_sheets(name: str) -> UnreadableDocument:
    """Build the refusal for a workbook whose sheets hold no cells."""
    return UnreadableDocument("empty", f"表格中没有内容（所有工作表都是空的）：{name}")


def too_large(name: str, detail: str) -> UnreadableDocument:
    """Build the refusal for a document whose text would be unreasonably large."""
    return UnreadableDocument("too_large", f"文件内容过大（{detail}），无法导入：{name}")


def undecodable(name: str) -> UnreadableDocument:
    """Build the refusal for a text file in an unknown encoding (or not text at all)."""
    return UnreadableDocument(
        "encoding", f"无法识别文本文件的编码（支持 UTF-8、UTF-16、GB18030/GBK），请另存为 UTF-8 后再导入：{name}"
    )


def not_text(name: str) -> UnreadableDocument:
    """Build the refusal for a .txt/.tsv file that holds binary data (a renamed document or picture)."""
    return UnreadableDocument(
        "mismatch",
        f"文件内容不是纯文本（可能是改了扩展名的 Word、Excel、PDF 或图片文件），请确认选择的文件是否正确：{name}",
    )


def from_rejection(
    name: str, ext: str, expected: str, allowed: Collection[str], exc: FileRejected
) -> UnreadableDocument:
    """Turn an upload check's refusal into ours, keeping its code and message (mismatch and encryption renamed)."""
    if str(exc) == str(encrypted_refusal(name)):
        return encrypted(name)
    not_a_document = {str(type_error(name, allowed, detail)) for detail in _NOT_A_DOCUMENT_DETAILS}
    if str(exc) in not_a_document:  # magic bytes of no kind we read, a ZIP or OLE file of another kind
        return mismatch(name, ext, expected)
    return UnreadableDocument(exc.code, str(exc))
