"""The traffic light: one pure function of (assignment facts, today)."""

import datetime as dt

import pytest

from tasktrack.domain.deadlines import DeadlineKind
from tasktrack.domain.lights import Light, Reason, assignment_light, milestone_light, months_before, task_light

START = dt.date(2024, 4, 15)
D = dt.date


def light(today, due, kind=DeadlineKind.DATED, done=False, completed_on=None, last=None, **kw):
    return assignment_light(today=today, due=due, kind=kind, is_completed=done, completed_on=completed_on,
                            last_report_on=last, starts_on=START, **kw)


@pytest.mark.parametrize(
    ("today", "due", "expected", "reason", "days"),
    [
        (D(2024, 7, 1), D(2024, 7, 31), Light.GREEN, Reason.ON_TRACK, 30),
        (D(2024, 7, 17), D(2024, 7, 31), Light.YELLOW, Reason.DUE_SOON, 14),
        (D(2024, 7, 16), D(2024, 7, 31), Light.GREEN, Reason.ON_TRACK, 15),
        (D(2024, 7, 31), D(2024, 7, 31), Light.YELLOW, Reason.DUE_SOON, 0),
        (D(2024, 8, 1), D(2024, 7, 31), Light.RED, Reason.OVERDUE, -1),
    ],
)
def test_dated(today, due, expected, reason, days):
    result = light(today, due)
    assert (result.light, result.reason, result.days_left) == (expected, reason, days)


def test_completed_on_time_and_late():
    assert light(D(2024, 8, 5), D(2024, 7, 31), done=True, completed_on=D(2024, 7, 30)).reason is Reason.COMPLETED
    late = light(D(2024, 8, 5), D(2024, 7, 31), done=True, completed_on=D(2024, 8, 2))
    assert (late.light, late.reason, late.is_late) == (Light.DONE, Reason.COMPLETED_LATE, True)


def test_warning_window_is_a_setting():
    assert light(D(2024, 7, 1), D(2024, 7, 31), warning_days=30).light is Light.YELLOW


@pytest.mark.parametrize(
    ("today", "last", "expected"),
    [
        (D(2024, 6, 1), None, Light.GREEN),  # first period after the plan was issued
        (D(2024, 7, 18), None, Light.YELLOW),  # no report for three months since 2024-04-15
        (D(2024, 7, 18), D(2024, 5, 2), Light.GREEN),
        (D(2024, 10, 1), D(2024, 6, 30), Light.YELLOW),
        (D(2025, 1, 2), D(2024, 12, 20), Light.RED),  # year-round work is due by 12-31
    ],
)
def test_year_round_stale(today, last, expected):
    assert light(today, D(2024, 12, 31), kind=DeadlineKind.YEAR_ROUND, last=last).light is expected


@pytest.mark.parametrize("kind", [DeadlineKind.ONGOING, DeadlineKind.RECURRING])
def test_ongoing_and_recurring_work_is_read_like_year_round_work(kind):
    assert light(D(2024, 7, 18), D(2026, 12, 31), kind=kind).reason is Reason.STALE
    assert light(D(2024, 7, 18), D(2026, 12, 31), kind=kind, last=D(2024, 5, 2)).light is Light.GREEN


def test_months_before_clamps_month_end():
    assert months_before(D(2024, 5, 31), 3) == D(2024, 2, 29)
    assert months_before(D(2024, 1, 15), 3) == D(2023, 10, 15)


def test_task_light_is_the_worst():
    red = light(D(2024, 8, 1), D(2024, 7, 31))
    done = light(D(2024, 8, 1), D(2024, 7, 31), done=True, completed_on=D(2024, 7, 1))
    assert task_light([done, red]).light is Light.RED
    assert task_light([done, done]).light is Light.DONE
    assert task_light([]) is None


@pytest.mark.parametrize(
    ("today", "done", "completed_on", "expected", "reason"),
    [
        (D(2024, 3, 1), False, None, Light.GREEN, Reason.ON_TRACK),  # a month before 3月底前启动
        (D(2024, 3, 20), False, None, Light.YELLOW, Reason.DUE_SOON),  # inside the 14-day window
        (D(2024, 4, 1), False, None, Light.RED, Reason.OVERDUE),  # the stage's date has passed, work not done
        (D(2024, 7, 1), True, D(2024, 3, 30), Light.DONE, Reason.COMPLETED),
        (D(2024, 7, 1), True, D(2024, 5, 2), Light.DONE, Reason.COMPLETED_LATE),  # done after the stage's date
    ],
)
def test_a_milestone_lights_as_a_dated_deadline_at_its_own_date(today, done, completed_on, expected, reason):
    result = milestone_light(today=today, due=D(2024, 3, 31), is_completed=done, completed_on=completed_on)
    assert (result.light, result.reason) == (expected, reason)
    assert result.days_left == (D(2024, 3, 31) - today).days


def test_a_milestone_follows_the_plans_warning_window():
    assert milestone_light(today=D(2024, 3, 1), due=D(2024, 3, 31), is_completed=False, completed_on=None,
                           warning_days=30).light is Light.YELLOW
