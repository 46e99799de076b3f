"""What text people may store, and how stored text is made safe for the files others open.

Two sides of one rule ("nothing a user wrote is altered, nothing a user wrote turns into a weapon"):

* at the service boundary, text with C0 control characters other than tab and newline (CR of a CRLF
  pair is part of a newline), with lone surrogates or with the XML non-characters U+FFFE/U+FFFF is
  refused (``first_forbidden``); required text needs a visible character (``has_visible``), so a
  narrative of zero-width spaces is as empty as a blank one;
* in exports, text that is already stored (from before the rule, or from an import) is written so
  that it can neither break the file (``for_xml``: characters XML 1.0 cannot hold become U+FFFD)
  nor run as a formula (``for_csv``: the OWASP rule, a leading ``'`` before ``= + - @``, tab and CR
  and their full-width forms; in .xlsx every user-text cell is a string cell, see ``for_xlsx``).

Pure functions, no Flask.
"""

from __future__ import annotations

import re
import unicodedata

#: C0 controls except tab (09), LF (0A) and CR (0D); DEL is harmless in every format we write.
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: What XML 1.0 (and so .xlsx and .docx) cannot hold at all.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: First characters that make Excel, WPS or LibreOffice read a cell as a formula or a DDE command.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
#: Categories that show nothing: format characters (zero-width, BOM, bidi marks), controls, separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


def first_forbidden(text: str) -> str | None:
    """Return the first character that may not be stored (a control character), or None."""
    match = _FORBIDDEN_RE.search(text)
    return match.group() if match else None


def describe(ch: str) -> str:
    """Return a short Chinese description of a forbidden character, e.g. "控制字符 U+0001"."""
    return f"控制字符 U+{ord(ch):04X}"


def has_visible(text: str | None) -> bool:
    """Return True when the text has at least one character a reader can see."""
    if not text:
        return False
    return any(not ch.isspace() and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES for ch in text)


def for_xml(text: str) -> str:
    """Return the text with characters XML cannot hold replaced by U+FFFD (for stored text in .xlsx/.docx)."""
    return _XML_ILLEGAL_RE.sub("\ufffd", text)


def for_csv(value: str) -> str:
    """Return a user-text cell for CSV: a leading formula trigger is neutralised with a ``'`` prefix."""
    if value and value[0] in FORMULA_TRIGGERS:
        return "'" + value
    return value


def for_xlsx(value: str) -> str:
    """Return a user-text value for an openpyxl string cell (caller sets ``data_type = "s"``)."""
    return for_xml(value)
