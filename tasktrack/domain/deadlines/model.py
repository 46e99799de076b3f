"""The values a 完成时间节点 is read into: its kind, its milestones, and the error for a phrase that cannot be read."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass


class DeadlineKind(enum.StrEnum):
    """How a task's deadline is to be read."""

    DATED = "dated"  # due by a date; milestones, when present, are its stages
    YEAR_ROUND = "year_round"  # 全年: reported every period through the year (or the plan's years)
    RECURRING = "recurring"  # 每季度、按月 …: reported at the phrase's own cadence
    ONGOING = "ongoing"  # 长期坚持、常态化 …: never "done", reported every period to the end of the plan


@dataclass(frozen=True)
class Milestone:
    """One stage of a staged deadline, e.g. 启动 by 3-31 in "3月底前启动，12月底前完成"."""

    label: str  # the stage's work as written after its date, e.g. "启动", "出台方案", "全面完成"
    due: datetime.date


@dataclass(frozen=True)
class Deadline:
    """A parsed 完成时间节点."""

    phrase: str  # exactly as written
    kind: DeadlineKind
    due: datetime.date | None  # the date the work is due by (a staged deadline: its last stage)
    period_months: int | None  # reporting cadence implied by the phrase; None = plan default
    milestones: tuple[Milestone, ...] = ()  # the stages, in order, of a staged deadline; () otherwise


class DeadlineParseError(ValueError):
    """A deadline phrase that cannot be read; ``str(e)`` is a Chinese message naming the phrase."""

    def __init__(self, phrase: str, reason: str = "无法识别的完成时间节点") -> None:
        self.phrase = phrase
        self.reason = reason
        super().__init__(f"{reason}：“{phrase}”")
