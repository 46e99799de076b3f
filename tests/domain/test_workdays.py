"""Working days (State Council schedule) and office hours in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from tasktrack.domain.workdays import (
    SHANGHAI,
    OfficeHours,
    in_office_hours,
    is_working_day,
    next_send_time,
    next_working_day,
)

UTC = dt.UTC
HOURS = OfficeHours()


def sh(*args: int) -> dt.datetime:
    """Return an Asia/Shanghai datetime."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2024, 10, 1), False),  # National Day
        (dt.date(2024, 10, 7), False),  # last day of the National Day holiday, a Monday
        (dt.date(2024, 10, 8), True),
        (dt.date(2024, 10, 12), True),  # Saturday make-up working day (调休)
        (dt.date(2024, 9, 29), True),  # Sunday make-up working day
        (dt.date(2024, 2, 4), True),  # Sunday make-up working day before the Spring Festival
        (dt.date(2024, 2, 12), False),  # Spring Festival, a Monday
        (dt.date(2024, 10, 19), False),  # ordinary Saturday
        (dt.date(2024, 10, 20), False),  # ordinary Sunday
        (dt.date(2024, 7, 31), True),  # ordinary Wednesday
    ],
)
def test_is_working_day_follows_the_state_council_schedule(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


def test_unknown_year_falls_back_to_monday_to_friday(caplog: pytest.LogCaptureFixture) -> None:
    thursday, saturday = dt.date(2099, 1, 1), dt.date(2099, 1, 3)
    assert (thursday.weekday(), saturday.weekday()) == (3, 5)
    with caplog.at_level(logging.WARNING, logger="tasktrack.domain.workdays"):
        assert is_working_day(thursday) is True  # would be 元旦, but the schedule is unknown
        assert is_working_day(saturday) is False
    assert next_working_day(saturday) == dt.date(2099, 1, 5)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 7, 31), dt.date(2024, 7, 31)),  # working: itself
        (dt.date(2024, 7, 27), dt.date(2024, 7, 29)),  # Saturday -> Monday
        (dt.date(2024, 10, 1), dt.date(2024, 10, 8)),  # across the National Day holiday
        (dt.date(2024, 10, 12), dt.date(2024, 10, 12)),  # make-up Saturday is itself
        (dt.date(2024, 2, 10), dt.date(2024, 2, 18)),  # across the Spring Festival (18th is a make-up Sunday)
    ],
)
def test_next_working_day(day: dt.date, expected: dt.date) -> None:
    assert next_working_day(day) == expected


@pytest.mark.parametrize(
    ("now", "inside"),
    [
        (sh(2024, 7, 19, 8, 29), False),
        (sh(2024, 7, 19, 8, 30), True),  # start inclusive
        (sh(2024, 7, 19, 17, 59, 59), True),
        (sh(2024, 7, 19, 18, 0), False),  # end exclusive
        (sh(2024, 7, 20, 10, 0), False),  # Saturday
        (sh(2024, 10, 12, 10, 0), True),  # make-up Saturday
        (sh(2024, 10, 2, 10, 0), False),  # National Day holiday
        (dt.datetime(2024, 7, 19, 1, 0, tzinfo=UTC), True),  # 09:00 in Shanghai
        (dt.datetime(2024, 7, 19, 10, 30, tzinfo=UTC), False),  # 18:30 in Shanghai
        (dt.datetime(2024, 7, 18, 23, 0, tzinfo=UTC), False),  # Friday 07:00 in Shanghai
    ],
)
def test_in_office_hours(now: dt.datetime, inside: bool) -> None:
    assert in_office_hours(now, HOURS) is inside


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (sh(2024, 7, 19, 18, 30), sh(2024, 7, 22, 8, 30)),  # Friday evening -> Monday morning
        (sh(2024, 7, 19, 18, 0), sh(2024, 7, 22, 8, 30)),  # closing time is already outside
        (sh(2024, 7, 20, 11, 0), sh(2024, 7, 22, 8, 30)),  # Saturday
        (sh(2024, 7, 22, 6, 15), sh(2024, 7, 22, 8, 30)),  # Monday before opening: same day
        (sh(2024, 9, 30, 18, 30), sh(2024, 10, 8, 8, 30)),  # eve of National Day -> after the holiday
        (sh(2024, 10, 11, 19, 0), sh(2024, 10, 12, 8, 30)),  # Friday -> make-up Saturday
        (sh(2024, 2, 3, 12, 0), sh(2024, 2, 4, 8, 30)),  # Saturday -> make-up Sunday
        (dt.datetime(2024, 7, 19, 10, 30, tzinfo=UTC), sh(2024, 7, 22, 8, 30)),  # 18:30 Friday Shanghai
        # 16:30 UTC on 30 Sep is already 1 Oct in Shanghai, a holiday
        (dt.datetime(2024, 9, 30, 16, 30, tzinfo=UTC), sh(2024, 10, 8, 8, 30)),
        (dt.datetime(2024, 7, 21, 23, 0, tzinfo=UTC), sh(2024, 7, 22, 8, 30)),  # Monday 07:00 Shanghai
    ],
)
def test_next_send_time_outside_office_hours(now: dt.datetime, expected: dt.datetime) -> None:
    result = next_send_time(now, HOURS)
    assert result == expected
    assert result.tzinfo is SHANGHAI
    assert (result.hour, result.minute) == (8, 30)


def test_next_send_time_inside_office_hours_is_now_in_shanghai() -> None:
    now = dt.datetime(2024, 7, 19, 1, 0, tzinfo=UTC)  # 09:00 Friday in Shanghai
    result = next_send_time(now, HOURS)
    assert result == now
    assert result.tzinfo is SHANGHAI
    assert result.hour == 9


def test_custom_office_hours() -> None:
    hours = OfficeHours(start=dt.time(9, 0), end=dt.time(17, 0))
    assert not in_office_hours(sh(2024, 7, 19, 8, 45), hours)
    assert next_send_time(sh(2024, 7, 19, 8, 45), hours) == sh(2024, 7, 19, 9, 0)
    assert next_send_time(sh(2024, 7, 19, 17, 0), hours) == sh(2024, 7, 22, 9, 0)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        in_office_hours(dt.datetime(2024, 7, 19, 9, 0), HOURS)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_send_time(dt.datetime(2024, 7, 19, 9, 0), HOURS)


def test_office_hours_must_be_a_range() -> None:
    with pytest.raises(ValueError, match="start before"):
        OfficeHours(start=dt.time(18, 0), end=dt.time(8, 30))
