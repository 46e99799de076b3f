"""The policy's rules for uploaded files: whose object a file follows, and who may download it. Part of the one policy
module (``can(user, Action.VIEW_ATTACHMENT, attachment)`` answers from here); split out by size only.

A file is read by exactly the readers of the object it belongs to (progress evidence, a pilot log, a case report,
a 联络员会议); a file of any other kind by the secretariat and its uploader only.
"""

from __future__ import annotations

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Attachment, Role, Unit, User
from tasktrack.permissions import _can_view_case, _can_view_case_history, _can_view_meeting, _reads, role_is

#: The owner type of a 联络员会议's files (services/meetings.py attaches them under it).
MEETING_FILES = "meeting"


def attachment_owner(attachment: Attachment) -> object | None:
    """Return the object whose group a file follows: a progress report's assignment, a pilot log's unit,
    a case report, a meeting; None for a file of another kind (or whose owner is gone)."""
    from tasktrack.models import CaseReport, Meeting, PilotLog, ProgressReport

    if attachment.owner_type == "progress_report":
        report = db.session.get(ProgressReport, attachment.owner_id)
        return report.assignment if report is not None else None
    if attachment.owner_type == "pilot_log":
        log = db.session.get(PilotLog, attachment.owner_id)
        return db.session.get(Unit, log.unit_id) if log is not None else None
    if attachment.owner_type == "case_report":
        return db.session.get(CaseReport, attachment.owner_id)
    if attachment.owner_type == MEETING_FILES:
        return db.session.get(Meeting, attachment.owner_id)
    return None


def can_view_attachment(user: User, attachment: Attachment) -> bool:
    """Evidence of progress reports and pilot logs is read by everyone who reads the assignment / the unit; a case
    report's files follow the case: its readers see the current version's files, its unit and the secretariat
    every version's; a meeting's files are read by whoever reads the meeting (its invited units, the secretariat and
    leaders of the tree)."""
    owner = attachment_owner(attachment)
    if owner is not None and not _reads(user, owner):
        return False  # another work group's file
    if attachment.owner_type in ("progress_report", "pilot_log"):
        return owner is not None  # read by every signed-in user of the tree, like the plan's progress
    if attachment.owner_type == MEETING_FILES:
        return owner is not None and _can_view_meeting(user, owner)
    if attachment.owner_type == "case_report":
        from tasktrack.models import CaseReport, CaseVersion, CaseVersionFile

        case = owner
        if not isinstance(case, CaseReport) or not _can_view_case(user, case):
            return False
        if _can_view_case_history(user, case):
            return True
        # Other readers: only a file the current (accepted) version carries.
        return db.session.scalar(
            sa.select(CaseVersionFile.attachment_id).join(CaseVersion, CaseVersion.id == CaseVersionFile.version_id)
            .where(CaseVersion.case_id == case.id, CaseVersion.number == case.version,
                   CaseVersionFile.attachment_id == attachment.id)
        ) is not None
    return role_is(user, Role.SECRETARIAT) or attachment.uploaded_by_id == user.id
