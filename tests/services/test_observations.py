"""Focus choices (1–2 items, versioned, locked after the deadline, reopen, late), matrix, pilot logs."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import AuditEvent, FocusChoice, FocusChoiceItem, PilotLog, Plan, Role, Unit, UnitKind
from tasktrack.services import ServiceError, observations, units
from tasktrack.services.attachments import Upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BEFORE = dt.datetime(2024, 4, 20, 2, 0, tzinfo=dt.UTC)


def make_point(name: str = "宁波市鄞州区观察点", now: dt.datetime = BEFORE) -> Unit:
    unit, _ = units.save_unit(None, actor=None, name=name, kind=UnitKind.OBSERVATION_POINT, categories=[],
                              contact_emails="", leader_email=None, now=now)
    db.session.commit()
    return unit


@pytest.fixture
def ctx(seeded, make_user):  # type: ignore[no-untyped-def]
    unit = make_point()
    user = make_user(Role.OBSERVATION_POINT, unit=unit.name)
    office = make_user(Role.SECRETARIAT)
    plan = db.session.scalar(sa.select(Plan))
    items = observations.list_focus_items()
    return plan, unit, user, office, items


def test_one_or_two_items_saved_with_plans(ctx) -> None:  # type: ignore[no-untyped-def]
    plan, unit, user, _, items = ctx
    choice = observations.save_choice(plan, unit, actor=user, items=[items[0].id, items[2].id],
                                      plans={items[0].id: "修订章程", items[2].id: "非营利监管试点"}, now=BEFORE)
    db.session.commit()
    assert choice.version == 1
    assert not choice.is_late
    assert [i.focus_item_id for i in observations.current_choice(plan, unit).items] == [items[0].id, items[2].id]
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "focus.choose")) is not None


@pytest.mark.parametrize("count", [0, 3, 4])
def test_zero_or_three_refused_nothing_saved(ctx, count: int) -> None:  # type: ignore[no-untyped-def]
    plan, unit, user, _, items = ctx
    chosen = [i.id for i in items[:count]]
    with pytest.raises(ServiceError) as exc:
        observations.save_choice(plan, unit, actor=user, items=chosen, plans=dict.fromkeys(chosen, "计划"),
                                 now=BEFORE)
    assert ("至少选择 1 项" if count == 0 else "最多只能选择 2 项") in exc.value.message
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(FocusChoice.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(FocusChoiceItem.id))) == 0


def test_plan_text_required(ctx) -> None:  # type: ignore[no-untyped-def]
    plan, unit, user, _, items = ctx
    with pytest.raises(ServiceError, match="试点计划"):
        observations.save_choice(plan, unit, actor=user, items=[items[0].id], plans={}, now=BEFORE)


def test_versions_kept_not_overwritten(ctx) -> None:  # type: ignore[no-untyped-def]
    plan, unit, user, _, items = ctx
    observations.save_choice(plan, unit, actor=user, items=[items[0].id], plans={items[0].id: "一"}, now=BEFORE)
    observations.save_choice(plan, unit, actor=user, items=[items[1].id], plans={items[1].id: "二"}, now=BEFORE)
    db.session.commit()
    history = observations.choice_history(plan, unit)
    assert [c.version for c in history] == [2, 1]
    assert [c.is_current for c in history] == [True, False]
    assert history[1].items[0].plan_text == "一"
    with pytest.raises(ServiceError, match="相同"):
        observations.save_choice(plan, unit, actor=user, items=[items[1].id], plans={items[1].id: "二"},
                                 now=BEFORE)


def test_locked_after_deadline_reopen_then_late(ctx, now) -> None:  # type: ignore[no-untyped-def]
    plan, unit, user, office, items = ctx
    observations.save_choice(plan, unit, actor=user, items=[items[0].id], plans={items[0].id: "一"}, now=BEFORE)
    db.session.commit()
    with pytest.raises(ServiceError, match="已锁定") as exc:
        observations.save_choice(plan, unit, actor=user, items=[items[1].id], plans={items[1].id: "二"}, now=now)
    assert exc.value.code == "locked"
    db.session.rollback()
    observations.reopen_choice(plan, unit, actor=office, reason="调整试点", now=now)
    db.session.commit()
    assert not observations.choice_state(plan, unit, now.date()).locked
    late = observations.save_choice(plan, unit, actor=user, items=[items[1].id], plans={items[1].id: "二"}, now=now)
    db.session.commit()
    assert late.is_late
    assert late.version == 2
    # the reopening is used up: locked again
    assert observations.choice_state(plan, unit, now.date()).locked


def test_deadline_setting_audited(ctx, now) -> None:  # type: ignore[no-untyped-def]
    plan, _, _, office, _ = ctx
    observations.set_choice_deadline(plan, actor=office, deadline=dt.date(2024, 8, 31), now=now)
    db.session.commit()
    assert plan.focus_choice_deadline == dt.date(2024, 8, 31)
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "plan.focus_deadline")) is not None


def test_matrix_counts_and_missing(ctx, make_user) -> None:  # type: ignore[no-untyped-def]
    plan, unit, user, _, items = ctx
    other = make_point("湖州市德清县观察点")
    observations.save_choice(plan, unit, actor=user, items=[items[0].id, items[1].id],
                             plans={items[0].id: "一", items[1].id: "二"}, now=BEFORE)
    db.session.commit()
    m = observations.matrix(plan)
    assert m.counts[items[0].id] == 1
    assert m.counts[items[3].id] == 0
    assert [u.name for u in m.missing] == [other.name]


def test_pilot_log_only_on_chosen_items(ctx, now) -> None:  # type: ignore[no-untyped-def]
    plan, unit, user, _, items = ctx
    observations.save_choice(plan, unit, actor=user, items=[items[0].id], plans={items[0].id: "一"}, now=BEFORE)
    with pytest.raises(ServiceError, match="已选择的工作重点"):
        observations.add_pilot_log(plan, unit, items[1], actor=user, log_date=now.date(), note="x", files=[],
                                   now=now)
    log = observations.add_pilot_log(plan, unit, items[0], actor=user, log_date=dt.date(2024, 7, 1),
                                     note="召开推进会", files=[Upload("推进会纪要.pdf", PDF)], now=now)
    db.session.commit()
    timeline = observations.pilot_timeline(plan, unit)
    assert timeline.by_item[items[0].id][0].id == log.id
    assert timeline.files[log.id][0].original_name == "推进会纪要.pdf"


def test_pilot_log_bad_file_stores_nothing(ctx, now) -> None:  # type: ignore[no-untyped-def]
    plan, unit, user, _, items = ctx
    observations.save_choice(plan, unit, actor=user, items=[items[0].id], plans={items[0].id: "一"}, now=BEFORE)
    db.session.commit()
    with pytest.raises(ServiceError):
        observations.add_pilot_log(plan, unit, items[0], actor=user, log_date=now.date(), note="x",
                                   files=[Upload("a.pdf", b"MZ\x90\x00" * 10)], now=now)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(PilotLog.id))) == 0
