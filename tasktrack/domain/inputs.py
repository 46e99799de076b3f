"""Numbers and JSON that come from outside (URLs, query strings, forms, API bodies), read without surprises.

Every id column is ``INTEGER``: 64 bits on SQLite but 32 bits on PostgreSQL, where SQLAlchemy binds the
value as ``%(id)s::INTEGER``. A number the column cannot hold is refused here, before it reaches a query:
SQLite raises ``OverflowError`` beyond 2**63 − 1 and PostgreSQL ``NumericValueOutOfRange`` ("integer out of
range") beyond 2**31 − 1, either of which would be a 500. So an id is 1 … 2**31 − 1 on both databases.
Only ASCII digits count: ``str.isdigit()`` also accepts ``²`` or ``١``, which ``int()`` then refuses or
reads in a surprising way.

A JSON body must be text the database can store: Python's ``json`` turns the escape ``"\\ud800"`` into a
lone surrogate, which no UTF-8 database accepts, and it recurses once per nesting level, so a body nested
100,000 deep raises ``RecursionError``. ``json_problem`` names what is wrong with a parsed value.
"""

from __future__ import annotations

import re
from typing import Any

#: The largest id: the top of PostgreSQL's 32-bit INTEGER (SQLite's INTEGER goes further).
MAX_ID = 2**31 - 1
#: How deeply an API body may nest arrays and objects (our bodies use two or three levels).
MAX_JSON_DEPTH = 32

_INTEGER = re.compile(r"-?[0-9]{1,19}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_int(text: str | None, *, low: int, high: int) -> int | None:
    """Return the whole number written in ``text`` when ``low <= n <= high``, else None.

    Accepts ASCII digits with surrounding spaces, and a leading minus sign only when ``low`` is negative.
    Bounds that a query compares with an INTEGER column must lie within ±MAX_ID.
    """
    if text is None:
        return None
    value = text.strip()
    if not _INTEGER.fullmatch(value) or (value.startswith("-") and low >= 0):
        return None
    number = int(value)
    return number if low <= number <= high else None


def parse_id(text: str | None) -> int | None:
    """Return the row id written in ``text`` (1 … MAX_ID), else None."""
    return parse_int(text, low=1, high=MAX_ID)


def is_id(value: object) -> bool:
    """Return whether a decoded JSON or form value is an int that can be a row id (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def has_lone_surrogate(text: str) -> bool:
    """Return whether ``text`` holds a UTF-16 surrogate code point, which UTF-8 cannot encode."""
    return _SURROGATE.search(text) is not None


def json_problem(value: Any, *, max_depth: int = MAX_JSON_DEPTH) -> str | None:
    """Return a Chinese sentence saying why a parsed JSON value is refused, or None when it is fine.

    Walks the value without recursion: arrays and objects may nest ``max_depth`` levels; no string (nor
    object key) may hold a lone surrogate.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if has_lone_surrogate(node):
                return "请求体含有无效的字符（孤立的 UTF-16 代理项，如 \\ud800），请检查文字内容"
        elif isinstance(node, dict | list):
            if depth > max_depth:
                return f"请求体的 JSON 嵌套层数过多（最多 {max_depth} 层）"
            if isinstance(node, dict):
                stack.extend((key, depth) for key in node)
                stack.extend((item, depth + 1) for item in node.values())
            else:
                stack.extend((item, depth + 1) for item in node)
    return None
