"""Progress reports, completion review and extension requests, tested as services (no HTTP)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import settings
from tasktrack.domain.lights import Light, Reason
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    Attachment,
    AuditEvent,
    CompletionState,
    ExtensionStatus,
    ProgressReport,
    SupervisionKind,
    SupervisionRecord,
    Task,
    Unit,
    User,
)
from tasktrack.services import Conflict, ServiceError, extension_requests, progress
from tasktrack.services.attachments import Upload
from tasktrack.services.read import tracking
from tasktrack.services.read.overview import light_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 200
IN_PROGRESS, COMPLETED = AssignmentStatus.IN_PROGRESS, AssignmentStatus.COMPLETED


def assignment_of(unit: str, number: int) -> Assignment:
    """Return the 2024 plan's assignment of a task number to a unit."""
    return db.session.scalars(
        sa.select(Assignment).join(Task).join(Unit, Assignment.unit_id == Unit.id)
        .where(Unit.name == unit, Task.number == number)
    ).one()


def count(model: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


@pytest.fixture
def liaison(seeded: None, make_user: Callable[..., Any]) -> Any:
    return make_user("liaison", unit="省民政厅")


@pytest.fixture
def secretariat(seeded: None, make_user: Callable[..., Any]) -> Any:
    return make_user("secretariat")


def report(a: Assignment, author: Any, now: dt.datetime, **kw: Any) -> ProgressReport:
    args = {"status": IN_PROGRESS, "percent": 30, "completed_on": None, "narrative": "正在推进", **kw}
    row = progress.submit_report(a, author=author, now=now, **args)
    db.session.commit()
    return row


def test_report_appends_and_mirrors(liaison: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    first = report(a, liaison, now, percent=20, narrative="启动")
    second = report(a, liaison, now + dt.timedelta(hours=1), percent=50, narrative="过半", base_report=first)
    assert second.base_report_id == first.id
    assert (a.status, a.percent, a.completion_state) == (IN_PROGRESS, 50, CompletionState.NONE)
    assert db.session.get(ProgressReport, first.id).narrative == "启动"  # nothing overwritten
    assert count(ProgressReport) == 2
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "progress.report")).all()
    assert len(events) == 2
    assert events[1].after["percent"] == 50


