"""The one clock: every "today" and "now" in tasktrack comes from here (DESIGN §3)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_pinned_today(value: str | None) -> dt.date | None:
    """Parse a TASKTRACK_TODAY value (YYYY-MM-DD); None when not pinned."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"TASKTRACK_TODAY must be YYYY-MM-DD, got {value!r}") from exc


def now_utc(pinned_today: dt.date | None = None) -> dt.datetime:
    """Return the current instant (tz-aware UTC); with a pinned day, that day at the current Shanghai time."""
    real = dt.datetime.now(dt.UTC)
    if pinned_today is None:
        return real
    local = real.astimezone(SHANGHAI)
    pinned = dt.datetime.combine(pinned_today, local.timetz())
    return pinned.astimezone(dt.UTC)


def today(pinned_today: dt.date | None = None) -> dt.date:
    """Return today's date in Asia/Shanghai (or the pinned date)."""
    if pinned_today is not None:
        return pinned_today
    return dt.datetime.now(SHANGHAI).date()


def local_date(instant: dt.datetime) -> dt.date:
    """Return the Asia/Shanghai calendar date of a tz-aware instant."""
    return instant.astimezone(SHANGHAI).date()
