"""Numbering markers, heading-like lines and the repair of lines broken by text extraction.

Marker levels follow the 公文 convention (GB/T 9704): ``一、`` (section) > ``（一）`` > ``1.`` / ``1、``
> ``（1）``. A paragraph whose text was split by PDF or text extraction is joined back to the previous
one when the previous one does not end a sentence and the next one does not start a new numbered
point, a heading or a head line (date, 文号, label, note).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasktrack.domain.doc_blocks import DocText, Paragraph, Table
from tasktrack.domain.plan_table import chinese_numeral

_CN = "一二三四五六七八九十"
SECTION_RE = re.compile(
    rf"^\s*(?:第\s*(?P<part>[{_CN}]{{1,3}})\s*(?:部分|章)\s*[、：:．.]?|(?P<num>[{_CN}]{{1,3}})\s*[、．.])\s*(?P<rest>\S.*)$",
    re.S,
)
_ITEM_RES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^\s*(?P<mark>[（(]\s*(?P<num>[{_CN}]{{1,3}})\s*[）)])\s*(?P<rest>\S.*)$", re.S)),
    (2, re.compile(r"^\s*(?P<mark>(?P<num>\d{1,3})\s*(?:[.．、](?!\d)|[)）]))\s*(?P<rest>\S.*)$", re.S)),
    (3, re.compile(r"^\s*(?P<mark>[（(]\s*(?P<num>\d{1,3})\s*[）)])\s*(?P<rest>\S.*)$", re.S)),
    (4, re.compile(r"^\s*(?P<mark>(?P<num>[①-⑳]))\s*(?P<rest>\S.*)$", re.S)),
)
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0"}
_CN_DATE = re.compile(r"(?P<y>[〇○零一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,2})\s*月"
                      r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日")
#: Characters that end a sentence or a complete line.
FINAL_PUNCT = frozenset("。；！？：…”’」』）)!?;:.")
SENTENCE_PUNCT = frozenset("。；！？!?;")
_DOC_KINDS = ("通知", "意见", "方案", "要点", "计划", "办法", "决定", "规定", "名单", "任务表", "文件", "细则", "纲要")
_LABEL_START = re.compile(r"^[\u4e00-\u9fff]{2,6}\s*[:：]")
_NOTE_START = re.compile(r"^\s*(?:[（(]\s*注|注\s*[:：]|抄送|印发|[（(]此件)")
DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*(?:年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日|[-./](?P<m2>\d{1,2})[-./](?P<d2>\d{1,2}))"
)
DOC_NUMBER_RE = re.compile(
    r"(?P<prefix>[\u4e00-\u9fff]*)\s*[〔\[［（(【]\s*(?P<y>\d{4})\s*[〕\]］）)】]\s*(?P<n>\d+)\s*号"
)


@dataclass(frozen=True)
class Line:
    """One paragraph after line repair, with the ordinal of its (first) source paragraph."""

    text: str
    heading_level: int | None
    ordinal: int  # 1-based paragraph number in the document ("第12段")


@dataclass(frozen=True)
class TableAt:
    """A table in reading order, with its 1-based ordinal among the document's tables."""

    table: Table
    ordinal: int


Entry = Line | TableAt


def section_marker(text: str) -> tuple[int, str] | None:
    """Return (number, rest) for a "一、…" paragraph, else None."""
    match = SECTION_RE.match(text)
    if match is None:
        return None
    number = chinese_numeral(match["num"] or match["part"])
    return None if number is None else (number, match["rest"].strip())


def item_marker(text: str) -> tuple[int, int, str, str] | None:
    """Return (level, number, marker as written, rest) for "（一）…", "1.…", "（1）…", else None."""
    for level, pattern in _ITEM_RES:
        match = pattern.match(text)
        if match is None:
            continue
        num = match["num"]
        if "①" <= num <= "⑳":
            number: int | None = ord(num) - ord("①") + 1
        else:
            number = int(num) if num.isascii() else chinese_numeral(num)
        if number is not None and number > 0:
            return level, number, match["mark"].strip(), match["rest"].strip()
    return None


