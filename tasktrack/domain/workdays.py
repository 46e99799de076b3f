"""Working days and office hours in Asia/Shanghai.

Working days follow the State Council holiday schedule (法定节假日 and 调休 make-up working days) as
published in the ``chinesecalendar`` package. Messages are grouped per unit and sent in office hours
(DESIGN §4a); :func:`next_send_time` says when that is.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar

logger = logging.getLogger(__name__)

SHANGHAI: ZoneInfo = ZoneInfo("Asia/Shanghai")

#: Years for which the installed chinesecalendar has no schedule and we already logged the fallback.
_warned_years: set[int] = set()


def is_working_day(d: dt.date) -> bool:
    """Tell whether ``d`` is a working day in mainland China.

    Uses the State Council schedule, including 调休 make-up working days on weekends. For a year the
    installed ``chinesecalendar`` does not know yet (it ships each year's schedule after the State
    Council publishes it, usually in November), this falls back to Monday–Friday and logs a warning
    once per year instead of raising: holidays of that year are then treated as working days until
    the package is upgraded.
    """
    day = d.date() if isinstance(d, dt.datetime) else d
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "chinesecalendar has no holiday schedule for %s; using Monday-Friday", day.year
            )
        return day.weekday() < 5


def next_working_day(d: dt.date) -> dt.date:
    """Return ``d`` if it is a working day, else the first working day after it."""
    day = d.date() if isinstance(d, dt.datetime) else d
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@functools.lru_cache(maxsize=4096)
def nth_working_day_after(d: dt.date, n: int) -> dt.date:
    """Return the ``n``-th working day after ``d`` (``d`` itself never counts; ``n`` = 0 gives ``d``).

    签收 chasing (issue 15): assigned on Friday with n = 2 (no holiday) → Tuesday. Cached: a sweep asks it for
    thousands of assignments published on a handful of days.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    day, counted = d, 0
    while counted < n:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


@dataclass(frozen=True)
class OfficeHours:
    """Office hours on a working day, local time in Asia/Shanghai; ``start`` inclusive, ``end`` exclusive."""

    start: dt.time = dt.time(8, 30)
    end: dt.time = dt.time(18, 0)

    def __post_init__(self) -> None:
        """Reject naive/aware mix-ups and empty ranges."""
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("office hours are local Asia/Shanghai times without tzinfo")
        if not self.start < self.end:
            raise ValueError(f"office hours must start before they end: {self.start}–{self.end}")


def _to_shanghai(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(SHANGHAI)


def in_office_hours(now: dt.datetime, hours: OfficeHours) -> bool:
    """Tell whether the aware instant ``now`` falls in office hours of a working day in Shanghai."""
    local = _to_shanghai(now)
    return is_working_day(local.date()) and hours.start <= local.time() < hours.end


def next_send_time(now: dt.datetime, hours: OfficeHours) -> dt.datetime:
    """Return the first instant at or after ``now`` that lies in office hours, in Asia/Shanghai.

    Inside office hours this is ``now`` itself (converted to Asia/Shanghai, same instant); otherwise it
    is the start of office hours on the same day (before opening on a working day) or on the next
    working day.
    """
    local = _to_shanghai(now)
    today = local.date()
    if is_working_day(today):
        if local.time() < hours.start:
            return dt.datetime.combine(today, hours.start, tzinfo=SHANGHAI)
        if local.time() < hours.end:
            return local
    day = next_working_day(today + dt.timedelta(days=1))
    return dt.datetime.combine(day, hours.start, tzinfo=SHANGHAI)
