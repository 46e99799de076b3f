"""Every text a user can write is refused with control characters, and required text needs a visible character;
dates of things already done lie in the plan's period … today (issue 10 items 2 and 5).

Run on SQLite and on PostgreSQL: there a NUL used to reach the INSERT and fail with a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    CaseKind,
    CaseReport,
    ExtensionRequest,
    FocusItem,
    Plan,
    ProgressReport,
    Role,
    Unit,
    UnitKind,
    User,
)
from tasktrack.services import ServiceError, cases, extension_requests, observations, progress, units, urging, users
from tasktrack.services.cases import CaseText
from tests import isolation
from tests.services.test_progress import assignment_of

CONTROLS = ["\x00", "前\x01后", "前\x0b后", "\x1f", "甲\x08"]
INVISIBLE = "\u200b\u200b\ufeff"


@dataclass
class World:
    plan: Plan
    liaison: User
    office: User
    assignment: Assignment  # 省民政厅 task 1, due 2024-07-31, no report
    claimed: Assignment  # 省民政厅 task 7, a completion awaiting 办结
    request: ExtensionRequest
    point: Unit
    point_user: User
    item: FocusItem
    case: CaseReport


#: One world for the module (tests/isolation.py, shared state): each test's writes are rolled back after it.
pytestmark = pytest.mark.shared_state("inputs")


@pytest.fixture
def world(app: Flask, seeded: None, make_user: Callable[..., Any], now: dt.datetime) -> World:
    world: World = isolation.shared_rows(app, lambda: _world(make_user, now))
    return world


def _world(make_user: Callable[..., Any], now: dt.datetime) -> World:
    plan = db.session.scalar(sa.select(Plan))
    liaison, office = make_user("liaison", unit="省民政厅"), make_user("secretariat")
    claimed = assignment_of("省民政厅", 7)
    progress.submit_report(claimed, author=liaison, status=AssignmentStatus.COMPLETED, percent=100,
                           completed_on=dt.date(2024, 7, 1), narrative="已完成", now=now)
    request = extension_requests.request_extension(assignment_of("省民政厅", 1), author=liaison,
                                           requested_due=dt.date(2024, 9, 30), reason="待审议", now=now)
    point, _ = units.save_unit(None, actor=None, name="测试观察点", kind=UnitKind.OBSERVATION_POINT, categories=[],
                               contact_emails="", leader_email=None, now=now)
    db.session.commit()
    point_user = make_user(Role.OBSERVATION_POINT, unit=point.name)
    item = observations.list_focus_items()[0]
    observations.save_choice(plan, point, actor=point_user, items=[item.id], plans={item.id: "修订章程"},
                             now=dt.datetime(2024, 4, 20, 2, 0, tzinfo=dt.UTC))
    case = cases.submit_case(plan, units.find_unit("省民政厅"), CaseText(
        kind=CaseKind.POSITIVE, title="标题", summary="摘要", body="正文"), actor=liaison, files=[], now=now)
    db.session.commit()
    return World(plan, liaison, office, assignment_of("省民政厅", 1), claimed, request, point, point_user, item,
                 case)


def _report(w: World, now: dt.datetime, **kw: Any) -> Any:
    args = {"status": AssignmentStatus.IN_PROGRESS, "percent": None, "completed_on": None, "narrative": "正常进展",
            **kw}
    return progress.submit_report(w.assignment, author=w.liaison, now=now, **args)


def _case(w: World, now: dt.datetime, **kw: str) -> Any:
    fields = {"title": "标题", "summary": "摘要", "body": "正文", **kw}
    return cases.submit_case(w.plan, units.find_unit("省民政厅"), CaseText(kind=CaseKind.POSITIVE, **fields),
                             actor=w.liaison, files=[], now=now)


def _unit(w: World, now: dt.datetime, name: str) -> Any:
    return units.save_unit(None, actor=w.office, name=name, kind=UnitKind.MEMBER, categories=[], contact_emails="",
                           leader_email=None, now=now)


def _user(w: World, now: dt.datetime, **kw: Any) -> Any:
    return users.create_user(actor=w.office, email="new.person@example.org", role=Role.VIEWER, unit=None,
                             password="a-long-enough-passphrase", now=now, fast_hash=True,
                             **{"name": "新同志", **kw})


#: (what, field, required, call(world, now, text)): every free-text input of every service.
FIELDS: list[tuple[str, str, bool, Callable[[World, dt.datetime, str], Any]]] = [
    ("report narrative", "narrative", True, lambda w, now, t: _report(w, now, narrative=t)),
    ("report reason", "reason", False, lambda w, now, t: _report(w, now, reason=t)),
    ("confirm note", "note", False,
     lambda w, now, t: progress.confirm_completion(w.claimed, actor=w.office, note=t, now=now)),
    ("send back note", "note", True,
     lambda w, now, t: progress.send_back(w.claimed, actor=w.office, note=t, now=now)),
    ("extension reason", "reason", True,
     lambda w, now, t: extension_requests.request_extension(assignment_of("省民政厅", 2), author=w.liaison,
                                                    requested_due=dt.date(2025, 3, 31), reason=t, now=now)),
    ("extension decision", "note", False,
     lambda w, now, t: extension_requests.decide(w.request, actor=w.office, approve=False, note=t, now=now)),
    ("focus plan text", "plans", True,
     lambda w, now, t: observations.save_choice(w.plan, w.point, actor=w.point_user, items=[w.item.id],
                                                plans={w.item.id: t}, now=dt.datetime(2024, 4, 21, tzinfo=dt.UTC))),
    ("focus reopen reason", "reason", False,
     lambda w, now, t: observations.reopen_choice(w.plan, w.point, actor=w.office, reason=t, now=now)),
    ("pilot log", "note", True,
     lambda w, now, t: observations.add_pilot_log(w.plan, w.point, w.item, actor=w.point_user,
                                                  log_date=dt.date(2024, 7, 1), note=t, files=[], now=now)),
    ("case title", "title", True, lambda w, now, t: _case(w, now, title=t)),
    ("case summary", "summary", True, lambda w, now, t: _case(w, now, summary=t)),
    ("case body", "body", True, lambda w, now, t: _case(w, now, body=t)),
    ("case review", "comment", True,
     lambda w, now, t: cases.review_case(w.case, actor=w.office, action="return", comment=t, now=now)),
    ("urging note", "note", False,
     lambda w, now, t: urging.urge(w.assignment, actor=w.office, note=t, now=now, base_url="http://x")),
    ("unit name", "name", True, lambda w, now, t: _unit(w, now, t)),
    ("new user name", "name", True, lambda w, now, t: _user(w, now, name=t)),
    ("new user phone", "phone", False, lambda w, now, t: _user(w, now, phone=t)),
    ("user name", "name", True,
     lambda w, now, t: users.update_user(w.liaison, actor=w.office, name=t, role=w.liaison.role,
                                         unit=w.liaison.unit, phone=None, now=now)),
    ("user phone", "phone", False,
     lambda w, now, t: users.update_user(w.liaison, actor=w.office, name="联络员", role=w.liaison.role,
                                         unit=w.liaison.unit, phone=t, now=now)),
]
IDS = [f[0] for f in FIELDS]


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize(("what", "field", "required", "call"), FIELDS, ids=IDS)
def test_a_text_field_refuses_control_characters_and_invisible_required_text(
        world: World, now: dt.datetime, what: str, field: str, required: bool, call: Callable[..., Any]) -> None:
    before = _audit_count()
    refused = [(text, "控制字符 U+") for text in CONTROLS]
    if required:
        refused += [(INVISIBLE, "请填写"), ("\u3000\u2060 \u200d", "请填写")]
    for text, message in refused:
        with pytest.raises(ServiceError) as exc:
            call(world, now, text)
        assert exc.value.field == field, repr(text)
        assert message in exc.value.message or (message == "请填写" and "不能为空" in exc.value.message)
        assert exc.value.code == "invalid"
        db.session.rollback()
        assert _audit_count() == before
    # The same call with ordinary text (tab and newline included) is accepted: the refusals were about the text.
    call(world, now, "正常的文字\t含制表符\n和换行")
    db.session.commit()
    assert _audit_count() > before


def test_a_report_with_nul_changes_nothing(world: World, now: dt.datetime) -> None:
    """On PostgreSQL the NUL used to fail the INSERT (a 500 in the views); now nothing reaches the database."""
    before = db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport))
    with pytest.raises(ServiceError):
        _report(world, now, narrative="正常\x00进展")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == before
    assert world.assignment.status is AssignmentStatus.NOT_STARTED


@pytest.mark.parametrize(("day", "message"), [
    (dt.date(1, 1, 1), "不能早于 2024年1月1日"), (dt.date(2023, 12, 31), "不能早于 2024年1月1日"),
    (dt.date(9999, 12, 31), "不能晚于今天"), (dt.date(2024, 7, 19), "不能晚于今天"),
])
def test_completion_date_lies_in_the_plan_period(world: World, now: dt.datetime, day: dt.date, message: str) -> None:
    with pytest.raises(ServiceError) as exc:
        _report(world, now, status=AssignmentStatus.COMPLETED, completed_on=day)
    assert exc.value.field == "completed_on"
    assert message in exc.value.message
    db.session.rollback()


@pytest.mark.parametrize("day", [dt.date(2024, 1, 1), dt.date(2024, 7, 18)])
def test_completion_dates_at_the_window_edges_are_accepted(world: World, now: dt.datetime, day: dt.date) -> None:
    report = _report(world, now, status=AssignmentStatus.COMPLETED, completed_on=day)
    db.session.commit()
    assert report.completed_on == day


def test_a_plan_issued_before_its_year_opens_its_window_on_the_issue_date(world: World, now: dt.datetime) -> None:
    world.plan.issued_on = dt.date(2023, 12, 20)
    db.session.commit()
    assert _report(world, now, status=AssignmentStatus.COMPLETED, completed_on=dt.date(2023, 12, 20)).completed_on
    db.session.rollback()
    with pytest.raises(ServiceError, match="不能早于 2023年12月20日"):
        _report(world, now, status=AssignmentStatus.COMPLETED, completed_on=dt.date(2023, 12, 19))
    db.session.rollback()


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(2023, 6, 1), dt.date(9999, 12, 31)])
def test_pilot_log_date_lies_in_the_plan_period(world: World, now: dt.datetime, day: dt.date) -> None:
    with pytest.raises(ServiceError) as exc:
        observations.add_pilot_log(world.plan, world.point, world.item, actor=world.point_user, log_date=day,
                                   note="试点进展", files=[], now=now)
    assert exc.value.field == "log_date"
    db.session.rollback()
