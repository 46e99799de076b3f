"""The audit trail's filter: who, the actor's unit, object, action and days — parsed from query values or
command-line options into an ``AuditFilter``, and turned into SQL conditions.

Bad values never reach the database: each is refused with a Chinese message for its field (``FilterErrors``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tasktrack.clock import SHANGHAI
from tasktrack.domain import audit_labels
from tasktrack.domain.safe_text import first_forbidden
from tasktrack.extensions import db
from tasktrack.models import AuditEvent, Unit, User
from tasktrack.services import ServiceError
from tasktrack.services.users import find_by_email

#: Ids and page numbers beyond the databases' INTEGER are refused before they reach PostgreSQL (which would
#: fail on the cast rather than find nothing).
MAX_INT = 2**31 - 1
#: Days outside this window are refused (they also keep the Shanghai → UTC arithmetic in range).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
MAX_TEXT = 254
SYSTEM_WORDS = frozenset({"system", "系统"})

_ACTION_RE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*(?:\.\*)?")
_TYPE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_DATE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


class FilterErrors(ServiceError):
    """One or more filter values are wrong; ``errors`` maps the query field to its Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()), field=next(iter(errors)))
        self.errors = errors


@dataclass(frozen=True)
class AuditFilter:
    """What to read: every condition given must hold."""

    actor: User | None = None
    #: Only events without an actor (seed, scheduler, command line).
    system: bool = False
    #: The actor's unit at the time of the event.
    unit: Unit | None = None
    object_type: str | None = None
    object_id: int | None = None
    #: An exact code ("progress.report") or an area ("user": every user.* code).
    action: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    #: The reader's part of the audit trail (permissions.visible_audit_events); None: all of it (the CLI).
    scope: sa.ColumnElement[bool] | None = field(default=None, compare=False)

    def query_args(self) -> dict[str, str]:
        """Return the filter as query arguments of the page (for pager and CSV links)."""
        args = {"user": "system" if self.system else (self.actor.email if self.actor else ""),
                "unit": str(self.unit.id) if self.unit else "", "object": self.object_type or "",
                "object_id": str(self.object_id) if self.object_id is not None else "", "action": self.action or "",
                "from": self.date_from.isoformat() if self.date_from else "",
                "to": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in args.items() if v}

    def is_empty(self) -> bool:
        """Return True when nothing is filtered."""
        return not self.query_args()


def _clean(raw: Mapping[str, Any], key: str, errors: dict[str, str]) -> str:
    value = raw.get(key)
    text = str(value).strip() if value is not None else ""
    if not text:
        return ""
    if first_forbidden(text) is not None:
        errors[key] = "含有不允许的控制字符"
        return ""
    if len(text) > MAX_TEXT:
        errors[key] = f"不能超过 {MAX_TEXT} 个字符"
        return ""
    return text


def parse_int(text: str) -> int | None:
    """Return a positive integer that fits the databases' INTEGER (ASCII digits only), or None."""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_INT else None


def parse_day(text: str) -> dt.date | None:
    """Return the date written as 2024-07-18 (also 2024-7-18, 2024/7/18), or None."""
    match = _DATE_RE.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _day(raw: Mapping[str, Any], key: str, errors: dict[str, str]) -> dt.date | None:
    text = _clean(raw, key, errors)
    if not text:
        return None
    day = parse_day(text)
    if day is None:
        errors[key] = f"“{text}”不是有效日期，请按 年-月-日 填写，如 2024-07-18"
    elif not FIRST_DAY <= day <= LAST_DAY:
        errors[key] = "日期应在 2000 年至 2099 年之间"
    else:
        return day
    return None


def parse_filter(raw: Mapping[str, Any]) -> AuditFilter:
    """Read the filter from query values (user, unit, object, object_id, action, from, to); raise FilterErrors."""
    errors: dict[str, str] = {}
    actor, system, unit = None, False, None
    who = _clean(raw, "user", errors)
    if who.lower() in SYSTEM_WORDS:
        system = True
    elif who:
        actor = find_by_email(who)
        if actor is None:
            errors["user"] = f"没有邮箱为“{who}”的账号"
    unit_text = _clean(raw, "unit", errors)
    if unit_text:
        is_number = unit_text.isascii() and unit_text.isdigit()
        unit_id = parse_int(unit_text)
        unit = db.session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None:
            unit = db.session.scalar(sa.select(Unit).where(Unit.name == unit_text))
        if unit is None:
            errors["unit"] = f"单位编号 {unit_text} 不存在" if is_number else f"没有名为“{unit_text}”的单位"
    type_text = _clean(raw, "object", errors)
    object_type = None
    if type_text:
        object_type = audit_labels.object_type_from_text(type_text) or type_text
        if not _TYPE_RE.fullmatch(object_type):
            errors["object"] = f"对象类型“{type_text}”无效"
            object_type = None
    id_text = _clean(raw, "object_id", errors)
    object_id = None
    if id_text:
        object_id = parse_int(id_text)
        if object_id is None:
            errors["object_id"] = f"对象编号“{id_text}”无效，应为正整数"
        elif not type_text:
            errors["object_id"] = "按编号查询时请同时选择对象类型"
    action = _clean(raw, "action", errors) or None
    if action:
        action = audit_labels.action_from_label(action) or action.removesuffix(".*")
        if not _ACTION_RE.fullmatch(action):
            errors["action"] = f"操作“{raw.get('action')}”无效，应为操作代码（如 progress.report）或类别（如 user）"
    date_from, date_to = _day(raw, "from", errors), _day(raw, "to", errors)
    if date_from and date_to and date_from > date_to:
        errors["to"] = "结束日期不能早于开始日期"
    if errors:
        raise FilterErrors(errors)
    return AuditFilter(actor=actor, system=system, unit=unit, object_type=object_type, object_id=object_id,
                       action=action, date_from=date_from, date_to=date_to)


