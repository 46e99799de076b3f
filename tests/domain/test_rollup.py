"""The roll-up of a lower work group's sub-assignments into the higher plan's inbound assignment."""

from __future__ import annotations

import datetime as dt

from tasktrack.domain.lights import Light, LightResult, Reason
from tasktrack.domain.rollup import RollupState, SubAssignment, rollup

PERIOD = dt.date(2024, 4, 18)
GREEN = LightResult(Light.GREEN, Reason.ON_TRACK, 30)
RED = LightResult(Light.RED, Reason.OVERDUE, -5)
DONE = LightResult(Light.DONE, Reason.COMPLETED, 10)
LATE = LightResult(Light.DONE, Reason.COMPLETED_LATE, -2)
RECENT, OLD = dt.date(2024, 7, 1), dt.date(2024, 1, 5)


def test_an_undecomposed_task_lights_as_its_own_work() -> None:
    result = rollup(RED, [], period_start=PERIOD)
    assert result.state is RollupState.UNDECOMPOSED
    assert result.light == RED
    assert result.total == 0


def test_all_done_may_claim_completion() -> None:
    result = rollup(GREEN, [SubAssignment(DONE, RECENT), SubAssignment(LATE, RECENT)], period_start=PERIOD)
    assert result.state is RollupState.MAY_CLAIM
    assert result.light.light is Light.DONE
    assert result.light.reason is Reason.COMPLETED_LATE
    assert (result.total, result.done) == (2, 2)


def test_any_overdue_is_red() -> None:
    result = rollup(GREEN, [SubAssignment(DONE, RECENT), SubAssignment(RED, RECENT)], period_start=PERIOD)
    assert result.state is RollupState.IN_PROGRESS
    assert result.light == RED
    assert (result.done, result.overdue) == (1, 1)


def test_no_open_sub_assignment_reported_this_period_is_stale() -> None:
    result = rollup(GREEN, [SubAssignment(GREEN, OLD), SubAssignment(GREEN, None)], period_start=PERIOD)
    assert result.light.light is Light.YELLOW
    assert result.light.reason is Reason.STALE
    assert result.reported_this_period == 0


def test_one_open_sub_assignment_reporting_keeps_it_green() -> None:
    result = rollup(GREEN, [SubAssignment(GREEN, OLD), SubAssignment(GREEN, RECENT)], period_start=PERIOD)
    assert result.light == GREEN
    assert result.reported_this_period == 1


def test_a_completed_inbound_assignment_keeps_its_own_light() -> None:
    result = rollup(DONE, [SubAssignment(RED, None)], period_start=PERIOD, own_completed=True)
    assert result.state is RollupState.COMPLETED
    assert result.light == DONE


def test_alike_sub_assignments_given_once_with_their_count_roll_up_as_each_given() -> None:
    cases = [[(DONE, RECENT, 2), (LATE, OLD, 3)], [(GREEN, OLD, 4), (DONE, RECENT, 2)],
             [(RED, OLD, 2), (GREEN, RECENT, 5)], [(GREEN, OLD, 3)]]
    for case in cases:
        counted = rollup(GREEN, [SubAssignment(light, on, n) for light, on, n in case], period_start=PERIOD)
        each = rollup(GREEN, [SubAssignment(light, on) for light, on, n in case for _ in range(n)], period_start=PERIOD)
        assert counted == each
        assert counted.total == sum(n for _, _, n in case)