def arabic_dates(text: str) -> str:
    """Return the text with dates in Chinese numerals ("二〇二四年四月十五日") in Arabic digits."""

    def arabic(match: re.Match[str]) -> str:
        year = "".join(_CN_DIGITS[c] for c in match["y"])
        return f"{year}年{chinese_numeral(match['m'])}月{chinese_numeral(match['d'])}日"

    return _CN_DATE.sub(arabic, text)


def is_standalone_date(text: str) -> bool:
    """Return True for a line that is only a date ("2024年4月15日", "（2025-02-28）")."""
    text = arabic_dates(text)
    match = DATE_RE.search(text)
    return match is not None and not re.sub(r"[\s（）()]", "", text.replace(match[0], ""))


def is_heading_like(text: str) -> bool:
    """Return True for a short line with no sentence punctuation (a title, label or signature)."""
    compact = re.sub(r"\s", "", text)
    return not (set(compact) & SENTENCE_PUNCT) and len(compact) <= 30


def ends_sentence(text: str) -> bool:
    """Return True when the text ends with sentence-final punctuation."""
    return bool(text) and text.rstrip()[-1] in FINAL_PUNCT


def _is_complete_line(text: str, heading_level: int | None) -> bool:
    compact = re.sub(r"\s", "", text)
    if heading_level is not None or ends_sentence(text) or compact.endswith(_DOC_KINDS):
        return True
    section = section_marker(text)
    if section is not None and not (set(section[1]) & SENTENCE_PUNCT):
        return True  # a section heading
    if len(compact) <= 20 and not (set(compact) & (SENTENCE_PUNCT | set("，,、"))):
        return True  # a title, signature or label line
    return is_standalone_date(text) or DOC_NUMBER_RE.fullmatch(compact) is not None


def _starts_new_line(text: str, heading_level: int | None) -> bool:
    return (
        heading_level is not None
        or section_marker(text) is not None
        or item_marker(text) is not None
        or _LABEL_START.match(text) is not None
        or _NOTE_START.match(text) is not None
        or is_standalone_date(text)
        or re.match(r"^\s*附\s*(?:件|表|\s*[:：]|$)", text) is not None
    )


def _join(left: str, right: str) -> str:
    space = " " if left[-1:].isascii() and left[-1:].isalnum() and right[:1].isascii() and right[:1].isalnum() else ""
    return left + space + right


#: A cell line that ends a sentence (a closing quote alone does not: "开展“评比表彰”" wraps before 清理…).
_CELL_BREAK = re.compile(r"[。；;！!？?：:][”’」』）)]*$")


def flowed(cell: str) -> str:
    """Return a table cell's text with its wrapped lines joined (a PDF cell wraps every few characters).

    A line break stays where a sentence ends or the next line starts a numbered point, as in a Word cell holding
    several paragraphs.
    """
    pieces = [piece.strip() for piece in cell.split("\n")]
    text = ""
    for piece in pieces:
        if not piece:
            continue
        if not text:
            text = piece
        elif _CELL_BREAK.search(text) or item_marker(piece) is not None or section_marker(piece) is not None:
            text += "\n" + piece
        else:
            text = _join(text, piece)
    return text


def repaired_entries(doc: DocText) -> tuple[list[Entry], int]:
    """Return the document as lines and tables, broken lines joined; and how many joins were made."""
    entries: list[Entry] = []
    joins = 0
    paragraph_ordinal = table_ordinal = 0
    for block in doc.blocks:
        if isinstance(block, Table):
            table_ordinal += 1
            entries.append(TableAt(block, table_ordinal))
            continue
        assert isinstance(block, Paragraph)
        paragraph_ordinal += 1
        text = block.text.strip()
        if not text or not re.sub(r"[-—_=*\s]", "", text):
            continue  # empty or a separator rule such as "---"
        previous = entries[-1] if entries else None
        if (
            isinstance(previous, Line)
            and not _is_complete_line(previous.text, previous.heading_level)
            and not _starts_new_line(text, block.heading_level)
        ):
            entries[-1] = Line(_join(previous.text, text), previous.heading_level, previous.ordinal)
            joins += 1
            continue
        entries.append(Line(text, block.heading_level, paragraph_ordinal))
    return entries, joins
