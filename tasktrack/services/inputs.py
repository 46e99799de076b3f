"""The one check every service runs on what a person typed, before anything is written.

Every free-text field a user can write (narratives, reasons, notes, comments, case texts, plans, names) goes
through :func:`clean_text`, and every date of something already done through :func:`check_past_date`. A refusal
is a ``ServiceError`` naming the field, so the page shows the Chinese message on that field and the API answers
422 with ``field``; nothing is written. The rules themselves are pure (``domain/safe_text.py``,
``domain/date_window.py``); this module only turns them into the services' refusals.

Control characters are refused rather than silently removed: the text is stored exactly as the person wrote
it or not at all (and on PostgreSQL a NUL would otherwise fail the INSERT with a 500).
"""

from __future__ import annotations

import datetime as dt

from tasktrack.domain import safe_text
from tasktrack.domain.date_window import past_date_problem, plan_period_start
from tasktrack.models import Plan
from tasktrack.services import ServiceError


def refuse_forbidden(value: str, *, field: str, label: str) -> None:
    """Raise ServiceError when ``value`` holds a character that may not be stored (a C0 control character)."""
    ch = safe_text.first_forbidden(value)
    if ch is not None:
        position = value.index(ch) + 1
        raise ServiceError(
            f"{label}中含有不能保存的{safe_text.describe(ch)}（第 {position} 个字符，常见于从其他软件复制的文字），"
            "请删除后重新提交", field=field)


def clean_text(
    value: str | None,
    *,
    field: str,
    label: str,
    required: bool = False,
    max_len: int | None = None,
    missing: str | None = None,
) -> str:
    """Return the text without surrounding whitespace, or raise ServiceError naming ``field``.

    :param label: the field's Chinese name, used in the messages (进展情况说明, 理由, …).
    :param required: the text must have a visible character (zero-width spaces alone count as empty).
    :param missing: the message when required text is empty (default 请填写<label>).
    """
    raw = value or ""
    refuse_forbidden(raw, field=field, label=label)
    text = raw.strip()
    if required and not safe_text.has_visible(text):
        message = missing or f"请填写{label}"
        if text:
            message += "（所填内容只有空白或不可见的字符）"
        raise ServiceError(message, field=field)
    if max_len is not None and len(text) > max_len:
        raise ServiceError(f"{label}不能超过 {max_len} 字", field=field)
    return text


def optional_text(value: str | None, *, field: str, label: str, max_len: int | None = None) -> str | None:
    """Return optional text cleaned as :func:`clean_text`, or None when nothing visible was written."""
    text = clean_text(value, field=field, label=label, max_len=max_len)
    return text if safe_text.has_visible(text) else None


def check_past_date(day: dt.date, *, plan: Plan, today: dt.date, field: str, label: str) -> None:
    """Refuse a date of something already done outside the plan's period start … today."""
    problem = past_date_problem(day, earliest=plan_period_start(plan.year, plan.issued_on), today=today, label=label)
    if problem is not None:
        raise ServiceError(problem, field=field)
