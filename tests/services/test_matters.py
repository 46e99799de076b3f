"""交办事项 and 联络员会议 as services: a matter is a task of the matters container and behaves like one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tasktrack.domain.lights import Light
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    CompletionState,
    Matter,
    MatterSource,
    Meeting,
    Notification,
    NotificationKind,
    Plan,
    PlanKind,
    Role,
    Task,
    User,
)
from tasktrack.permissions import Action, can
from tasktrack.services import Conflict, ServiceError, matters, meetings, plan_next_year, progress, units
from tasktrack.services.read import overview
from tasktrack.services.work_groups import default_work_group

TODAY = dt.date(2024, 7, 18)
BASE = "http://tasktrack.test"


@pytest.fixture
def office(seeded: None, make_user: Callable[..., User]) -> User:
    return make_user(Role.SECRETARIAT)


def _matter(office: User, now: dt.datetime, *, owners: str = "省民政厅牵头，省教育厅配合",
            deadline: str = "2024年9月底前", source: MatterSource = MatterSource.INSTRUCTION) -> Matter:
    return matters.create_matter(default_work_group(), source=source, reference="省领导批示〔2024〕12号",
                                 text="开展社会组织领域廉洁风险排查", deadline_phrase=deadline,
                                 responsible_phrase=owners, actor=office, now=now)


def _count(model: type) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_a_matter_is_a_task_of_the_matters_container_with_assignments(office: User, now: dt.datetime) -> None:
    matter = _matter(office, now)
    db.session.commit()
    task = matter.task
    assert task.plan.kind is PlanKind.MATTERS
    assert task.plan.title == "2024年交办事项"
    assert task.section.title == "领导批示"
    assert task.due_date == dt.date(2024, 9, 30)
    assert {(a.unit.name, a.is_lead) for a in task.assignments} == {("省民政厅", True), ("省教育厅", False)}
    assert matter.reference == "省领导批示〔2024〕12号"
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "matter.create")) is not None
    # The container is not a plan: not listed, not current, not copied into next year.
    assert task.plan not in overview.list_plans(office)
    current = overview.current_plan(TODAY, office)
    assert current is not None
    assert current.kind is PlanKind.PLAN
    with pytest.raises(ServiceError):
        plan_next_year.next_year_draft(task.plan, actor=office, now=now)
    # A second matter goes into the same container, numbered on.
    second = _matter(office, now, source=MatterSource.OTHER)
    assert second.task.plan_id == task.plan_id
    assert second.task.number == task.number + 1


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"deadline": "尽快"}, "deadline_phrase", ""),
    ({"owners": ""}, "responsible_phrase", "责任单位"),
    ({"owners": "省不存在厅"}, "responsible_phrase", "省不存在厅"),
])
def test_bad_input_is_refused_on_its_field_and_changes_nothing(office: User, now: dt.datetime, fields: dict[str, str],
                                                               field: str, words: str) -> None:
    before = (_count(Matter), _count(Task), _count(Plan), _count(Assignment))
    with pytest.raises(ServiceError) as refused:
        _matter(office, now, **fields)
    assert refused.value.field == field
    assert words in refused.value.message
    assert (_count(Matter), _count(Task), _count(Plan), _count(Assignment)) == before


def test_empty_text_and_bad_source_are_refused(office: User, now: dt.datetime) -> None:
    with pytest.raises(ServiceError) as refused:
        matters.create_matter(default_work_group(), source=MatterSource.OTHER, reference="", text="  ",
                              deadline_phrase="2024年9月底前", responsible_phrase="省民政厅", actor=office, now=now)
    assert refused.value.field == "text"
    with pytest.raises(ServiceError) as bad:
        matters.parse_source("随便")
    assert bad.value.field == "source"
    assert matters.parse_source("领导批示") is MatterSource.INSTRUCTION
    assert matters.parse_source("meeting") is MatterSource.MEETING


def test_a_matter_is_reported_lit_reviewed_and_listed_like_a_plan_task(office: User, make_user: Callable[..., Any],
                                                                       now: dt.datetime) -> None:
    matter = _matter(office, now, deadline="2024年7月10日前")
    db.session.commit()
    lead = next(a for a in matter.task.assignments if a.is_lead)
    row = matters.matter_row(matters.get_matter(matter.id), TODAY)
    assert row.state == Light.RED.value  # past its deadline, not completed
    # 我的任务 lists it beside the plan's tasks.
    assert lead.id in {r.assignment.id for r in overview.unit_rows(lead.unit_id, TODAY)}
    liaison = make_user(Role.LIAISON, unit="省民政厅")
    progress.submit_report(lead, author=liaison, status=AssignmentStatus.COMPLETED, percent=100,
                           completed_on=TODAY, narrative="排查完成", now=now)
    assert lead.completion_state is CompletionState.CLAIMED
    progress.confirm_completion(lead, actor=office, note="", now=now)
    assert lead.completion_state is CompletionState.CONFIRMED
    # Once a unit reported, the matter is no longer edited.
    with pytest.raises(Conflict):
        matters.edit_matter(matter, reference="", text="改", deadline_phrase="2024年9月底前",
                            responsible_phrase="省民政厅", actor=office, now=now)


def test_edit_before_any_report_changes_owners_and_keeps_history(office: User, now: dt.datetime) -> None:
    matter = _matter(office, now)
    db.session.commit()
    assert matters.edit_matter(matter, reference="新文号", text="开展廉洁风险排查（修改）",
                               deadline_phrase="2024年10月底前", responsible_phrase="省民政厅", actor=office, now=now)
    db.session.commit()
    task = matter.task
    assert task.text == "开展廉洁风险排查（修改）"
    assert task.due_date == dt.date(2024, 10, 31)
    assert {a.unit.name for a in task.assignments if a.closed_at is None} == {"省民政厅"}
    assert {a.unit.name for a in task.assignments if a.closed_at is not None} == {"省教育厅"}
    update = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "task.update",
                                                          AuditEvent.object_id == task.id))
    assert update is not None
    assert update.before["text"] == "开展社会组织领域廉洁风险排查"
    assert matter.reference == "新文号"
    with pytest.raises(ServiceError) as refused:
        matters.edit_matter(matter, reference="", text="x", deadline_phrase="看情况", responsible_phrase="省民政厅",
                            actor=office, now=now)
    assert refused.value.field == "deadline_phrase"


def test_unit_liaisons_read_only_their_own_matters(office: User, make_user: Callable[..., Any],
                                                   now: dt.datetime) -> None:
    matter = _matter(office, now, owners="省民政厅")
    db.session.commit()
    own, other = make_user(Role.LIAISON, unit="省民政厅"), make_user(Role.LIAISON, unit="省教育厅")
    viewer = make_user(Role.VIEWER)
    assert can(own, Action.VIEW_MATTER, matter)
    assert can(viewer, Action.VIEW_MATTER, matter)
    assert not can(other, Action.VIEW_MATTER, matter)
    assert [r.matter.id for r in matters.list_matters(own, TODAY)] == [matter.id]
    assert matters.list_matters(other, TODAY) == []
    assert [r.matter.id for r in matters.list_matters(viewer, TODAY, source=MatterSource.INSTRUCTION)] == [matter.id]
    assert matters.list_matters(viewer, TODAY, source=MatterSource.MEETING) == []
    assert matters.list_matters(viewer, TODAY, state="red") == []


def _meeting(office: User, now: dt.datetime, **changes: Any) -> Meeting:
    invited = [units.find_unit("省民政厅").id, units.find_unit("省教育厅").id]  # type: ignore[union-attr]
    values: dict[str, Any] = {"title": "2024年第二次联络员会议", "held_on": "2024-07-16",
                              "place": "省民政厅 301 会议室",
                              "agenda": "一、通报上半年进展\n二、研究下步工作", "invited": invited}
    values.update(changes)
    return meetings.create_meeting(default_work_group(), actor=office, now=now, base_url=BASE, **values)


def test_a_meeting_notifies_each_invited_unit_once_and_its_decisions_become_matters(
        office: User, make_user: Callable[..., Any], now: dt.datetime) -> None:
    meeting = _meeting(office, now)
    db.session.commit()
    notices = list(db.session.scalars(sa.select(Notification).where(
        Notification.kind == NotificationKind.MEETING_NOTICE).order_by(Notification.id)))
    assert len(notices) == 2
    assert {n.unit.name for n in notices} == {"省民政厅", "省教育厅"}
    assert "2024年第二次联络员会议" in notices[0].subject
    assert f"{BASE}/meetings/{meeting.id}" in notices[0].body_text
    assert meetings.send_notices(meeting, now=now, base_url=BASE) == 0  # exactly once per meeting and unit

    first = meetings.add_decision(meeting, text="各成员单位梳理本领域社会组织风险点", deadline_phrase="2024年8月底前",
                                  responsible_phrase="省民政厅", actor=office, now=now)
    second = meetings.add_decision(meeting, text="建立数据共享机制", deadline_phrase="2024年10月底前",
                                   responsible_phrase="省教育厅", actor=office, now=now)
    db.session.commit()
    for m in (first, second):
        assert m.source is MatterSource.MEETING
        assert m.meeting_id == meeting.id
        assert m.reference == meeting.title
        assert m.task.section.title == "会议议定"
    assert [m.id for m in meetings.get_meeting(meeting.id).matters] == [first.id, second.id]

    meetings.record_minutes(meeting, minutes="会议议定两项事项。", present=[units.find_unit("省民政厅").id],  # type: ignore[union-attr]
                            actor=office, now=now)
    assert [u.name for u in meeting.present] == ["省民政厅"]
    # Invited units read the meeting; others do not.
    assert can(make_user(Role.LIAISON, unit="省教育厅"), Action.VIEW_MEETING, meeting)
    assert not can(make_user(Role.LIAISON, unit="省财政厅"), Action.VIEW_MEETING, meeting)


@pytest.mark.parametrize(("changes", "field"), [
    ({"held_on": "7月16日"}, "held_on"),
    ({"held_on": "2024-02-30"}, "held_on"),
    ({"title": ""}, "title"),
    ({"invited": []}, "invited"),
    ({"invited": [99_999_999]}, "invited"),
])
def test_bad_meetings_are_refused(office: User, now: dt.datetime, changes: dict[str, Any], field: str) -> None:
    before = (_count(Meeting), _count(Notification))
    with pytest.raises(ServiceError) as refused:
        _meeting(office, now, **changes)
    assert refused.value.field == field
    db.session.rollback()
    assert (_count(Meeting), _count(Notification)) == before


def test_decision_without_owner_and_present_not_invited_are_refused(office: User, now: dt.datetime) -> None:
    meeting = _meeting(office, now)
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        meetings.add_decision(meeting, text="议定事项", deadline_phrase="2024年8月底前", responsible_phrase="",
                              actor=office, now=now)
    assert refused.value.field == "responsible_phrase"
    assert _count(Matter) == 0
    with pytest.raises(ServiceError) as bad:
        meetings.record_minutes(meeting, minutes="", present=[units.find_unit("省财政厅").id],  # type: ignore[union-attr]
                                actor=office, now=now)
    assert bad.value.field == "present"


def test_the_demo_has_a_meeting_with_two_decisions_and_an_instruction(seeded: None, now: dt.datetime) -> None:
    from tasktrack.services import seeding

    seeding.seed_demo(now=now, fast_hash=True)
    seeding.seed_demo(now=now, fast_hash=True)  # again: nothing added twice
    db.session.commit()
    [meeting] = db.session.scalars(sa.select(Meeting)).all()
    assert len(meeting.matters) == 2
    assert {u.name for u in meeting.present} == {"省民政厅", "省教育厅", "省发展改革委"}
    rows = db.session.scalars(sa.select(Matter).order_by(Matter.id)).all()
    assert [m.source for m in rows] == [MatterSource.MEETING, MatterSource.MEETING, MatterSource.INSTRUCTION]
    assert _count(Notification) == 0  # held before the demo day: no notice queued by the seed
    # The demo's plan reports still went to the plan's tasks, not to a matter of the same number.
    assert all(not matters.has_reports(m) for m in rows)


def test_urging_a_matter_and_its_calendar_entry_name_it_apart_from_plan_tasks(office: User, now: dt.datetime) -> None:
    from tasktrack.services import calendar, urging

    matter = _matter(office, now)
    db.session.commit()
    assignment = next(a for a in matter.task.assignments if a.unit.name == "省民政厅")
    row_id = urging.urge(assignment, actor=office, note="请抓紧", now=now, base_url=BASE)
    db.session.commit()
    row = db.session.get(Notification, row_id)
    assert row is not None
    number = matter.task.number
    assert f"“交办{number}. 开展社会组织领域廉洁风险排查”" in row.subject
    assert f"交办{number}. 开展社会组织领域廉洁风险排查" in row.body_text
    liaison = User(email="mzt-cal@example.org", name="联络员", role=Role.LIAISON, unit_id=assignment.unit_id)
    events = calendar.feed_events(liaison, url_for_task=lambda task_id: f"{BASE}/tasks/{task_id}")
    assert any(e.summary.startswith(f"【截止】交办{number}. ") for e in events)
