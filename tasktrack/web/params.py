"""Reading request input: ids in URLs, integer and choice query values, JSON bodies (one place for each).

The rule, for pages and the API alike: a query value that is present must mean something. An integer out of
its bounds, a number that is not one, or a value outside its list is refused with ``BadInput`` naming the
parameter — a 400 page in Chinese, or under /api a 422 ``{"error", "field"}`` (the API's contract for a
field it refuses). An empty value means the default. ``page`` is refused below 1 like any other bound,
not clamped, so a wrong link is noticed; a page past the last one shows an empty list with its pager.

Ids in URLs go through ``IdConverter``, installed as the app's ``int`` converter: a path such as
``/assignments/99999999999999999999`` matches no route (404) instead of reaching the database.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Collection
from typing import Any, TypeVar

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, ValidationError

from tasktrack.domain.inputs import MAX_ID, MAX_JSON_DEPTH, json_problem, parse_id, parse_int
from tasktrack.domain.safe_text import describe, first_forbidden

E = TypeVar("E", bound=enum.Enum)

#: The highest page number a list accepts (far beyond any real list; keeps OFFSET within 32 bits).
MAX_PAGE = 100_000


class BadInput(BadRequest):
    """A request value we refuse; ``message`` is the Chinese sentence shown, ``field`` the parameter (if any)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(description=message)
        self.message = message
        self.field = field


def numbers_up_to(limit: int) -> str:
    """Return a regular expression matching the decimal numbers 1 … ``limit`` (no sign, no leading zero)."""
    digits = str(limit)
    parts = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, ch in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(ch) > low:
            parts.append(f"{digits[:i]}[{low}-{int(ch) - 1}][0-9]{{{len(digits) - i - 1}}}")
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(BaseConverter):
    """The URL converter of row ids (registered as ``int`` and ``id``): 1 … MAX_ID in ASCII digits.

    The range is in the regex itself, not only in ``to_python``: Werkzeug answers 405 instead of 404 when a
    converter refuses a value on a path that another rule serves with a different method.
    """

    regex = numbers_up_to(MAX_ID)
    weight = 50

    def to_python(self, value: str) -> int:
        """Return the id, or refuse the match (the route then does not match: 404)."""
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        """Write an id into a URL."""
        return str(int(value))


def init_app(app: Flask) -> None:
    """Make every ``<int:…>`` in the app's routes an id the database can hold (call before blueprints register),
    and refuse query strings with control characters."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_control_characters)


def refuse_control_characters() -> None:
    """Refuse a query string holding a C0 control character or a lone surrogate (safe_text's rule).

    No filter, search or page value means anything with them, and PostgreSQL cannot even compare a text
    column with a string holding NUL (a 500 on ``/cases/?q=%00``). Form bodies are left to the services,
    which refuse such text on the field it was typed in.
    """
    for name, value in request.args.items(multi=True):
        if (ch := first_forbidden(name)) is not None:
            raise BadInput(f"查询参数的名称含有无法处理的字符（{describe(ch)}）")
        if (ch := first_forbidden(value)) is not None:
            raise BadInput(f"参数 {name} 含有无法处理的字符（{describe(ch)}）", field=name)


def int_arg(name: str, default: int | None = None, *, low: int, high: int) -> int | None:
    """Return the integer query value ``name`` (``default`` when absent or empty); BadInput outside low … high."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return default
    number = parse_int(raw, low=low, high=high)
    if number is None:
        raise BadInput(f"参数 {name} 必须是 {low} 到 {high} 之间的整数", field=name)
    return number


def id_arg(name: str) -> int | None:
    """Return the id in query value ``name`` (None when absent or empty); BadInput when it is not an id."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    number = parse_id(raw)
    if number is None:
        raise BadInput(f"参数 {name} 必须是编号（正整数）", field=name)
    return number


def date_arg(name: str, *, required: bool = False, label: str = "") -> dt.date | None:
    """Return the date in query value ``name`` (YYYY-MM-DD; None when absent and not required); BadInput otherwise."""
    raw = request.args.get(name, "").strip()
    what = label or f"参数 {name}"
    if not raw:
        if required:
            raise BadInput(f"请填写{what}（格式 YYYY-MM-DD）", field=name)
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadInput(f"{what}不是有效日期（格式 YYYY-MM-DD），收到 {raw[:20]!r}", field=name) from None
    if not 2000 <= day.year <= 2100:
        raise BadInput(f"{what}超出可用范围（2000—2100 年）", field=name)
    return day


def required_date_arg(name: str, label: str) -> dt.date:
    """Return the date in query value ``name``; BadInput when it is missing or not a date."""
    day = date_arg(name, required=True, label=label)
    if day is None:  # date_arg has refused it already
        raise BadInput(f"请填写{label}", field=name)
    return day


def required_id_arg(name: str, label: str) -> int:
    """Return the id in query value ``name``; BadInput when it is missing or not an id."""
    number = id_arg(name)
    if number is None:
        raise BadInput(f"请选择{label}", field=name)
    return number


def page_arg(name: str = "page") -> int:
    """Return the page number asked for (1 when absent); BadInput below 1 or above MAX_PAGE."""
    number = int_arg(name, 1, low=1, high=MAX_PAGE)
    assert number is not None
    return number


def choice_arg(name: str, choices: Collection[str], default: str | None = None) -> str | None:
    """Return query value ``name`` when it is one of ``choices`` (``default`` when absent or empty); else BadInput."""
    raw = request.args.get(name, "")
    if not raw:
        return default
    if raw not in choices:
        raise BadInput(f"参数 {name} 的取值无效", field=name)
    return raw


def enum_arg(name: str, cls: type[E]) -> E | None:
    """Return the member of ``cls`` whose value query value ``name`` holds (None when absent); else BadInput."""
    raw = choice_arg(name, {str(member.value) for member in cls})
    return None if raw is None else cls(raw)


def coerce_id(value: Any) -> int:
    """A WTForms ``coerce`` for id choices: the id, or 0 (never a row) for anything that is not an id."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= MAX_ID else 0
    return parse_id(str(value)) or 0


def json_body() -> Any:
    """Return the request's JSON body: None when it is not JSON, BadInput (400) when it cannot be read safely.

    The one way the app reads JSON: invalid UTF-8 or JSON, a body nested deeper than the recursion limit or
    than ``MAX_JSON_DEPTH``, and lone surrogates are refused with a Chinese message instead of a 500.
    """
    if not request.is_json:
        return None
    data = request.get_data(cache=True)
    try:
        value = json.loads(data)
    except RecursionError:  # the C parser refuses cleanly beyond the interpreter's recursion limit
        raise BadInput(f"请求体的 JSON 嵌套层数过多（最多 {MAX_JSON_DEPTH} 层）") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, an integer of more than 4300 digits
        raise BadInput("请求体不是有效的 JSON（须为 UTF-8 编码）") from None
    problem = json_problem(value)
    if problem is not None:
        raise BadInput(problem)
    return value
