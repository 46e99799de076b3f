"""Keep ``Assignment.latest_report_id`` pointing at the assignment's newest progress report on every ORM insert.

"Newest" is the highest id (services/progress.py ``latest_report``: reports are append-only, never deleted, hidden
or withdrawn; a correction is a new row). The lists that show many assignments with their latest report
(我的任务, the exports, the cascade) join that report by this key instead of taking max(id) over every report of
every assignment they show.

The column is a copy, so it is kept here, in one place: after the INSERT of any ``ProgressReport`` through the ORM
(services/progress.submit_report, which the web forms, the API, the CLI's demo seed and the secretariat's
summaries of inbound work all go through), one UPDATE moves the assignment's pointer to the new report unless it
already points at a newer one; a copy of the assignment loaded in the session is told the new value without a
round trip. Statements that bypass the ORM (the bench's generators, which write reports with Core and COPY) must
set it themselves: :func:`fill` sets it for every assignment from the reports in one statement, as migration
0022 does (tests/services/test_latest_report.py reads every path).
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


#: Each assignment's newest report id (NULL when it has none), in one statement: portable SQL, and PostgreSQL's
#: UPDATE … FROM over one grouped pass of the reports (seconds, not minutes, at two million reports).
FILL_SQL = ("UPDATE assignments SET latest_report_id = "
            "(SELECT max(progress_reports.id) FROM progress_reports "
            "WHERE progress_reports.assignment_id = assignments.id)")
FILL_SQL_POSTGRESQL = ("UPDATE assignments SET latest_report_id = newest.id FROM "
                       "(SELECT assignment_id, max(id) AS id FROM progress_reports GROUP BY assignment_id) AS newest "
                       "WHERE newest.assignment_id = assignments.id "
                       "AND assignments.latest_report_id IS DISTINCT FROM newest.id")


def fill(connection: sa.Connection) -> None:
    """Set every assignment's ``latest_report_id`` from its reports (one statement; for bulk loads that bypass the
    ORM; migration 0022 runs the same SQL)."""
    connection.execute(sa.text(FILL_SQL_POSTGRESQL if connection.dialect.name == "postgresql" else FILL_SQL))


def install() -> None:
    """Keep the column on every ORM insert of a report in the process (idempotent)."""
    if not sa.event.contains(ProgressReport, "after_insert", _point):
        sa.event.listen(ProgressReport, "after_insert", _point)
