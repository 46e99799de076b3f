"""What changed between two versions of a progress report: pure functions, no Flask, no database.

Two reports are compared field by field (status, percent, completion date, narrative). The narrative is
compared character by character (Chinese has no spaces to split words on), giving segments marked
``equal``, ``insert`` or ``delete`` that a page shows as plain, <ins> and <del> text; two long narratives that
differ throughout are compared sentence by sentence (:func:`text_segments`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
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
#: compared character by character. difflib's comparison is cubic at worst (two 100-character runs of one repeated
#: character: ~8 ms here, 300: ~190 ms), and a narrative may hold 10,000 characters, so a longer middle is compared
#: sentence by sentence, and each replaced sentence (or run of them) that fits is compared by character in turn.
CHARACTER_BUDGET = 10_000
#: What all the character comparisons of one pair of texts may spend together (the same measure): sentence against
#: sentence, a 10,000-character text of pathological sentences could otherwise take a hundred comparisons at the
#: worst cost each. Past it, the remaining replaced sentences are shown deleted and inserted whole.
TOTAL_BUDGET = 200_000
#: The marks that end a sentence, for the coarse comparison (a mark stays with its sentence).
SENTENCE_MARKS = "。！？；!?;\n"
_SENTENCE_END = re.compile(f"(?<=[{re.escape(SENTENCE_MARKS)}])")


class _Segments(list[Segment]):
    """Segments being built: neighbours of one kind merged, empty ones left out."""

    def __init__(self) -> None:
        super().__init__()
        self.left = TOTAL_BUDGET  # what the character comparisons may still spend

    def by_character(self, old: str, new: str) -> bool:
        """Whether two pieces may still be compared character by character (and take it from what is left)."""
        cost = len(old) * len(new)
        if cost > CHARACTER_BUDGET or cost > self.left:
            return False
        self.left -= cost
        return True

    def add(self, op: str, text: str) -> None:
        if not text:
            return
        if self and self[-1].op == op:
            self[-1] = Segment(op, self[-1].text + text)
        else:
            self.append(Segment(op, text))

    def compare(self, a: Sequence[str], b: Sequence[str], *, by_sentence: bool) -> None:
        """Add the difference of two sequences of characters, or of sentences.

        By sentence, a replaced run of sentences is compared by character, whole if it fits the budget, else
        sentence against sentence in turn (an edited text usually keeps its sentences and changes words in them); a
        sentence repeated all over (more than 1 in 100 of 200 or more: difflib's "autojunk") is not matched on, or
        thousands of alike sentences would make it cubic again."""
        matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=by_sentence)
        for tag, a1, a2, b1, b2 in matcher.get_opcodes():
            old, new = "".join(a[a1:a2]), "".join(b[b1:b2])
            if tag == "equal":
                self.add("equal", new)
            elif not by_sentence or tag != "replace":
                self.add("delete", old)
                self.add("insert", new)
            elif self.by_character(old, new):
                self.compare(old, new, by_sentence=False)
            else:
                for was, now in itertools.zip_longest(a[a1:a2], b[b1:b2], fillvalue=""):
                    if self.by_character(was, now):
                        self.compare(was, now, by_sentence=False)
                    else:
                        self.add("delete", was)
                        self.add("insert", now)


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
    segments = _Segments()
    if segments.by_character(old[start:len(old) - end], new[start:len(new) - end]):
        segments.add("equal", new[:start])
        segments.compare(old[start:len(old) - end], new[start:len(new) - end], by_sentence=False)
    else:  # whole sentences: the common start and end give back the sentences they cut through
        start = _back_to_sentence_start(new, start)
        end = len(new) - _on_to_sentence_start(new, len(new) - end)
        segments.add("equal", new[:start])
        segments.compare(_sentences(old[start:len(old) - end]), _sentences(new[start:len(new) - end]),
                         by_sentence=True)
    segments.add("equal", new[len(new) - end:])
    return list(segments)


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
