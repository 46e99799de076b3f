"""Review of a draft plan: each row's deadline and owners read against one work group's names, with every
problem on its row (pure; the import service supplies the rows and the names).

A row is ready when its text is there, its 完成时间节点 reads inside the plan period, and its 责任单位 names
only known units and categories (or aliases of them), nothing vague, and at least one unit answers for it. The
names that block publishing are also gathered across rows, each once, so the review page can offer one
新建单位 / 对应到已有单位 per name however many rows use it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tasktrack.domain.deadlines import Deadline, DeadlineParseError, describe, parse_deadline
from tasktrack.domain.owners import OwnerReading, expand_owners, owner_problems, read_owners
from tasktrack.domain.responsibility import Responsible


@dataclass(frozen=True)
class DraftRow:
    """One task of a draft as written."""

    key: int  # the row's id (or position) — how the page and the API point at it
    section_number: int
    section_title: str
    number: int
    text: str
    deadline_phrase: str
    responsible_phrase: str


@dataclass(frozen=True)
class Names:
    """The names one work group's plans may use."""

    unit_names: Sequence[str]
    category_aliases: Mapping[str, str]  # alias (each category's own name included) → category
    unit_aliases: Mapping[str, str] = field(default_factory=dict)  # alias → unit
    members: Mapping[str, Sequence[str]] = field(default_factory=dict)  # category → its active units
    unit_order: Sequence[str] = ()


@dataclass(frozen=True)
class RowProblem:
    """One problem on a row: which cell, what is wrong, and the name concerned (for unknown/vague owners)."""

    field: str  # "text" | "number" | "deadline" | "owners"
    kind: str  # "empty" | "duplicate" | "deadline" | "unknown" | "vague" | "empty_category" | "no_owner"
    message: str
    name: str = ""


@dataclass(frozen=True)
class RowReview:
    """A row with its readings and problems."""

    row: DraftRow
    deadline: Deadline | None
    deadline_reading: str
    owners: OwnerReading | None
    responsible: tuple[Responsible, ...]
    problems: tuple[RowProblem, ...]

    @property
    def leads(self) -> tuple[str, ...]:
        return tuple(r.unit for r in self.responsible if r.is_lead)

    @property
    def co_owners(self) -> tuple[str, ...]:
        return tuple(r.unit for r in self.responsible if not r.is_lead)


@dataclass(frozen=True)
class Review:
    """Every row reviewed, and the blocking names gathered once each (name → task numbers using it)."""

    rows: tuple[RowReview, ...]
    unknown_names: Mapping[str, tuple[int, ...]]
    vague_names: Mapping[str, tuple[int, ...]]
    empty_categories: Mapping[str, tuple[int, ...]]

    @property
    def problem_count(self) -> int:
        return sum(len(r.problems) for r in self.rows)

    @property
    def ready(self) -> bool:
        """Return True when the draft may be published."""
        return self.ready_ignoring()

    def ready_ignoring(self, kinds: frozenset[str] = frozenset()) -> bool:
        """Return True when no problem is left but those of ``kinds`` (the seed accepts categories its demo fills)."""
        return bool(self.rows) and not any(p.kind not in kinds for r in self.rows for p in r.problems)


def _read_deadline(row: DraftRow, year: int, end_year: int) -> tuple[Deadline | None, str, list[RowProblem]]:
    if not row.deadline_phrase.strip():
        return None, "", [RowProblem("deadline", "empty", "未写完成时间节点")]
    period = (year, end_year)
    try:
        deadline = parse_deadline(row.deadline_phrase, default_year=year, period=period)
    except DeadlineParseError as exc:
        return None, "", [RowProblem("deadline", "deadline", str(exc))]
    return deadline, describe(deadline), []


def _canonical(reading: OwnerReading, unit_aliases: Mapping[str, str]) -> OwnerReading:
    """Replace unit aliases by the units they stand for."""
    if not unit_aliases:
        return reading
    terms = tuple(
        dataclasses.replace(t, unit=unit_aliases.get(t.unit, t.unit)) if t.unit is not None else t
        for t in reading.terms
    )
    return dataclasses.replace(reading, terms=terms)


def _read_owners(row: DraftRow, names: Names) -> tuple[OwnerReading | None, tuple[Responsible, ...], list[RowProblem]]:
    if not row.responsible_phrase.strip():
        return None, (), [RowProblem("owners", "empty", "未写责任单位")]
    reading = read_owners(
        row.responsible_phrase,
        unit_names=[*names.unit_names, *names.unit_aliases],
        category_aliases=names.category_aliases,
    )
    reading = _canonical(reading, names.unit_aliases)
    messages = owner_problems(reading)  # one per unknown name, then one per vague owner, in that order
    split = len(reading.unknown)
    unknown, vague = messages[:split], messages[split : split + len(reading.vague)]
    problems = [RowProblem("owners", "unknown", m, name) for name, m in zip(reading.unknown, unknown, strict=True)]
    problems += [RowProblem("owners", "vague", m, name) for name, m in zip(reading.vague, vague, strict=True)]
    for term in reading.terms:
        if term.category is not None and not names.members.get(term.category):
            problems.append(RowProblem(
                "owners", "empty_category", f"类别“{term.category}”还没有成员单位，请先为它添加单位", term.category
            ))
    responsible = tuple(expand_owners(reading, members=names.members, unit_order=names.unit_order))
    if not problems and not responsible:
        problems.append(RowProblem("owners", "no_owner", "没有任何单位负责这项任务"))
    return reading, responsible, problems


def review(rows: Sequence[DraftRow], names: Names, *, year: int, end_year: int | None = None) -> Review:
    """Read every row of a draft against a work group's names; collect each row's problems."""
    last = end_year or year
    seen_numbers: dict[int, int] = {}
    for row in rows:
        seen_numbers[row.number] = seen_numbers.get(row.number, 0) + 1
    reviewed: list[RowReview] = []
    unknown: dict[str, list[int]] = {}
    vague: dict[str, list[int]] = {}
    empty: dict[str, list[int]] = {}
    for row in rows:
        problems: list[RowProblem] = []
        if not row.text.strip():
            problems.append(RowProblem("text", "empty", "任务内容为空"))
        if row.number < 1:
            problems.append(RowProblem("number", "empty", "序号须为正整数"))
        elif seen_numbers[row.number] > 1:
            problems.append(RowProblem("number", "duplicate", f"序号 {row.number} 重复"))
        deadline, reading, deadline_problems = _read_deadline(row, year, last)
        owners, responsible, owner_problems = _read_owners(row, names)
        problems += deadline_problems + owner_problems
        for problem in owner_problems:
            target = {"unknown": unknown, "vague": vague, "empty_category": empty}.get(problem.kind)
            if target is not None and row.number not in target.setdefault(problem.name, []):
                target[problem.name].append(row.number)
        reviewed.append(RowReview(row, deadline, reading, owners, responsible, tuple(problems)))
    return Review(
        rows=tuple(reviewed),
        unknown_names={k: tuple(v) for k, v in unknown.items()},
        vague_names={k: tuple(v) for k, v in vague.items()},
        empty_categories={k: tuple(v) for k, v in empty.items()},
    )

