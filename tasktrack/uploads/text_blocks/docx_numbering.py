"""Word's automatic list numbering rendered as text ("一、", "1.", "（一）"), as Word shows it.

python-docx does not expose list numbers, and a plan's item numbers are often automatic, so the reader renders
them: a paragraph's ``w:numPr`` (its own, else its style's or a base style's) names a list (``w:num``) and a level;
the list's ``w:abstractNum`` gives each level its start, number format and pattern (``w:lvlText``, e.g.
"%1、" or "%1.%2"). Counters run in document order per abstract list (Word continues a list across ``w:num``
instances unless one overrides the start); taking a level resets the deeper ones. Bullets and ``none`` levels
render nothing (the layout reader works from the written text). Number formats not known here fall back to
decimal.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

_W_VAL = qn("w:val")
_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_PARENTHESISED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
_FULL_STOP = "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_MAX_LEVELS = 9


@dataclass(frozen=True)
class _Level:
    """One level of an abstract list."""

    start: int
    fmt: str
    text: str
    suffix: str
    legal: bool


def _child_val(parent: BaseOxmlElement | None, tag: str) -> str | None:
    """Return ``w:val`` of ``parent``'s child ``tag`` (``None`` when either is absent)."""
    if parent is None:
        return None
    el = parent.find(qn(tag))
    return None if el is None else el.get(_W_VAL)


def parse_int(value: str | None, default: int) -> int:
    """Parse an integer attribute, ``default`` when absent or malformed."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(lvl: BaseOxmlElement) -> _Level:
    """Read a ``w:lvl`` element."""
    return _Level(
        start=parse_int(_child_val(lvl, "w:start"), 0),
        fmt=_child_val(lvl, "w:numFmt") or "decimal",
        text=_child_val(lvl, "w:lvlText") or "",
        suffix=_child_val(lvl, "w:suff") or "tab",
        legal=lvl.find(qn("w:isLgl")) is not None,
    )


def _levels(parent: BaseOxmlElement) -> dict[int, _Level]:
    """Read the ``w:lvl`` children of an abstract list (or of a level override) by level index."""
    return {
        parse_int(lvl.get(qn("w:ilvl")), 0): _level(lvl) for lvl in parent.iterchildren(qn("w:lvl"))
    }


class ListNumbers:
    """The list numbering of one document; ``label`` is called once per paragraph, in document order."""

    def __init__(self, numbering_root: BaseOxmlElement | None) -> None:
        """Index numbering.xml (``None`` when the document has no numbering part)."""
        self._abstract: dict[str, dict[int, _Level]] = {}
        # numId → (abstractNumId, level overrides, start overrides)
        self._nums: dict[str, tuple[str, dict[int, _Level], dict[int, int]]] = {}
        self._counters: dict[str, list[int | None]] = {}
        self._started: set[str] = set()
        if numbering_root is None:
            return
        for abstract in numbering_root.iterchildren(qn("w:abstractNum")):
            self._abstract[abstract.get(qn("w:abstractNumId"), "")] = _levels(abstract)
        for num in numbering_root.iterchildren(qn("w:num")):
            overrides: dict[int, _Level] = {}
            starts: dict[int, int] = {}
            for override in num.iterchildren(qn("w:lvlOverride")):
                ilvl = parse_int(override.get(qn("w:ilvl")), 0)
                overrides.update(_levels(override))
                start = _child_val(override, "w:startOverride")
                if start is not None:
                    starts[ilvl] = parse_int(start, 1)
            self._nums[num.get(qn("w:numId"), "")] = (_child_val(num, "w:abstractNumId") or "", overrides, starts)

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance list ``num_id`` at level ``ilvl`` and return the number text with its separator ("" if none)."""
        if num_id not in self._nums or not 0 <= ilvl < _MAX_LEVELS:
            return ""
        abstract_id, overrides, starts = self._nums[num_id]
        levels = {**self._abstract.get(abstract_id, {}), **overrides}
        level = levels.get(ilvl)
        if level is None:
            return ""
        counters = self._counters.setdefault(abstract_id, [None] * _MAX_LEVELS)
        if num_id not in self._started:
            self._started.add(num_id)
            for index, start in starts.items():
                if 0 <= index < _MAX_LEVELS:
                    counters[index] = start - 1
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, _MAX_LEVELS):
            counters[deeper] = None
        if level.fmt in ("bullet", "none"):
            return ""
        text = level.text
        for index in range(ilvl, -1, -1):  # %10 never occurs: nine levels
            placeholder = f"%{index + 1}"
            if placeholder in text:
                ref = levels.get(index, level)
                value = counters[index] if counters[index] is not None else ref.start
                fmt = "decimal" if level.legal and index < ilvl else ref.fmt
                text = text.replace(placeholder, format_number(value or 0, fmt))
        text = text.strip()
        if not text:
            return ""
        return text + ("" if level.suffix == "nothing" or not text[-1].isascii() else " ")


def format_number(value: int, fmt: str) -> str:
    """Render ``value`` in a Word number format (``w:numFmt``); unknown formats as decimal."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographDigital", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand"):
        return chinese_number(value)
    if fmt == "chineseLegalSimplified":
        return chinese_number(value, _CN_LEGAL_DIGITS, "拾佰仟")
    if fmt == "ideographTraditional" and value > 0:
        return _HEAVENLY_STEMS[(value - 1) % len(_HEAVENLY_STEMS)]
    if fmt == "ideographZodiac" and value > 0:
        return _EARTHLY_BRANCHES[(value - 1) % len(_EARTHLY_BRANCHES)]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= value <= len(_CIRCLED):
        return _CIRCLED[value - 1]
    if fmt == "decimalEnclosedParen" and 1 <= value <= len(_PARENTHESISED):
        return _PARENTHESISED[value - 1]
    if fmt == "decimalEnclosedFullstop" and 1 <= value <= len(_FULL_STOP):
        return _FULL_STOP[value - 1]
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(ch) + 0xFEE0) if ch.isdigit() else ch for ch in str(value))
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in ("upperRoman", "lowerRoman") and 0 < value < 4000:
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter") and value > 0:
        letter = chr(ord("A") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    return str(value)


def _roman(value: int) -> str:
    """Return ``value`` (1–3999) in Roman numerals."""
    out = []
    for amount, symbol in _ROMAN:
        count, value = divmod(value, amount)
        out.append(symbol * count)
    return "".join(out)


def chinese_number(value: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    """Write 0–99999 in Chinese numerals as Word counts lists: 一, 十, 十一, 二十, 一百零五 (larger as digits)."""
    if not 0 <= value < 100000:
        return str(value)
    if value == 0:
        return digits[0]
    parts: list[str] = []
    places = [(10000, "万"), (1000, units[2]), (100, units[1]), (10, units[0]), (1, "")]
    zero_pending = False
    for amount, unit in places:
        digit, value = divmod(value, amount)
        if digit:
            if zero_pending:
                parts.append(digits[0])
            parts.append(digits[digit] + unit)
            zero_pending = False
        elif parts:
            zero_pending = True
    text = "".join(parts)
    if digits is _CN_DIGITS and text.startswith("一十"):
        text = text[1:]
    return text
