"""All models, imported here so Alembic autogenerate sees every table."""

from tasktrack.models.attachment import Attachment
from tasktrack.models.audit import AuditEvent
from tasktrack.models.base import Base
from tasktrack.models.cache import DataVersion, DataVersionScope
from tasktrack.models.calendar import CalendarToken
from tasktrack.models.case import CaseKind, CaseReport, CaseReview, CaseStatus, CaseVersion, CaseVersionFile
from tasktrack.models.matter import MATTER_SOURCE_LABELS, Matter, MatterSource, Meeting, MeetingUnit
from tasktrack.models.observation import FocusChoice, FocusChoiceItem, FocusItem, FocusReopen, PilotLog
from tasktrack.models.plan import (
    Assignment,
    AssignmentStatus,
    CompletionState,
    Plan,
    PlanKind,
    Section,
    Task,
    TaskMilestone,
    TaskTerm,
)
from tasktrack.models.plan_import import ImportStatus, PlanImport, PlanImportRow
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
    NotificationChannel,
    NotificationItem,
    NotificationKind,
    NotificationStatus,
    SchedulerLock,
)
from tasktrack.models.target import PlanImportTarget, PlanTarget, TargetValue
from tasktrack.models.unit import Category, Unit, UnitKind, unit_categories
from tasktrack.models.user import ApiToken, LoginThrottle, Role, User
from tasktrack.models.work_group import DEFAULT_WORK_GROUP_NAME, NameAlias, TaskLink, WorkGroup, WorkGroupLevel

__all__ = [
    "DEFAULT_WORK_GROUP_NAME",
    "MATTER_SOURCE_LABELS",
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
    "DataVersionScope",
    "DigestPreference",
    "ExtensionRequest",
    "ExtensionStatus",
    "FocusChoice",
    "FocusChoiceItem",
    "FocusItem",
    "FocusReopen",
    "ImportStatus",
    "LoginThrottle",
    "Matter",
    "MatterSource",
    "Meeting",
    "MeetingUnit",
    "NameAlias",
    "Notification",
    "NotificationChannel",
    "NotificationItem",
    "NotificationKind",
    "NotificationStatus",
    "PilotLog",
    "Plan",
    "PlanImport",
    "PlanImportRow",
    "PlanImportTarget",
    "PlanKind",
    "PlanTarget",
    "ProgressReport",
    "Role",
    "SchedulerLock",
    "Section",
    "SupervisionKind",
    "SupervisionRecord",
    "TargetValue",
    "Task",
    "TaskLink",
    "TaskMilestone",
    "TaskTerm",
    "Unit",
    "UnitKind",
    "User",
    "WorkGroup",
    "WorkGroupLevel",
    "unit_categories",
]
