"""The display name of an uploaded file (never used on disk) and its extension."""

from __future__ import annotations

import re
import unicodedata

from tasktrack.uploads.kinds import FileRejected

MAX_NAME_LENGTH = 120

# An extension is a final ".xxx" of 1–10 ASCII letters/digits with at least one letter, so that
# "报告v1.2" or "第1.2版" are names without an extension rather than files of type "2" / "2版".
_EXT_RE = re.compile(r"\.([A-Za-z0-9]{0,9}[A-Za-z][A-Za-z0-9]{0,9})$")
# Characters that are never kept in a display name (besides control/format characters).
_NAME_DROP = frozenset('/\\:*?"<>|')


def split_ext(name: str) -> tuple[str, str]:
    """Split ``name`` into stem and extension (``""`` when it has none in our sense)."""
    m = _EXT_RE.search(name)
    if m is None or m.start() == 0:
        return name, ""
    return name[: m.start()], name[m.start() :]


def cap_length(stem: str, ext: str) -> str:
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
    stem, ext = split_ext(stripped)
    if not stem.strip(" ."):
        raise FileRejected("name", f"文件名无效（只有扩展名）：{name}")
    return cap_length(stem, ext)
