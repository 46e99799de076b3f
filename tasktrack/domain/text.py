"""Text normalisation for matching phrases typed by people (never for storing them).

``normalize`` builds a *matching key*: the original text is always kept as written elsewhere.
The key is made by

* converting full-width ASCII (U+FF01–U+FF5E: digits, letters, punctuation) to half-width,
  except parentheses: both ``(``/``)`` and ``（``/``）`` become the full-width ``（``/``）``, so that
  names such as 各市、县（市、区） match whichever form was typed;
* removing every whitespace character (ASCII spaces, tabs, U+3000 ideographic space, NBSP, …)
  and the invisible U+200B/U+200C/U+200D/U+2060/U+FEFF;
* unifying dashes (— – ― ‒ ‐ ‑ − － and ``-``) to ``-``, so "1—2" and "1-2" are the same key.

Every character maps to at most one character, so positions in the key can be mapped back to the
original text (``normalize_with_positions``).
"""

from __future__ import annotations

_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d-")
_PARENS = {"(": "（", ")": "）", "（": "（", "）": "）"}


def normalize_char(ch: str) -> str:
    """Return the matching-key form of one character ("" when it is dropped)."""
    if ch.isspace() or ch in _INVISIBLE:
        return ""
    if ch in _PARENS:
        return _PARENS[ch]
    if ch in _DASHES:
        return "-"
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    return ch


def normalize(s: str) -> str:
    """Return the matching key of a phrase: half-width ASCII, one paren form, no spaces, one dash."""
    return "".join(normalize_char(ch) for ch in s)


def normalize_with_positions(s: str) -> tuple[str, list[int]]:
    """Return the matching key of ``s`` and, for each key character, its index in ``s``."""
    out: list[str] = []
    positions: list[int] = []
    for index, ch in enumerate(s):
        mapped = normalize_char(ch)
        if mapped:
            out.append(mapped)
            positions.append(index)
    return "".join(out), positions


CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """Return 0..99 as a Chinese numeral (一, 十二, 二十), as section headings are numbered (一、)."""
    if 0 <= n <= 10:
        return CHINESE_NUMERALS[n]
    tens, units = divmod(n, 10)
    return (CHINESE_NUMERALS[tens] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[units] if units else "")
