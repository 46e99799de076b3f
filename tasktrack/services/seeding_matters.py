"""The demo's 联络员会议 (with its decisions turned into 交办事项) and its 领导批示 matter (``seed --demo``).

Each is added once: a meeting of the same title, or a matter of the same text, is left as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Matter, Meeting, Task
from tasktrack.services import matters, meetings, units, users
from tasktrack.services.work_groups import default_work_group

#: Demo mail links point at the demo server.
DEMO_BASE_URL = "http://127.0.0.1:5000"


def _unit_ids(names: list[str]) -> list[int]:
    found = [units.find_unit(n) for n in names]
    return [u.id for u in found if u is not None]


def _has_matter(text: str) -> bool:
    return db.session.scalar(sa.select(Matter.id).join(Task, Matter.task_id == Task.id)
                             .where(Task.text == text).limit(1)) is not None


def seed_matters(data: dict[str, Any], report: Any, *, now: dt.datetime) -> None:
    """Add the demo meetings (notice queued, minutes, attendance, decisions as matters) and matters."""
    group = default_work_group()
    for row in data.get("meetings") or []:
        actor = users.find_by_email(row["by"])
        if actor is None or db.session.scalar(sa.select(Meeting.id).where(
                Meeting.work_group_id == group.id, Meeting.title == row["title"]).limit(1)) is not None:
            continue
        meeting = meetings.create_meeting(group, title=row["title"], held_on=row["held_on"], place=row["place"],
                                          agenda=row.get("agenda", ""), invited=_unit_ids(row["invited"]),
                                          actor=actor, now=now, base_url=DEMO_BASE_URL,
                                          notify=False)  # held before the demo day: its notice went out then
        meetings.record_minutes(meeting, minutes=row.get("minutes", ""), present=_unit_ids(row.get("present", [])),
                                actor=actor, now=now)
        report.add("meetings")
        for decision in row.get("decisions") or []:
            meetings.add_decision(meeting, text=decision["text"], deadline_phrase=decision["deadline"],
                                  responsible_phrase=decision["responsible"], actor=actor, now=now)
            report.add("matters")
    for row in data.get("matters") or []:
        actor = users.find_by_email(row["by"])
        if actor is None or _has_matter(row["text"]):
            continue
        matters.create_matter(group, source=matters.parse_source(row["source"]), reference=row.get("reference", ""),
                              text=row["text"], deadline_phrase=row["deadline"], responsible_phrase=row["responsible"],
                              actor=actor, now=now)
        report.add("matters")
