"""What an assignment list is narrowed to: the dashboard's Python filter and the overdue list's SQL share it."""

from __future__ import annotations

from dataclasses import dataclass

from tasktrack.domain.lights import Light
from tasktrack.models import Assignment, CompletionState
from tasktrack.services.read.overview import AssignmentRow


@dataclass(frozen=True)
class Filters:
    """What the assignment list is narrowed to (all optional)."""

    light: Light | None = None
    reason: str | None = None
    section_id: int | None = None
    unit_id: int | None = None
    category: str | None = None
    #: The reader's part of the work-group tree (permissions.visible_group_ids) and the reader's own work group,
    #: whose inbound assignments (上级下达任务) it reads too; None: every work group (the system, the provincial
    #: dashboards until they pass one). Kept in the filters so the render cache's key carries it.
    groups: frozenset[int] | None = None
    inbound_group: int | None = None

    def in_tree(self, assignment: Assignment) -> bool:
        """Whether the assignment lies in the reader's part of the tree (agrees with can(VIEW_ASSIGNMENT))."""
        unit = assignment.unit
        return self.groups is None or unit.work_group_id in self.groups or (
            self.inbound_group is not None and unit.represents_work_group_id == self.inbound_group)

    def matches(self, row: AssignmentRow) -> bool:
        a = row.assignment
        if not self.in_tree(a):
            return False
        if self.light is not None and row.light.light is not self.light:
            return False
        if self.reason == "claimed":
            if a.completion_state is not CompletionState.CLAIMED:
                return False
        elif self.reason == "unacknowledged":
            if a.acknowledged_at is not None:
                return False
        elif self.reason is not None and row.light.reason.value != self.reason:
            return False
        if self.section_id is not None and a.task.section_id != self.section_id:
            return False
        if self.unit_id is not None and a.unit_id != self.unit_id:
            return False
        return self.category is None or any(c.code == self.category for c in a.unit.categories)
