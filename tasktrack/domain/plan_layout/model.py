"""The plan as the layout reader finds it: sections, items with their phrases as written, metadata.

Nothing here is parsed further: deadline and responsible phrases stay as written for the deadline
and owner readers; the draft plan is built from these values by the import service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Layout = Literal["table", "numbered", "prose"]


@dataclass(frozen=True)
class LayoutItem:
    """One task as written: its section, number, text and the phrases found beside it."""

    section_number: int | None  # 1 for "一、…"; None when the document has no sections
    section_title: str  # without its numeral: "强化党建统领"
    number: int  # 1… in document order across the plan
    number_text: str  # the marker as written: "1.", "（一）", "一是", "3"; "" when none
    text: str  # without its number prefix and without an extracted owner parenthesis
    deadline_phrase: str  # "" when absent
    responsible_phrase: str  # "" when absent
    sub_items: tuple[str, ...]  # 一是…二是… runs or lower-level numbered points, in order
    source: str  # Chinese locator: "任务表第3行", "第12段"


@dataclass(frozen=True)
class ContextPart:
    """A piece of the plan that is background, not a task (preamble, 总体要求, …)."""

    heading: str  # "" for the preamble; else the section heading as written
    text: str


@dataclass(frozen=True)
class PlanLayout:
    """Everything the layout reader found in one document."""

    title: str
    year: int | None
    end_year: int | None  # equal to ``year`` for a one-year plan
    document_number: str
    issuer: str
    issued_on: date | None
    addressees: str  # as written, without the final colon
    context: tuple[ContextPart, ...]
    sections: tuple[tuple[int | None, str], ...]  # (number, title) of the sections holding tasks
    items: tuple[LayoutItem, ...]
    member_units: tuple[str, ...]
    layout: Layout
    notes: tuple[str, ...]  # short Chinese sentences: what was decided and why
