"""``parse_deadline``: a 完成时间节点 phrase read against its plan's year and period.

The phrase's form comes from ``forms``; this module decides which year a phrase without one means,
refuses a year outside the plan's period, and reads staged phrases ("3月底前启动，12月底前完成") into
milestones.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from tasktrack.domain.deadlines.forms import DatedForm, match_dated, match_span
from tasktrack.domain.deadlines.model import Deadline, DeadlineKind, DeadlineParseError, Milestone
from tasktrack.domain.text import normalize

# Stages are separated by a comma, semicolon, 、 or 。 (full-width forms are normalised to ASCII first).
_STAGE_SEPARATOR = re.compile(r"[,;、。]")
# The longest date a stage can start with ("于2025年12月31日前" is 13 characters): bounds the prefix search.
_LONGEST_DATE = 24
# A stage's label follows its date; it may not read as more of a date ("7月底前后", "7月底之前", "7月中下旬")
# nor hold another one ("3月底前启动12月底前完成" needs its comma); it starts with a Chinese character.
_LABEL = re.compile(r"(?![上中下]+旬)(?=[\u4e00-\u9fff])[^之以前后内起止左右底末初份旬][^\d]*")
_TRAILING_STOP = re.compile(r"[。.]+$")


@dataclass(frozen=True)
class _Plan:
    """What a phrase is read against: the year for phrases without one and the plan's period, if known."""

    phrase: str
    default_year: int
    period: tuple[int, int] | None

    @property
    def multi_year(self) -> bool:
        return self.period is not None and self.period[0] != self.period[1]

    @property
    def period_text(self) -> str:
        assert self.period is not None
        first, last = self.period
        return f"{first}年" if first == last else f"{first}—{last}年"

    def end(self) -> datetime.date:
        """The last day of the plan's period (of ``default_year`` when the period is not known)."""
        return datetime.date(self.period[1] if self.period else self.default_year, 12, 31)

    def check(self, year: int) -> int:
        """Return ``year`` if it exists and lies in the plan's period; else refuse the phrase."""
        if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
            raise DeadlineParseError(self.phrase, "完成时间节点中的年份不存在")
        if self.period is not None and not self.period[0] <= year <= self.period[1]:
            raise DeadlineParseError(self.phrase, f"完成时间节点的年份{year}年不在计划期{self.period_text}内")
        return year

    def dated_year(self, written: int | None) -> int:
        """The year of a dated phrase: as written, else ``default_year`` unless the plan spans several years."""
        if written is not None:
            return self.check(written)
        if self.multi_year:
            raise DeadlineParseError(self.phrase, "跨年度计划的完成时间须写明年份")
        return self.check(self.default_year)


def _stage(plan: _Plan, part: str) -> tuple[DatedForm, str] | None:
    """Split one stage into its date (the longest prefix naming a date) and its label."""
    for cut in range(min(len(part) - 1, _LONGEST_DATE), 0, -1):
        form = match_dated(plan.phrase, part[:cut])
        if form is not None:
            label = part[cut:]
            return (form, label) if _LABEL.fullmatch(label) else None
    return None


def _staged(plan: _Plan, parts: list[str]) -> Deadline:
    milestones: list[Milestone] = []
    year: int | None = None
    for part in parts:
        stage = _stage(plan, part)
        if stage is None:
            raise DeadlineParseError(plan.phrase)
        form, label = stage
        # A stage without a year is in the year of the stage before it ("2025年6月底前…，年底前…").
        year = plan.dated_year(form.written_year if form.written_year is not None else year)
        due = form.due(year)
        if milestones and due < milestones[-1].due:
            raise DeadlineParseError(plan.phrase, "分阶段的完成时间须按先后顺序书写")
        milestones.append(Milestone(label=label, due=due))
    return Deadline(plan.phrase, DeadlineKind.DATED, milestones[-1].due, None, tuple(milestones))


def parse_deadline(phrase: str, *, default_year: int, period: tuple[int, int] | None = None) -> Deadline:
    """Parse a 完成时间节点 phrase; raise DeadlineParseError if it is not a recognised form.

    ``default_year`` is the year of a phrase that names none; ``period`` (first and last year) is the
    plan's period when known: a year outside it is refused, and in a plan of several years a dated
    phrase must name its year. Work that runs through the period (全年, 每季度, 长期坚持 without a
    year) is due at the period's end.
    """
    if period is not None and period[0] > period[1]:
        raise ValueError(f"plan period {period!r}: first year after last")
    key = _TRAILING_STOP.sub("", normalize(phrase))
    if not key:
        raise DeadlineParseError(phrase, "完成时间节点为空")
    plan = _Plan(phrase, default_year, period)
    parts = [part for part in _STAGE_SEPARATOR.split(key) if part]
    if len(parts) > 1:
        return _staged(plan, parts)
    key = parts[0] if parts else key  # a stray separator at an end ("6月底前完成，") is dropped
    if (dated := match_dated(phrase, key)) is not None:
        due = dated.due(plan.dated_year(dated.written_year))
        return Deadline(phrase, DeadlineKind.DATED, due, None)
    if (stage := _stage(plan, key)) is not None:  # one stage with its work: "6月底前完成", "年底前出台方案"
        form, _label = stage
        return Deadline(phrase, DeadlineKind.DATED, form.due(plan.dated_year(form.written_year)), None)
    if (span := match_span(phrase, key)) is not None:
        if span.years is None:
            due = plan.end()
        else:
            first, last = (plan.check(year) for year in span.years)
            if first > last:
                raise DeadlineParseError(phrase, "完成时间节点的起止年份颠倒")
            due = datetime.date(last, 12, 31)
        return Deadline(phrase, span.kind, due, span.period_months)
    raise DeadlineParseError(phrase)
