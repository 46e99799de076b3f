"""Facts shared by the reminder-policy tests: two assignments of the 2024 plan and a simulated daily sweep."""

from __future__ import annotations

import datetime as dt

from tasktrack.domain.reminder_policy import (
    AssignmentFacts,
    DueItem,
    MessageKind,
    due_items,
)

D = dt.date
K = MessageKind
ISSUED = D(2024, 4, 15)  # 〔2024〕4号 was issued on 15 April 2024

# Task 1 of the 2024 plan: 巩固拓展主题教育成果 … 2024年7月底前.
TASK1 = AssignmentFacts(
    assignment_id=17,
    unit_id=3,
    task_id=1,
    due=D(2024, 7, 31),
    deadline_kind="dated",
    is_completed=False,
    last_report_on=None,
    period_months=0,
    starts_on=ISSUED,
)

# Task 11: 探索推进社会服务机构非营利监管试点工作, 2024年全年, reported quarterly.
TASK11 = AssignmentFacts(
    assignment_id=21,
    unit_id=3,
    task_id=11,
    due=D(2024, 12, 31),
    deadline_kind="year_round",
    is_completed=False,
    last_report_on=None,
    period_months=3,
    starts_on=ISSUED,
)


def summary(items: list[DueItem]) -> list[tuple[MessageKind, str, int]]:
    """Return (kind, key, days) for each item."""
    return [(i.kind, i.key, i.days) for i in items]


def run_sweeps(facts: list[AssignmentFacts], days: list[dt.date]) -> list[tuple[dt.date, str]]:
    """Simulate the daily sweep with an outbox that dedups by key; return (day, key) of new rows."""
    outbox: set[str] = set()
    sent: list[tuple[dt.date, str]] = []
    for day in days:
        for item in due_items(facts, day):
            if item.key not in outbox:
                outbox.add(item.key)
                sent.append((day, item.key))
    return sent


def date_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return every day from first to last inclusive."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
