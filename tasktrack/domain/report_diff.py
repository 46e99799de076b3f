"""What changed between two versions of a progress report: pure functions, no Flask, no database.

Two reports are compared field by field (status, percent, completion date, narrative). The narrative is
compared character by character (Chinese has no spaces to split words on), giving segments marked
``equal``, ``insert`` or ``delete`` that a page shows as plain, <ins> and <del> text.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any, Protocol

FIELD_LABELS = {"status": "状态", "percent": "完成比例", "completed_on": "完成日期", "narrative": "进展情况"}
_STATUS_LABELS = {"not_started": "未开始", "in_progress": "推进中", "completed": "已完成"}


class ReportLike(Protocol):
    status: Any
    percent: int | None
    completed_on: dt.date | None
    narrative: str


@dataclass(frozen=True)
class Segment:
    """A piece of the new narrative: ``op`` is equal, insert or delete."""

    op: str
    text: str


@dataclass(frozen=True)
class FieldChange:
    """One changed field: labels for people, and for the narrative the segments of the change."""

    name: str
    old: str
    new: str
    segments: list[Segment] = field(default_factory=list)

    @property
    def label(self) -> str:
        return FIELD_LABELS[self.name]


def _show(name: str, value: Any) -> str:
    if value is None:
        return "未填"
    if name == "status":
        return _STATUS_LABELS.get(str(getattr(value, "value", value)), str(value))
    if name == "percent":
        return f"{value}%"
    if name == "completed_on":
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def text_segments(old: str, new: str) -> list[Segment]:
    """Return the character-level difference of two texts as segments, merging neighbours of one kind."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    segments: list[Segment] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", new[b1:b2])
        else:
            add("delete", old[a1:a2])
            add("insert", new[b1:b2])
    return segments


def report_changes(old: ReportLike, new: ReportLike) -> list[FieldChange]:
    """Return the fields that differ between an earlier and a later report (empty: nothing changed)."""
    changes = []
    for name in ("status", "percent", "completed_on"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(FieldChange(name, _show(name, before), _show(name, after)))
    if old.narrative != new.narrative:
        changes.append(FieldChange("narrative", "", "", text_segments(old.narrative, new.narrative)))
    return changes