def parse_page(value: str | None) -> int:
    """Return the page number asked for (1 when none); raise FilterErrors for anything but a positive integer."""
    text = (value or "").strip()
    if not text:
        return 1
    page = parse_int(text)
    if page is None:
        raise FilterErrors({"page": "页码应为正整数"})
    return page


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SHANGHAI).astimezone(dt.UTC)


def conditions(flt: AuditFilter) -> list[sa.ColumnElement[bool]]:
    """Return the SQL conditions of a filter (days are Asia/Shanghai days, both ends included)."""
    where: list[sa.ColumnElement[bool]] = [] if flt.scope is None else [flt.scope]
    if flt.system:
        where.append(AuditEvent.actor_id.is_(None))
    elif flt.actor is not None:
        where.append(AuditEvent.actor_id == flt.actor.id)
    if flt.unit is not None:
        where.append(AuditEvent.actor_unit_id == flt.unit.id)
    if flt.object_type:
        where.append(AuditEvent.object_type == flt.object_type)
    if flt.object_id is not None:
        where.append(AuditEvent.object_id == flt.object_id)
    if flt.action:
        if "." in flt.action:
            where.append(AuditEvent.action == flt.action)
        else:  # an area: every code "user.…" (LIKE, not a range: a range depends on the database's collation)
            where.append(AuditEvent.action.like(flt.action.replace("_", "\\_") + ".%", escape="\\"))
    if flt.date_from:
        where.append(AuditEvent.created_at >= _start_of(flt.date_from))
    if flt.date_to:
        where.append(AuditEvent.created_at < _start_of(flt.date_to + dt.timedelta(days=1)))
    return where


def describe_filter(flt: AuditFilter) -> str:
    """Return the filter in one line for logs ("全部" when empty)."""
    return " ".join(f"{k}={v}" for k, v in flt.query_args().items()) or "全部"


@dataclass(frozen=True)
class FilterChoices:
    """What the filter form offers."""

    users: list[tuple[str, str]]
    units: list[tuple[int, str]]
    actions: list[tuple[str, str, list[tuple[str, str]]]]
    object_types: list[tuple[str, str]]

    def offers(self, name: str, value: str) -> bool:
        """Return whether the form's ``name`` select has an option ``value`` (else it is added as typed)."""
        if name == "unit":
            return value in {str(i) for i, _ in self.units}
        if name == "object":
            return value in {code for code, _ in self.object_types}
        return any(value == area or value in {code for code, _ in codes} for area, _, codes in self.actions)


def filter_choices(groups: Collection[int] | None = None) -> FilterChoices:
    """Return the accounts (e-mail, name), units, actions by area and object types for the filter form (the accounts
    and units of these work groups only, when given: the reader's part of the tree)."""
    user_query = sa.select(User.email, User.name).order_by(User.email)
    unit_query = sa.select(Unit.id, Unit.name).order_by(Unit.sort_order, Unit.id)
    if groups is not None:
        user_query = user_query.where(User.work_group_id.in_(sorted(groups)))
        unit_query = unit_query.where(Unit.work_group_id.in_(sorted(groups)))
    users = [(e, n) for e, n in db.session.execute(user_query)]
    units = [(i, n) for i, n in db.session.execute(unit_query)]
    areas: dict[str, list[tuple[str, str]]] = {}
    for code, label in audit_labels.ACTION_LABELS.items():
        areas.setdefault(code.split(".", 1)[0], []).append((code, label))
    actions = [(area, audit_labels.AREA_LABELS.get(area, area), codes) for area, codes in areas.items()]
    return FilterChoices(users=users, units=units, actions=actions,
                         object_types=list(audit_labels.OBJECT_LABELS.items()))
