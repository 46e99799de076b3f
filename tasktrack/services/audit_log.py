"""Read the audit trail: one page of events newest first, or all of them in batches, as readable rows.

The page (/admin/audit), its CSV download (services/audit_csv.py) and ``flask --app wsgi audit list`` all
parse their filters with ``audit_filter.parse_filter`` and read through here, so the three always agree.
Reading is not itself recorded as an audit event (the trail records writes; see README); CSV downloads
are logged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tasktrack.clock import SHANGHAI
from tasktrack.domain import audit_labels
from tasktrack.domain.paging import PageMath
from tasktrack.extensions import db
from tasktrack.models import (
    ApiToken,
    AssignmentStatus,
    AuditEvent,
    CalendarToken,
    CaseKind,
    CaseStatus,
    CompletionState,
    ExtensionRequest,
    ExtensionStatus,
    FocusChoice,
    FocusReopen,
    NotificationKind,
    NotificationStatus,
    PilotLog,
    ProgressReport,
    Role,
    Unit,
    UnitKind,
    User,
)
from tasktrack.services.audit_filter import AuditFilter, conditions

PER_PAGE = 50
#: Rows read per query when streaming (CSV, command line).
BATCH = 500

#: Codes of a field, per object type, shown by their Chinese names.
_ENUMS: dict[str, dict[str, Any]] = {
    "User": {"role": Role},
    "Unit": {"kind": UnitKind},
    "Assignment": {"status": AssignmentStatus, "completion_state": CompletionState},
    "ProgressReport": {"status": AssignmentStatus, "completion_state": CompletionState},
    "ExtensionRequest": {"status": ExtensionStatus},
    "CaseReport": {"status": CaseStatus, "kind": CaseKind},
    "Notification": {"status": NotificationStatus, "kind": NotificationKind},
}
#: ExtensionStatus has no Chinese labels of its own (its page words them per situation).
_EXTENSION_LABELS = {"pending": "待审核", "approved": "已同意", "refused": "未同意", "withdrawn": "已撤回"}
VALUE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    object_type: {name: {m.value: getattr(m, "label", None) or _EXTENSION_LABELS.get(m.value, m.value)
                         for m in enum_cls} for name, enum_cls in fields.items()}
    for object_type, fields in _ENUMS.items()
}

#: Where an object's page is: types whose page is keyed by the object's own id ...
DIRECT_TARGETS = {"User": "user", "Unit": "unit", "Plan": "plan", "Task": "task", "Assignment": "assignment",
                  "CaseReport": "case", "Notification": "notification"}
#: ... and types whose page is that of a row they point to (one query per type on a page).
VIA_TARGETS: dict[str, tuple[Any, Any, str]] = {
    "ProgressReport": (ProgressReport.id, ProgressReport.assignment_id, "assignment"),
    "ExtensionRequest": (ExtensionRequest.id, ExtensionRequest.assignment_id, "assignment"),
    "FocusChoice": (FocusChoice.id, FocusChoice.unit_id, "observation_point"),
    "FocusReopen": (FocusReopen.id, FocusReopen.unit_id, "observation_point"),
    "PilotLog": (PilotLog.id, PilotLog.unit_id, "observation_point"),
    "ApiToken": (ApiToken.id, ApiToken.user_id, "user"),
    "CalendarToken": (CalendarToken.id, CalendarToken.user_id, "user"),
}




_COLUMNS = (AuditEvent.id, AuditEvent.created_at, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
            AuditEvent.summary, AuditEvent.before, AuditEvent.after, AuditEvent.actor_id,
            User.name.label("actor_name"), User.email.label("actor_email"), Unit.name.label("unit_name"))
_NEWEST_FIRST = (AuditEvent.created_at.desc(), AuditEvent.id.desc())


def _select(flt: AuditFilter) -> sa.Select[Any]:
    return (sa.select(*_COLUMNS)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .outerjoin(Unit, Unit.id == AuditEvent.actor_unit_id)
            .where(*conditions(flt)))


@dataclass(frozen=True)
class Target:
    """The page an event's object is shown on: a kind of page ("assignment", "user", …) and its id."""

    kind: str
    id: int


