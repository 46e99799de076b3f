"""The written forms of one deadline phrase, read from its matching key without the plan.

Two families of regular expressions over the matching key (``tasktrack.domain.text.normalize``):

* ``match_dated`` — a phrase naming one date (月底, 日, 年底, 半年, 季度, 旬, 月份, 到某年). It returns the year
  written in the phrase (or None) and a function from a year to the date, so that the caller decides
  which year a phrase without one means and whether that year lies in the plan's period;
* ``match_span`` — a phrase naming a stretch of work rather than a date (全年, 每季度, 长期坚持, 2025—2027年).
  It returns the kind, the reporting cadence and the years written, if any.

Nothing here guesses: a key that fits no form returns None and the caller refuses the phrase.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from tasktrack.domain.deadlines.model import DeadlineKind, DeadlineParseError

#: Reporting cadences (months) a recurring phrase may name: the ones that tile a calendar year.
CADENCES = (1, 2, 3, 4, 6, 12)

_YEAR = r"(?:(?P<year>\d{4})年)?"
_BEFORE = r"前?"
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_NUMERALS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "十二": 12}

# A leading 到/至/于 ("到2027年", "于6月底前") changes nothing but allows a bare year ("到2027年").
_BY = re.compile(r"(?:到|至|于)")
_MONTH_END = re.compile(rf"{_YEAR}(?P<month>\d{{1,2}})月份?(?:底|末){_BEFORE}")
_DAY = re.compile(rf"{_YEAR}(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})[日号]{_BEFORE}")
_NUMERIC_DATE = re.compile(r"(?P<year>\d{4})(?P<sep>[-./])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})前?")
_YEAR_END = re.compile(r"(?:(?P<year>\d{4})年?)?年(?:(?:底|末)前?|内)")
_HALF = re.compile(rf"{_YEAR}(?P<half>[上下])半年(?:前|末|底前?)?")
_QUARTER = re.compile(rf"{_YEAR}第?(?P<quarter>[一二三四1-4])季度(?:末|底)?{_BEFORE}")
_TEN_DAYS = re.compile(rf"{_YEAR}(?P<month>\d{{1,2}})月(?P<part>[上中下])旬{_BEFORE}")
_MONTH_ONLY = re.compile(rf"{_YEAR}(?P<month>\d{{1,2}})月份?")
_YEAR_ONLY = re.compile(r"(?P<year>\d{4})年(?P<before>前)?")

# Years before a span: one year, or a range "2025—2027年" / "2025年至2027年" / "2025到2027年".
_YEARS = r"(?:(?P<first>\d{4})年?(?:-|至|到)(?P<last>\d{4})年|(?P<year>\d{4})年)?"
_SPAN = re.compile(
    rf"{_YEARS}(?:"
    r"(?P<year_round>全年)"
    r"|(?P<ongoing>(?:长期|持续|常态化?|长效化?)+(?:坚持|推进|开展|实施|落实){0,2})"
    r"|(?P<regular>定期)"
    r"|(?:每|按)(?:(?P<count>[一两二三四五六]|十二|\d{1,2})?个?(?P<month>月)|(?P<quarter>季度?)"
    r"|(?P<half>半年)|(?P<year_unit>年))(?:年?(?:底|末)前?)?(?:报送|上报|报告)?(?:一次)?"
    r")?"
)

#: A date from (phrase, year, match); raises DeadlineParseError for a date that does not exist.
DateRule = Callable[[str, int, re.Match[str]], datetime.date]


def month_end(phrase: str, year: int, month: int) -> datetime.date:
    """Return the last day of ``month`` in ``year``; refuse a month that does not exist."""
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


def _ten_days(phrase: str, year: int, m: re.Match[str]) -> datetime.date:
    if m["part"] == "下":
        return month_end(phrase, year, int(m["month"]))
    return _day(phrase, year, int(m["month"]), 10 if m["part"] == "上" else 20)


def _year_end(phrase: str, year: int, m: re.Match[str]) -> datetime.date:
    return datetime.date(year, 12, 31)


_DATED_FORMS: tuple[tuple[re.Pattern[str], DateRule], ...] = (
    (_MONTH_END, lambda p, y, m: month_end(p, y, int(m["month"]))),
    (_DAY, lambda p, y, m: _day(p, y, int(m["month"]), int(m["day"]))),
    (_NUMERIC_DATE, lambda p, y, m: _day(p, y, int(m["month"]), int(m["day"]))),
    (_YEAR_END, _year_end),
    (_HALF, lambda p, y, m: datetime.date(y, 6, 30) if m["half"] == "上" else datetime.date(y, 12, 31)),
    (_QUARTER, lambda p, y, m: month_end(p, y, _QUARTERS[m["quarter"]] * 3)),
    (_TEN_DAYS, _ten_days),
    (_MONTH_ONLY, lambda p, y, m: month_end(p, y, int(m["month"]))),
)


@dataclass(frozen=True)
class DatedForm:
    """A key naming one date: the year written in it (None when absent) and the date for a given year."""

    phrase: str
    written_year: int | None
    match: re.Match[str]
    rule: DateRule

    def due(self, year: int) -> datetime.date:
        """Return the date this form names in ``year``."""
        return self.rule(self.phrase, year, self.match)


@dataclass(frozen=True)
class SpanForm:
    """A key naming a stretch of work: its kind, cadence, and the years written (first, last), if any."""

    kind: DeadlineKind
    period_months: int | None
    years: tuple[int, int] | None


def _written_year(m: re.Match[str]) -> int | None:
    found = m.groupdict().get("year")
    return int(found) if found else None


def match_dated(phrase: str, key: str) -> DatedForm | None:
    """Return the dated form ``key`` is written in, or None when it names no single date."""
    by = _BY.match(key)
    if by is not None:
        key = key[by.end():]
    for pattern, rule in _DATED_FORMS:
        if m := pattern.fullmatch(key):
            return DatedForm(phrase, _written_year(m), m, rule)
    if (m := _YEAR_ONLY.fullmatch(key)) and (by is not None or m["before"]):
        return DatedForm(phrase, int(m["year"]), m, _year_end)
    return None


def _cadence(phrase: str, m: re.Match[str]) -> int | None:
    if m["regular"]:
        return None
    if m["quarter"]:
        return 3
    if m["half"]:
        return 6
    if m["year_unit"]:
        return 12
    count = m["count"]
    months = 1 if count is None else int(count) if count.isdigit() else _NUMERALS[count]
    if months not in CADENCES:
        raise DeadlineParseError(phrase, "报送周期须为1、2、3、4、6或12个月")
    return months


def match_span(phrase: str, key: str) -> SpanForm | None:
    """Return the span form ``key`` is written in, or None (a bare "2024年" is no span)."""
    m = _SPAN.fullmatch(key)
    if m is None:
        return None
    years = (int(m["first"]), int(m["last"])) if m["first"] else None
    if m["year"]:
        years = (int(m["year"]), int(m["year"]))
    if m["year_round"]:
        return SpanForm(DeadlineKind.YEAR_ROUND, None, years)
    if m["regular"] or m["month"] or m["quarter"] or m["half"] or m["year_unit"]:
        return SpanForm(DeadlineKind.RECURRING, _cadence(phrase, m), years)
    if m["ongoing"] or m["first"]:  # a range of years alone is ongoing work over those years
        return SpanForm(DeadlineKind.ONGOING, None, years)
    return None
