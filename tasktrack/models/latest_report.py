"""Keep ``Assignment.latest_report_id`` pointing at the assignment's newest progress report on every ORM insert.

"Newest" is the highest id (services/progress.py ``latest_report``: reports are append-only, never deleted, hidden
or withdrawn; a correction is a new row). The lists that show many assignments with their latest report
(我的任务, the exports, the cascade) join that report by this key instead of taking max(id) over every report of
every assignment they show.

The column is a copy, so it is kept here, in one place: after the INSERT of any ``ProgressReport`` through the ORM
(services/progress.submit_report, which the web forms, the API, the CLI's demo seed and the secretariat's
summaries of inbound work all go through), one UPDATE moves the assignment's pointer to the new report unless it
already points at a newer one; a copy of the assignment loaded in the session is told the new value without a
round trip. Statements that bypass the ORM must set it themselves: the bench's generators, which write reports
with Core and COPY, set it for every assignment in one statement (bench/rows.py ``SIGN_AND_POINT``), as migration
0022 does for the rows before it (tests/services/test_latest_report.py reads every path).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapper, Session, attributes, object_session

from tasktrack.models.plan import Assignment
from tasktrack.models.progress import ProgressReport


def _point(_mapper: Mapper[Any], connection: sa.Connection, report: ProgressReport) -> None:
    """After a report's INSERT: point its assignment at it (unless a newer report is there already)."""
    connection.execute(
        sa.update(Assignment)
        .where(Assignment.id == report.assignment_id,
               sa.or_(Assignment.latest_report_id.is_(None), Assignment.latest_report_id < report.id))
        .values(latest_report_id=report.id))
    session = object_session(report)
    assignment = session.identity_map.get(Session.identity_key(Assignment, report.assignment_id)) \
        if session is not None else None
    if assignment is not None and (assignment.latest_report_id or 0) < report.id:
        attributes.set_committed_value(assignment, "latest_report_id", report.id)


def install() -> None:
    """Keep the column on every ORM insert of a report in the process (idempotent)."""
    if not sa.event.contains(ProgressReport, "after_insert", _point):
        sa.event.listen(ProgressReport, "after_insert", _point)
