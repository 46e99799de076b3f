"""One clock; TASKTRACK_TODAY pins it."""

import datetime as dt

import pytest

from tasktrack.clock import SHANGHAI, local_date, now_utc, parse_pinned_today, today


def test_pinned_day():
    pinned = parse_pinned_today("2024-07-18")
    assert today(pinned) == dt.date(2024, 7, 18)
    instant = now_utc(pinned)
    assert instant.tzinfo is dt.UTC
    assert local_date(instant) == dt.date(2024, 7, 18)


def test_unpinned_is_shanghai_today():
    assert today(None) == dt.datetime.now(SHANGHAI).date()
    assert parse_pinned_today("") is None


def test_bad_pinned_value_is_an_error():
    with pytest.raises(ValueError, match="TASKTRACK_TODAY"):
        parse_pinned_today("18/07/2024")


def test_shanghai_midnight():
    # 2024-07-31 16:30 UTC is already 1 August in Shanghai
    assert local_date(dt.datetime(2024, 7, 31, 16, 30, tzinfo=dt.UTC)) == dt.date(2024, 8, 1)
