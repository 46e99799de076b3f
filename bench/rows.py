"""The generators' building blocks: explicit ids, bulk inserts, PostgreSQL's sequences, a unit's row, instants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tasktrack.clock import SHANGHAI
from tasktrack.extensions import db

BATCH = 5000


@dataclass
class Ids:
    """The next free id of each table (explicit ids let one pass link rows without round trips)."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Stats:
    """What the generator made, for the bench report."""

    plans: int = 0
    units: int = 0
    users: int = 0
    assignments: int = 0
    reports: int = 0
    cases: int = 0
    groups: int = 1
    links: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _utc(day: dt.date, minute_of_day: int) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SHANGHAI) + dt.timedelta(minutes=minute_of_day)
    return local.astimezone(dt.UTC)


def _insert(table: sa.Table | Any, rows: list[dict[str, Any]]) -> None:
    target = table if isinstance(table, sa.Table) else table.__table__
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(target), rows[start:start + BATCH])


def _start_ids(ids: Ids, *tables: str) -> None:
    for name in tables:
        table = db.Model.metadata.tables[name]
        ids.next[name] = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def _fix_sequences(*tables: str) -> None:
    """Move PostgreSQL's id sequences past the explicit ids (SQLite needs nothing)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in tables:
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT coalesce(max(id), 1) FROM {name}))"))


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def _unit(uid: int, name: str, kind: str, parent: int | None, order: int, now: dt.datetime) -> dict[str, Any]:
    return {"id": uid, "name": name, "kind": kind, "contact_emails": f"unit{uid}@bench.example.org",
            "leader_email": f"leader{uid}@bench.example.org", "parent_id": parent, "sort_order": order,
            "is_active": True, "created_at": now}


#: Every assignment signed for (签收) as of its creation, as migration 0018 signs rows older than 签收, and pointed at
#: its newest report (``latest_report_id``, which the ORM keeps on every report it writes: models/latest_report.py;
#: the generators write reports past it). One UPDATE of every assignment, not two: a second would leave a second
#: dead copy of every row for autovacuum, and the pages would be measured on a table twice its size.
SIGN_AND_POINT = ("UPDATE assignments SET acknowledged_at = coalesce(acknowledged_at, created_at), "
                  "latest_report_id = (SELECT max(progress_reports.id) FROM progress_reports "
                  "WHERE progress_reports.assignment_id = assignments.id)")
SIGN_AND_POINT_POSTGRESQL = (
    "UPDATE assignments SET acknowledged_at = coalesce(assignments.acknowledged_at, assignments.created_at), "
    "latest_report_id = newest.id FROM assignments AS this LEFT JOIN "
    "(SELECT assignment_id, max(id) AS id FROM progress_reports GROUP BY assignment_id) AS newest "
    "ON newest.assignment_id = this.id WHERE this.id = assignments.id")


def _sign_and_point() -> None:
    """Sign every generated assignment and point it at its newest report, in one statement (see SIGN_AND_POINT)."""
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    db.session.execute(sa.text(SIGN_AND_POINT_POSTGRESQL if postgresql else SIGN_AND_POINT))
