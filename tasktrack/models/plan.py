"""The work plan: plans, sections (主要任务), tasks (具体工作), parsed responsibility, assignments."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.models.base import Base, str_enum
from tasktrack.models.unit import Category, Unit

if TYPE_CHECKING:
    from tasktrack.models.progress import ProgressReport
    from tasktrack.models.user import User


class PlanKind(enum.StrEnum):
    """What a plan is: an issued work plan, or a work group's yearly container of 交办事项 (assigned matters).

    A matters container is never listed as a plan (plan lists, imports, carry-over, bulletins): its tasks are
    shown as 交办事项 on /matters, with their assignments, lights, reports and review exactly like plan tasks.
    """

    PLAN = "plan"
    MATTERS = "matters"


class Plan(Base):
    """One year's work plan of one issuing body (工作要点 / 工作任务表)."""

    __tablename__ = "plans"
    __table_args__ = (sa.UniqueConstraint("work_group_id", "year", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The work group that issued the plan: its names resolve among that group's units and categories.
    work_group_id: Mapped[int] = mapped_column(sa.ForeignKey("work_groups.id"), index=True)
    #: The first year of the plan period.
    year: Mapped[int]
    #: The last year of a plan spanning several years (2025—2027); None for a one-year plan.
    end_year: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(200))
    #: e.g. 浙江省清廉社会组织建设工作专班〔2024〕4号
    document_number: Mapped[str] = mapped_column(sa.String(200), default="")
    issued_on: Mapped[dt.date | None]
    #: Observation points choose their focus items by this date (2024: 4月30日).
    focus_choice_deadline: Mapped[dt.date | None]
    #: Number of the task that case reports count toward (2024: 16, 定期报送…典型案例和经验做法); set by the
    #: seed from plan.yaml's ``case_task``. A number, not a foreign key, so plans and tasks keep no FK cycle.
    #: A submitted case adds a progress report on the unit's open assignment on that task.
    case_task_number: Mapped[int | None]
    #: Year-round tasks expect a progress report every this many months (3 = quarterly).
    report_period_months: Mapped[int] = mapped_column(default=3)
    #: A dated task turns yellow this many days before its deadline.
    warning_days: Mapped[int] = mapped_column(default=14)
    #: The document's preamble (总体要求, 指导思想, 工作目标 …) kept as the plan's context, not as tasks.
    context: Mapped[str] = mapped_column(sa.Text, default="")
    #: Closed plans keep their history but take no new assignments.
    is_closed: Mapped[bool] = mapped_column(default=False)
    is_deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime]
    #: A plan, or the work group's yearly container of 交办事项 (see PlanKind).
    kind: Mapped[PlanKind] = mapped_column(str_enum(PlanKind, 16), default=PlanKind.PLAN,
                                           server_default=PlanKind.PLAN.value)

    sections: Mapped[list[Section]] = relationship(
        back_populates="plan", order_by="Section.number", cascade="all, delete-orphan"
    )

    @property
    def is_matters(self) -> bool:
        """Return whether this is a work group's 交办事项 container rather than a work plan."""
        return self.kind is PlanKind.MATTERS

    @property
    def last_year(self) -> int:
        """Return the last year of the plan period."""
        return self.end_year or self.year

    @property
    def period_label(self) -> str:
        """Return the plan period as shown: "2025年" or "2025—2027年"."""
        return f"{self.year}年" if self.last_year == self.year else f"{self.year}—{self.last_year}年"

    @property
    def starts_on(self) -> dt.date:
        """Return the first day work is expected (the issue date, else 1 January)."""
        return self.issued_on or dt.date(self.year, 1, 1)

    def __repr__(self) -> str:
        return f"<Plan {self.year} {self.title}>"


class Section(Base):
    """A main task (主要任务) grouping tasks, e.g. 一、强化党建统领."""

    __tablename__ = "sections"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    number: Mapped[int]
    #: As written, e.g. 一、强化党建统领
    title: Mapped[str] = mapped_column(sa.String(200))

    plan: Mapped[Plan] = relationship(back_populates="sections")
    tasks: Mapped[list[Task]] = relationship(back_populates="section", order_by="Task.number")


