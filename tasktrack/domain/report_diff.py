"""What changed between two versions of a progress report: pure functions, no Flask, no database.

Two reports are compared field by field (status, percent, completion date, narrative). The narrative is
compared character by character (Chinese has no spaces to split words on), giving segments marked
``equal``, ``insert`` or ``delete`` that a page shows as plain, <ins> and <del> text; two long narratives that
differ throughout are compared sentence by sentence (:func:`text_segments`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
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


#: The largest middle part (characters of the old × of the new, once their common start and end are set aside)
#: compared character by character: two unrelated texts of 500 characters take ~2 ms here. A narrative may hold
#: 10,000 characters, and comparing two such texts character by character costs O(n × m): half a second and more,
#: for every pair of reports on every view of an item page. Past this, the middle is compared sentence by sentence.
CHARACTER_BUDGET = 250_000
#: The marks that end a sentence, for the coarse comparison (a mark stays with its sentence).
SENTENCE_MARKS = "。！？；!?;\n"
_SENTENCE_END = re.compile(f"(?<=[{re.escape(SENTENCE_MARKS)}])")


def text_segments(old: str, new: str) -> list[Segment]:
    """Return the difference of two texts as segments, merging neighbours of one kind.

    The common start and end are equal segments as they are (a liaison's new report usually starts from the last
    one: an added sentence, a changed figure); the middle between them is compared character by character, or, when
    it is too long for that (:data:`CHARACTER_BUDGET`), sentence by sentence. Either way the equal and deleted
    segments spell the old text and the equal and inserted ones the new.
    """
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old_mid, new_mid = old[start:len(old) - end], new[start:len(new) - end]
    segments: list[Segment] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1] = Segment(op, segments[-1].text + text)
        else:
            segments.append(Segment(op, text))

    if len(old_mid) * len(new_mid) <= CHARACTER_BUDGET:
        a: Sequence[str] = old_mid
        b: Sequence[str] = new_mid
    else:  # whole sentences: the common start and end give back the sentences they cut through
        start = _back_to_sentence_start(new, start)
        end = len(new) - _on_to_sentence_start(new, len(new) - end)
        a = _sentences(old[start:len(old) - end])
        b = _sentences(new[start:len(new) - end])
    add("equal", new[:start])
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", "".join(b[b1:b2]))
        else:
            add("delete", "".join(a[a1:a2]))
            add("insert", "".join(b[b1:b2]))
    add("equal", new[len(new) - end:])
    return segments


def _back_to_sentence_start(text: str, at: int) -> int:
    """The start of the sentence that position ``at`` falls in (``at`` itself when a sentence begins there)."""
    return max(text.rfind(mark, 0, at) for mark in SENTENCE_MARKS) + 1


def _on_to_sentence_start(text: str, at: int) -> int:
    """The start of the first sentence that begins at or after position ``at`` (``len(text)`` when none does)."""
    if at == 0 or text[at - 1] in SENTENCE_MARKS:
        return at
    found = [where for mark in SENTENCE_MARKS if (where := text.find(mark, at)) != -1]
    return min(found) + 1 if found else len(text)


def _sentences(text: str) -> list[str]:
    """The text cut after each sentence's end mark (every character kept)."""
    return [part for part in _SENTENCE_END.split(text) if part]


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