@dataclass
class EventRow:
    """One event as the page, the CSV and the command line show it."""

    id: int
    created_at: dt.datetime
    action: str
    object_type: str
    object_id: int | None
    summary: str
    actor_id: int | None
    actor_name: str | None
    actor_email: str | None
    unit_name: str | None
    changes: list[audit_labels.Change]
    target: Target | None = None

    @property
    def local_time(self) -> str:
        """Return the time in Asia/Shanghai, to the second."""
        return f"{self.created_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}"

    @property
    def action_label(self) -> str:
        return audit_labels.action_label(self.action)

    @property
    def object_label(self) -> str:
        return audit_labels.object_label(self.object_type)

    @property
    def is_system(self) -> bool:
        return self.actor_id is None


def _row(r: Any) -> EventRow:
    labels = VALUE_LABELS.get(r.object_type)
    return EventRow(id=r.id, created_at=r.created_at, action=r.action, object_type=r.object_type,
                    object_id=r.object_id, summary=r.summary or "", actor_id=r.actor_id, actor_name=r.actor_name,
                    actor_email=r.actor_email, unit_name=r.unit_name,
                    changes=audit_labels.changes(r.before, r.after, labels))


def _link(rows: list[EventRow]) -> None:
    """Set each row's target page: direct for most types; for the pointing types, one query for the whole page."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        if row.object_id is None:
            continue
        if row.object_type in DIRECT_TARGETS:
            row.target = Target(DIRECT_TARGETS[row.object_type], row.object_id)
        elif row.object_type in VIA_TARGETS:
            wanted.setdefault(row.object_type, set()).add(row.object_id)
    if not wanted:
        return
    parts = [sa.select(sa.literal(object_type).label("object_type"), key.label("object_id"),
                       points_to.label("target_id")).where(key.in_(sorted(ids)))
             for object_type, ids in wanted.items()
             for key, points_to, _kind in [VIA_TARGETS[object_type]]]
    found = {(t, i): target for t, i, target in db.session.execute(sa.union_all(*parts)).tuples()}
    for row in rows:
        target_id = found.get((row.object_type, row.object_id))
        if target_id is not None:
            row.target = Target(VIA_TARGETS[row.object_type][2], target_id)


@dataclass
class AuditPage(PageMath):
    """One page of events, newest first."""

    rows: list[EventRow]
    total: int
    page: int
    per_page: int
    filter: AuditFilter = field(default_factory=AuditFilter)

    @property
    def first_number(self) -> int:
        """Return the position of the page's first row among all matching rows (1-based)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0


def search(flt: AuditFilter, *, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """Return one page of the events matching ``flt``, newest first (a page past the end shows the last)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(*conditions(flt))) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    result = db.session.execute(_select(flt).order_by(*_NEWEST_FIRST).limit(per_page).offset((page - 1) * per_page))
    rows = [_row(r) for r in result]
    _link(rows)
    return AuditPage(rows=rows, total=total, page=page, per_page=per_page, filter=flt)


def iter_rows(flt: AuditFilter, *, limit: int | None = None, batch: int = BATCH) -> Iterator[EventRow]:
    """Yield the events matching ``flt`` newest first, read in batches by keyset (new events do not shift it)."""
    seen = 0
    after: tuple[dt.datetime, int] | None = None
    while limit is None or seen < limit:
        size = batch if limit is None else min(batch, limit - seen)
        query = _select(flt)
        if after is not None:
            query = query.where(sa.or_(AuditEvent.created_at < after[0],
                                       sa.and_(AuditEvent.created_at == after[0], AuditEvent.id < after[1])))
        chunk = db.session.execute(query.order_by(*_NEWEST_FIRST).limit(size)).all()
        for r in chunk:
            yield _row(r)
        seen += len(chunk)
        if len(chunk) < size:
            return
        after = (chunk[-1].created_at, chunk[-1].id)