def task_ref(number: int, kind: PlanKind) -> str:
    """Return a task's number as shown beside other plans' tasks (Task.ref; pages that read tasks as columns)."""
    return f"交办{number}" if kind is PlanKind.MATTERS else str(number)


class Task(Base):
    """One line of the task table (具体工作)."""

    __tablename__ = "tasks"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("sections.id"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    #: 完成时间节点 exactly as written.
    deadline_phrase: Mapped[str] = mapped_column(sa.String(100))
    deadline_kind: Mapped[DeadlineKind] = mapped_column(str_enum(DeadlineKind))
    #: The parsed due date (year end for year-round work).
    due_date: Mapped[dt.date | None]
    #: Reporting cadence in months when the phrase implies one (每季度 = 3); else the plan's.
    period_months: Mapped[int | None]
    #: 责任单位 exactly as written.
    responsible_phrase: Mapped[str] = mapped_column(sa.String(500))
    is_deleted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime]

    plan: Mapped[Plan] = relationship()
    section: Mapped[Section] = relationship(back_populates="tasks")
    terms: Mapped[list[TaskTerm]] = relationship(
        back_populates="task", order_by="TaskTerm.position", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(back_populates="task", order_by="Assignment.id")
    milestones: Mapped[list[TaskMilestone]] = relationship(
        back_populates="task", order_by="TaskMilestone.position", cascade="all, delete-orphan"
    )

    @property
    def ref(self) -> str:
        """The task's number as shown beside other plans' tasks: "3", or "交办3" for a 交办事项 (a matters container's
        task), so that 我的任务 and a unit's reminder never show two different items both numbered 3."""
        return task_ref(self.number, self.plan.kind)

    @property
    def label(self) -> str:
        return f"{self.ref}. {self.text}"

    @property
    def named(self) -> str:
        """The task as a heading or message names it: "任务 3", or "交办事项 3" for a matter."""
        return f"交办事项 {self.number}" if self.plan.kind is PlanKind.MATTERS else f"任务 {self.number}"

    def __repr__(self) -> str:
        return f"<Task {self.plan_id}/{self.number}>"


class TaskMilestone(Base):
    """One stage of a two-stage deadline ("3月底前启动，12月底前完成"): its label and date, each with its light."""

    __tablename__ = "task_milestones"
    __table_args__ = (sa.UniqueConstraint("task_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(100))
    due_date: Mapped[dt.date]

    task: Mapped[Task] = relationship(back_populates="milestones")


class TaskTerm(Base):
    """One parsed piece of a task's responsible phrase: a named unit or a category."""

    __tablename__ = "task_terms"
    __table_args__ = (
        sa.CheckConstraint("(unit_id IS NULL) <> (category_id IS NULL)", name="unit_xor_category"),
        sa.UniqueConstraint("task_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    position: Mapped[int]
    #: The piece as written.
    text: Mapped[str] = mapped_column(sa.String(200))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    #: What the phrase's wording says of this piece: "lead" (牵头), "co" (配合, 会同 …) or None (not said: the first
    #: named unit leads).
    role: Mapped[str | None] = mapped_column(sa.String(10))

    task: Mapped[Task] = relationship(back_populates="terms")
    unit: Mapped[Unit | None] = relationship()
    category: Mapped[Category | None] = relationship()


class AssignmentStatus(enum.StrEnum):
    """Where a unit stands on an assignment, as its latest report says."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return STATUS_LABELS[self]


class CompletionState(enum.StrEnum):
    """Whether a claimed completion has been confirmed by the secretariat (办结) or sent back (退回)."""

    NONE = "none"
    CLAIMED = "claimed"
    CONFIRMED = "confirmed"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return COMPLETION_LABELS[self]


COMPLETION_LABELS = {
    CompletionState.NONE: "—",
    CompletionState.CLAIMED: "待确认办结",
    CompletionState.CONFIRMED: "已确认办结",
    CompletionState.RETURNED: "已退回",
}

STATUS_LABELS = {
    AssignmentStatus.NOT_STARTED: "未开始",
    AssignmentStatus.IN_PROGRESS: "推进中",
    AssignmentStatus.COMPLETED: "已完成",
}


#: Open (not closed) and not completed (a claimed completion counts as completed): the work that can be red, as the
#: partial index ``ix_assignments_red`` is restricted to it (services/read/overdue.py writes the same condition).
OPEN_UNFINISHED = "closed_at IS NULL AND status <> 'completed'"


class Assignment(Base):
    """A task assigned to one unit, as lead (牵头) or co-owner (配合): the thing a liaison reports on."""

    __tablename__ = "assignments"
    __table_args__ = (
        sa.UniqueConstraint("task_id", "unit_id"),
        sa.CheckConstraint("percent IS NULL OR (percent >= 0 AND percent <= 100)", name="percent_range"),
        sa.Index("ix_assignments_open_unit", "unit_id", "closed_at"),
        # The overdue (red) lists: an index over the open, uncompleted work only, by the due date in force, so
        # "red" (due_in_force < today) is a range scan over the few overdue rows, not a join over every assignment.
        sa.Index("ix_assignments_red", "due_in_force", postgresql_where=sa.text(OPEN_UNFINISHED),
                 sqlite_where=sa.text(OPEN_UNFINISHED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime]
    #: Set when the unit stops being responsible (it left the category); history is kept.
    closed_at: Mapped[dt.datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(sa.String(300))
    # The fields below mirror the latest progress report; only services/progress.py writes them.
    status: Mapped[AssignmentStatus] = mapped_column(
        str_enum(AssignmentStatus), default=AssignmentStatus.NOT_STARTED
    )
    percent: Mapped[int | None]
    completed_on: Mapped[dt.date | None]
    last_reported_at: Mapped[dt.datetime | None]
    #: The claimed completion's review state; "claimed" shows as 待确认办结 until the secretariat acts.
    completion_state: Mapped[CompletionState] = mapped_column(
        str_enum(CompletionState), default=CompletionState.NONE
    )
    #: An approved extension (延期): lights and reminders use it; the task's own date stays visible.
    extended_due: Mapped[dt.date | None]
    #: The due date in force, ``extended_due`` else the task's ``due_date``, kept by every flush that changes either
    #: (models/due_in_force.py), so the overdue lists filter and order by one indexed column of this table.
    due_in_force: Mapped[dt.date | None]
    #: The assignment's newest progress report (the highest id: reports are append-only), kept by every ORM insert
    #: of a report (models/latest_report.py), so a list reads each row's latest report by key, not by max() over
    #: the history. The constraint is added after both tables exist (the two tables refer to each other); deleting a
    #: report (only a wipe of the whole database does) empties the pointer rather than being refused.
    latest_report_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("progress_reports.id", use_alter=True, ondelete="SET NULL"))
    #: The earlier plan's assignment this one continues (结转): the old one was closed when it was carried here.
    #: An assignment carried in is the secretariat's decision, not the task's phrase, so a membership sync keeps it.
    carried_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignments.id"), index=True)
    # 签收 (issue 15): a new assignment is 待签收 until a liaison of the unit acknowledges it (or reports on it);
    # only services/acknowledgements.py writes these.
    #: When the unit acknowledged the assignment; None = 待签收.
    acknowledged_at: Mapped[dt.datetime | None]
    #: Who acknowledged it (None with acknowledged_at set: acknowledged by the migration, before 签收 existed).
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: 承办人: the person inside the unit who handles it, as the liaison typed it (optional).
    handler_name: Mapped[str | None] = mapped_column(sa.String(50))
    #: The handler's phone, as typed (digits, -, +, spaces; optional).
    handler_phone: Mapped[str | None] = mapped_column(sa.String(30))

    task: Mapped[Task] = relationship(back_populates="assignments")
    unit: Mapped[Unit] = relationship()
    carried_from: Mapped[Assignment | None] = relationship(remote_side=[id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    reports: WriteOnlyMapped[ProgressReport] = relationship(
        back_populates="assignment", order_by="ProgressReport.id", foreign_keys="ProgressReport.assignment_id"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_acknowledged(self) -> bool:
        """Return whether the unit has signed for the assignment (已签收)."""
        return self.acknowledged_at is not None

    @property
    def effective_due(self) -> dt.date | None:
        """Return the due date that counts: the approved extension, else the task's date."""
        return self.extended_due or self.task.due_date

    def __repr__(self) -> str:
        return f"<Assignment task={self.task_id} unit={self.unit_id}>"