def test_correction_is_a_new_version_that_shows_what_changed(liaison: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    first = report(a, liaison, now, percent=20, narrative="已召开部署会")
    fixed = report(a, liaison, now + dt.timedelta(minutes=5), percent=25, narrative="已召开全省部署会",
                   supersedes=first, base_report=first, reason="比例填错")
    entries = progress.history(a)
    assert [e.report.id for e in entries] == [fixed.id, first.id]  # newest first
    assert entries[0].is_correction
    assert entries[0].previous is first
    changes = {c.name: c for c in entries[0].changes}
    assert (changes["percent"].old, changes["percent"].new) == ("20%", "25%")
    assert [(s.op, s.text) for s in changes["narrative"].segments] == [
        ("equal", "已召开"), ("insert", "全省"), ("equal", "部署会")]
    assert db.session.get(ProgressReport, first.id).percent == 20


def test_history_carries_attachments(liaison: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    r = report(a, liaison, now, attachments=[Upload("工作方案.pdf", PDF), Upload("会议纪要.pdf", PDF)])
    [entry] = progress.history(a)
    assert entry.report.id == r.id
    assert [f.original_name for f in entry.attachments] == ["工作方案.pdf", "会议纪要.pdf"]


@pytest.mark.parametrize(("kw", "field", "message"), [
    ({"narrative": "   "}, "narrative", "请填写进展情况说明"),
    ({"percent": -1}, "percent", "0 到 100"),
    ({"percent": 101}, "percent", "0 到 100"),
    ({"status": COMPLETED, "completed_on": None}, "completed_on", "必须填写完成日期"),
    ({"status": COMPLETED, "completed_on": dt.date(2024, 7, 19)}, "completed_on", "不能晚于今天"),
    ({"attachments": [Upload("说明.pdf", EXE)]}, "attachments", "PDF"),
])
def test_bad_input_refused_and_nothing_changes(liaison: Any, now: dt.datetime, kw: dict[str, Any], field: str,
                                               message: str) -> None:
    a = assignment_of("省民政厅", 1)
    before = (count(ProgressReport), count(Attachment), count(AuditEvent))
    with pytest.raises(ServiceError) as info:
        report(a, liaison, now, **kw)
    db.session.rollback()
    assert info.value.field == field
    assert message in info.value.message
    assert (count(ProgressReport), count(Attachment), count(AuditEvent)) == before
    assert db.session.get(Assignment, a.id).last_reported_at is None


def test_attachment_over_the_per_file_limit(app: Any, liaison: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    with settings.overridden(app, max_upload_bytes=100), pytest.raises(ServiceError) as info:
        report(a, liaison, now, attachments=[Upload("大文件.pdf", PDF + b"%" * 200)])
    db.session.rollback()
    assert info.value.field == "attachments"
    assert count(ProgressReport) == 0


def test_stale_base_is_refused(liaison: Any, make_user: Callable[..., Any], now: dt.datetime) -> None:
    other = make_user("liaison", unit="省民政厅")
    a = assignment_of("省民政厅", 1)
    first = report(a, liaison, now)
    # Both open the form on `first`; the colleague submits first.
    report(a, other, now + dt.timedelta(minutes=1), narrative="同事的报送", base_report=first)
    with pytest.raises(progress.StaleReport) as info:
        report(a, liaison, now + dt.timedelta(minutes=2), narrative="我的报送", base_report=first)
    db.session.rollback()
    assert info.value.latest.narrative == "同事的报送"
    assert count(ProgressReport) == 2
    with pytest.raises(progress.StaleReport):  # a form opened before any report existed
        report(a, liaison, now, base_report=None)


@pytest.mark.committed
def test_two_forms_on_one_report_submitted_at_once_keep_one(app: Flask, liaison: Any, make_user: Callable[..., Any],
                                                           now: dt.datetime) -> None:
    """Two colleagues submit forms opened on the same report in two transactions at once: the one that gets the
    assignment's lock second reads the first one's report as the latest (the row's pointer, read under the lock)
    and is refused, so the first is never silently overwritten."""
    other = make_user("liaison", unit="省民政厅")
    a = assignment_of("省民政厅", 1)
    base = report(a, liaison, now)
    ids, authors = (a.id, base.id), (liaison.id, other.id)
    holding, release = threading.Event(), threading.Event()
    outcome: dict[int, object] = {}

    def submit(n: int) -> None:
        try:
            with app.app_context():
                try:
                    progress.submit_report(
                        db.session.get_one(Assignment, ids[0]), author=db.session.get_one(User, authors[n]),
                        status=IN_PROGRESS, percent=50, completed_on=None, narrative=f"第{n}份",
                        now=now + dt.timedelta(minutes=1), base_report=db.session.get(ProgressReport, ids[1]))
                    if n == 0:  # hold the lock (PostgreSQL's row lock, SQLite's write lock) until told
                        holding.set()
                        release.wait(60)
                    db.session.commit()
                    outcome[n] = "kept"
                except progress.StaleReport as exc:
                    outcome[n] = exc.latest.narrative
                    db.session.rollback()
                finally:
                    db.session.remove()
        except BaseException as exc:  # reported by the assertion below
            outcome[n] = exc

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    assert holding.wait(60)
    second = threading.Thread(target=submit, args=(1,))
    second.start()
    second.join(0.5)  # let it queue behind the lock (the outcome is the same if it has not yet)
    release.set()
    first.join(60)
    second.join(60)
    assert outcome == {0: "kept", 1: "第0份"}
    db.session.rollback()  # a fresh snapshot (SQLite's read transaction began before the threads committed)
    assert count(ProgressReport) == 2


def test_two_reporters_at_the_same_moment_both_keep_their_report(liaison: Any, make_user: Callable[..., Any],
                                                                  now: dt.datetime) -> None:
    other = make_user("liaison", unit="省民政厅")
    a = assignment_of("省民政厅", 1)
    report(a, liaison, now, narrative="甲")
    report(a, other, now, narrative="乙")
    assert [e.report.narrative for e in progress.history(a)] == ["乙", "甲"]


def test_unchanged_repeats_the_last_report(liaison: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    first = report(a, liaison, now, percent=40, narrative="按计划推进")
    again = progress.confirm_unchanged(a, author=liaison, base_report=first, now=now + dt.timedelta(days=30))
    db.session.commit()
    assert (again.percent, again.narrative) == (40, "按计划推进")
    assert progress.history(a)[0].is_unchanged
    with pytest.raises(progress.StaleReport):
        progress.confirm_unchanged(a, author=liaison, base_report=first, now=now)


def test_completion_is_claimed_then_confirmed(liaison: Any, secretariat: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 6)
    report(a, liaison, now, status=COMPLETED, percent=None, completed_on=dt.date(2024, 7, 10))
    assert a.completion_state is CompletionState.CLAIMED
    assert a.percent == 100
    light = light_of(a, a.task, a.task.plan, now.date())
    assert light.light is Light.DONE
    assert light.reason is Reason.COMPLETED_LATE
    assert [r.assignment.id for r in [*tracking.my_tasks(a.unit_id, now.date())] if r.awaiting_confirmation] == [a.id]
    assert [x.id for x in progress.pending_claims()] == [a.id]
    progress.confirm_completion(a, actor=secretariat, note=None, now=now)
    db.session.commit()
    assert a.completion_state is CompletionState.CONFIRMED
    assert progress.pending_claims() == []
    record = db.session.scalars(sa.select(SupervisionRecord)).one()
    assert record.kind is SupervisionKind.CONFIRM
    assert record.report_id is not None
    with pytest.raises(Conflict):
        progress.confirm_completion(a, actor=secretariat, note=None, now=now)


def test_send_back_needs_a_comment_and_reopens_the_work(liaison: Any, secretariat: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 6)
    report(a, liaison, now, status=COMPLETED, percent=None, completed_on=dt.date(2024, 7, 10))
    with pytest.raises(ServiceError) as info:
        progress.send_back(a, actor=secretariat, note=" ", now=now)
    assert info.value.field == "note"
    assert a.completion_state is CompletionState.CLAIMED
    progress.send_back(a, actor=secretariat, note="缺少印发文件", now=now)
    db.session.commit()
    assert (a.status, a.completion_state, a.completed_on) == (IN_PROGRESS, CompletionState.RETURNED, None)
    assert light_of(a, a.task, a.task.plan, now.date()).light is Light.RED
    assert count(ProgressReport) == 1  # the claim itself stays in the history


def test_reopening_a_completed_assignment_needs_a_reason(liaison: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    done = report(a, liaison, now, status=COMPLETED, percent=None, completed_on=now.date())
    with pytest.raises(ServiceError) as info:
        report(a, liaison, now, status=IN_PROGRESS, base_report=done)
    db.session.rollback()
    assert info.value.field == "reason"
    report(a, liaison, now, status=IN_PROGRESS, base_report=done, reason="发现遗漏的配套文件")
    row = db.session.scalars(sa.select(SupervisionRecord)).one()
    assert (row.kind, row.note) == (SupervisionKind.REOPEN, "发现遗漏的配套文件")
    assert a.completion_state is CompletionState.NONE


def test_extension_approved_moves_the_light(liaison: Any, secretariat: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)  # due 2024-07-31: yellow on 07-18
    assert light_of(a, a.task, a.task.plan, now.date()).light is Light.YELLOW
    req = extension_requests.request_extension(a, author=liaison, requested_due=dt.date(2024, 9, 30),
                                               reason="待省委审议", now=now)
    db.session.commit()
    assert req.current_due == dt.date(2024, 7, 31)
    with pytest.raises(Conflict):
        extension_requests.request_extension(a, author=liaison, requested_due=dt.date(2024, 9, 30), reason="再次",
                                             now=now)
    assert [r.id for r in extension_requests.pending_requests()] == [req.id]
    extension_requests.decide(req, actor=secretariat, approve=True, note=None, now=now)
    db.session.commit()
    assert a.extended_due == dt.date(2024, 9, 30)
    assert a.task.due_date == dt.date(2024, 7, 31)
    assert a.effective_due == dt.date(2024, 9, 30)
    assert light_of(a, a.task, a.task.plan, now.date()).light is Light.GREEN
    with pytest.raises(Conflict):
        extension_requests.decide(req, actor=secretariat, approve=False, note="x", now=now)


@pytest.mark.parametrize(("unit_task", "requested", "reason", "field", "message"), [
    (("省民政厅", 6), dt.date(2024, 9, 30), "理由", "requested_due", "已过"),
    (("省民政厅", 1), dt.date(2024, 7, 31), "理由", "requested_due", "必须晚于"),
    (("省民政厅", 1), None, "理由", "requested_due", "请填写"),
    (("省民政厅", 1), dt.date(2024, 9, 30), " ", "reason", "理由"),
])
def test_extension_refused(liaison: Any, now: dt.datetime, unit_task: tuple[str, int], requested: dt.date | None,
                           reason: str, field: str, message: str) -> None:
    a = assignment_of(*unit_task)
    with pytest.raises(ServiceError) as info:
        extension_requests.request_extension(a, author=liaison, requested_due=requested, reason=reason, now=now)
    assert info.value.field == field
    assert message in info.value.message


def test_refusal_needs_a_note(liaison: Any, secretariat: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 1)
    req = extension_requests.request_extension(a, author=liaison, requested_due=dt.date(2024, 9, 30), reason="r",
                                               now=now)
    with pytest.raises(ServiceError):
        extension_requests.decide(req, actor=secretariat, approve=False, note="", now=now)
    extension_requests.decide(req, actor=secretariat, approve=False, note="请按期完成", now=now)
    assert req.status is ExtensionStatus.REFUSED
    assert a.extended_due is None


def test_year_round_without_a_report_this_period_is_stale(liaison: Any, now: dt.datetime) -> None:
    a = assignment_of("省民政厅", 2)  # 2024年全年, quarterly
    row = next(r for r in tracking.my_tasks(a.unit_id, now.date()) if r.assignment.id == a.id)
    assert row.light.light is Light.YELLOW
    assert row.is_stale
    report(a, liaison, now - dt.timedelta(days=20))
    row = next(r for r in tracking.my_tasks(a.unit_id, now.date()) if r.assignment.id == a.id)
    assert row.light.light is Light.GREEN
    assert not row.is_stale
