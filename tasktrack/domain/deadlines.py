"""Parsing of 完成时间节点 (deadline phrases) such as "2024年7月底前", "2024年全年", "每季度".

One pure function, ``parse_deadline``. It is tolerant of spaces, full-width digits and punctuation
(see ``tasktrack.domain.text.normalize``) but never guesses: a phrase it does not recognise, or one
naming a date that does not exist, raises ``DeadlineParseError`` with a Chinese message naming the
phrase, for the user to correct.

Recognised forms (``Y年`` is optional everywhere and wins over ``default_year``; a trailing 前 is
optional unless stated):

* ``Y年M月底前`` / ``M月底`` / ``M月末`` → last day of month M (DATED);
* ``Y年M月D日前`` / ``M月D号`` / ``Y-M-D`` / ``Y.M.D`` / ``Y/M/D`` → that day (DATED);
* ``Y年底前`` / ``年底`` / ``年末`` / ``年内`` → 12-31 (DATED);
* ``上半年`` → 06-30, ``下半年`` → 12-31, optionally followed by 前/末/底前 (DATED);
* ``第一季度末`` / ``一季度末`` / ``第1季度末`` / ``一季度`` … ``第四季度末`` → quarter end (DATED);
* ``M月上旬`` → M-10, ``M月中旬`` → M-20, ``M月下旬`` → month end (DATED);
* ``Y年全年`` / ``全年`` → YEAR_ROUND, due 12-31, cadence = plan default;
* ``定期`` → RECURRING with the plan's default cadence; ``每月`` / ``每季度`` / ``每半年`` / ``每年``
  → RECURRING with cadence 1 / 3 / 6 / 12 months; all due 12-31.
"""

from __future__ import annotations

import calendar
import datetime
import enum
import re
from dataclasses import dataclass

from tasktrack.domain.text import normalize


class DeadlineKind(enum.StrEnum):
    """How a task's deadline is to be read."""

    DATED = "dated"
    YEAR_ROUND = "year_round"
    RECURRING = "recurring"


@dataclass(frozen=True)
class Deadline:
    """A parsed 完成时间节点."""

    phrase: str  # exactly as written
    kind: DeadlineKind
    due: datetime.date | None  # the date the work is due by
    period_months: int | None  # reporting cadence implied by the phrase; None = plan default


class DeadlineParseError(ValueError):
    """A deadline phrase that cannot be read; ``str(e)`` is a Chinese message naming the phrase."""

    def __init__(self, phrase: str, reason: str = "无法识别的完成时间节点") -> None:
        self.phrase = phrase
        self.reason = reason
        super().__init__(f"{reason}：“{phrase}”")


_YEAR = r"(?:(?P<year>\d{4})年)?"
_BEFORE = r"前?"
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_RECURRING = {"定期": None, "每月": 1, "每季度": 3, "每半年": 6, "每年": 12}

_MONTH_END = re.compile(rf"{_YEAR}(?P<month>\d{{1,2}})月(?:底|末){_BEFORE}")
_DAY = re.compile(rf"{_YEAR}(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})[日号]{_BEFORE}")
_NUMERIC_DATE = re.compile(r"(?P<year>\d{4})(?P<sep>[-./])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})前?")
_YEAR_END = re.compile(r"(?P<year>\d{4})?年(?:(?:底|末)前?|内)")
_HALF = re.compile(rf"{_YEAR}(?P<half>[上下])半年(?:前|末|底前?)?")
_QUARTER = re.compile(rf"{_YEAR}第?(?P<quarter>[一二三四1-4])季度(?:末|底)?{_BEFORE}")
_TEN_DAYS = re.compile(rf"{_YEAR}(?P<month>\d{{1,2}})月(?P<part>[上中下])旬{_BEFORE}")
_YEAR_ROUND = re.compile(rf"{_YEAR}全年")
_RECURRING_RE = re.compile(rf"{_YEAR}(?P<word>定期|每月|每季度|每半年|每年)")


def _month_end(phrase: str, year: int, month: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise DeadlineParseError(phrase, "完成时间节点中的月份不存在")
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _day(phrase: str, year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12:
        raise DeadlineParseError(phrase, "完成时间节点中的月份不存在")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DeadlineParseError(phrase, "完成时间节点中的日期不存在") from None


def parse_deadline(phrase: str, *, default_year: int) -> Deadline:
    """Parse a 完成时间节点 phrase; raise DeadlineParseError if it is not a recognised form."""
    key = normalize(phrase)
    if not key:
        raise DeadlineParseError(phrase, "完成时间节点为空")

    def year_of(match: re.Match[str]) -> int:
        found = match.group("year")
        year = int(found) if found else default_year
        if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
            raise DeadlineParseError(phrase, "完成时间节点中的年份不存在")
        return year

    def dated(due: datetime.date) -> Deadline:
        return Deadline(phrase=phrase, kind=DeadlineKind.DATED, due=due, period_months=None)

    if m := _MONTH_END.fullmatch(key):
        return dated(_month_end(phrase, year_of(m), int(m["month"])))
    if (m := _DAY.fullmatch(key)) or (m := _NUMERIC_DATE.fullmatch(key)):
        return dated(_day(phrase, year_of(m), int(m["month"]), int(m["day"])))
    if m := _YEAR_END.fullmatch(key):
        return dated(datetime.date(year_of(m), 12, 31))
    if m := _HALF.fullmatch(key):
        month, day = (6, 30) if m["half"] == "上" else (12, 31)
        return dated(datetime.date(year_of(m), month, day))
    if m := _QUARTER.fullmatch(key):
        return dated(_month_end(phrase, year_of(m), _QUARTERS[m["quarter"]] * 3))
    if m := _TEN_DAYS.fullmatch(key):
        year, month = year_of(m), int(m["month"])
        if m["part"] == "下":
            return dated(_month_end(phrase, year, month))
        return dated(_day(phrase, year, month, 10 if m["part"] == "上" else 20))
    if m := _YEAR_ROUND.fullmatch(key):
        return Deadline(
            phrase=phrase,
            kind=DeadlineKind.YEAR_ROUND,
            due=datetime.date(year_of(m), 12, 31),
            period_months=None,
        )
    if m := _RECURRING_RE.fullmatch(key):
        return Deadline(
            phrase=phrase,
            kind=DeadlineKind.RECURRING,
            due=datetime.date(year_of(m), 12, 31),
            period_months=_RECURRING[m["word"]],
        )
    raise DeadlineParseError(phrase)
