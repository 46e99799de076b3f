"""All models, imported here so Alembic autogenerate sees every table."""

from tasktrack.models.attachment import Attachment
from tasktrack.models.audit import AuditEvent
from tasktrack.models.base import Base
from tasktrack.models.cache import DataVersion
from tasktrack.models.calendar import CalendarToken
from tasktrack.models.case import CaseKind, CaseReport, CaseReview, CaseStatus, CaseVersion, CaseVersionFile
from tasktrack.models.observation import FocusChoice, FocusChoiceItem, FocusItem, FocusReopen, PilotLog
from tasktrack.models.plan import Assignment, AssignmentStatus, CompletionState, Plan, Section, Task, TaskTerm
from tasktrack.models.progress import (
    ExtensionRequest,
    ExtensionStatus,
    ProgressReport,
    SupervisionKind,
    SupervisionRecord,
)
from tasktrack.models.reminder import (
    DigestPreference,
    Notification,
    NotificationItem,
    NotificationKind,
    NotificationStatus,
    SchedulerLock,
)
from tasktrack.models.unit import Category, Unit, UnitKind, unit_categories
from tasktrack.models.user import ApiToken, LoginThrottle, Role, User

__all__ = [
    "ApiToken",
    "Assignment",
    "AssignmentStatus",
    "Attachment",
    "AuditEvent",
    "Base",
    "CalendarToken",
    "CaseKind",
    "CaseReport",
    "CaseReview",
    "CaseStatus",
    "CaseVersion",
    "CaseVersionFile",
    "Category",
    "CompletionState",
    "DataVersion",
    "DigestPreference",
    "ExtensionRequest",
    "ExtensionStatus",
    "FocusChoice",
    "FocusChoiceItem",
    "FocusItem",
    "FocusReopen",
    "LoginThrottle",
    "Notification",
    "NotificationItem",
    "NotificationKind",
    "NotificationStatus",
    "PilotLog",
    "Plan",
    "ProgressReport",
    "Role",
    "SchedulerLock",
    "Section",
    "SupervisionKind",
    "SupervisionRecord",
    "Task",
    "TaskTerm",
    "Unit",
    "UnitKind",
    "User",
    "unit_categories",
]
