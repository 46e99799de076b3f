"""The render cache stays correct: every writing transaction bumps the data version, pages keyed by it change
with the data, the day and the user's own CSRF token."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import cache, settings
from tasktrack.extensions import db
from tasktrack.models import Assignment, SchedulerLock, Unit
from tasktrack.services import progress, users
from tests.conftest import CSRF_RE, login
from tests.services.test_progress import assignment_of


def version() -> int:
    db.session.rollback()
    value = cache.current_version()
    db.session.rollback()
    assert value is not None
    return value


def test_a_committed_write_bumps_the_version_once_a_transaction(app: Flask, seeded: None) -> None:
    before = version()
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    unit.contact_emails = "a@example.org"
    db.session.flush()
    unit.leader_email = "b@example.org"
    db.session.flush()
    db.session.execute(sa.update(Unit).where(Unit.id == unit.id).values(sort_order=99))  # Core counts too
    db.session.commit()
    assert version() == before + 1


def test_reads_and_rolled_back_writes_leave_the_version(app: Flask, seeded: None) -> None:
    before = version()
    db.session.scalars(sa.select(Unit)).all()
    db.session.commit()
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    unit.contact_emails = "a@example.org"
    db.session.flush()
    db.session.rollback()
    assert version() == before


def test_a_write_after_a_rolled_back_savepoint_still_bumps(app: Flask, seeded: None) -> None:
    before = version()
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    with db.session.begin_nested() as nested:
        unit.contact_emails = "a@example.org"
        db.session.flush()
        nested.rollback()  # the bump inside the savepoint is undone with it
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    unit.leader_email = "b@example.org"
    db.session.commit()
    assert version() == before + 1


def test_the_scheduler_heartbeat_does_not_invalidate(app: Flask, now: dt.datetime) -> None:
    before = version()
    db.session.add(SchedulerLock(name="bench", holder="x", heartbeat_at=now, expires_at=now))
    db.session.commit()
    assert version() == before


def test_a_transaction_that_wrote_keeps_nothing_in_the_cache(app: Flask, seeded: None) -> None:
    """What a writing transaction sees is not kept: if it rolled back, another commit would reuse its number."""
    built: list[str] = []

    def build() -> str:
        built.append(db.session.scalar(sa.select(Unit.contact_emails).where(Unit.name == "省民政厅")) or "")
        return built[-1]

    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    unit.contact_emails = "rolled-back@example.org"
    db.session.flush()  # bumps the version inside this transaction
    assert cache.cached(("unit-mail",), build) == "rolled-back@example.org"
    db.session.rollback()
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省民政厅"))
    unit.contact_emails = "committed@example.org"
    db.session.commit()  # the same version number the rolled-back transaction saw
    assert cache.cached(("unit-mail",), build) == "committed@example.org"
    assert cache.cached(("unit-mail",), build) == "committed@example.org"
    assert built == ["rolled-back@example.org", "committed@example.org"]  # kept once committed, not before


def test_lru_keeps_the_newest_entries() -> None:
    lru = cache.LRU(2)
    lru.put("a", "1")
    lru.put("b", "2")
    assert lru.get("a") == "1"
    lru.put("c", "3")
    assert lru.get("b") is None
    assert lru.get("a") == "1"
    assert lru.get("c") == "3"


@pytest.fixture
def liaison(seeded: None, login_as: Callable[..., Any]) -> Any:
    user = login_as("liaison", unit="省民政厅")
    db.session.commit()
    return user


def test_my_tasks_is_served_from_the_cache_until_the_data_changes(client: FlaskClient, liaison: Any, now: dt.datetime,
                                                                  count_queries: Callable[[], Any]) -> None:
    first = client.get("/my/tasks").get_data(as_text=True)
    with count_queries() as cold:
        client.get("/my/tasks")
    with count_queries() as warm:
        again = client.get("/my/tasks").get_data(as_text=True)
    # The CSRF token is signed with the second it was made in: the page is the same apart from it.
    assert CSRF_RE.sub("", again) == CSRF_RE.sub("", first)
    assert warm.count <= cold.count
    # A write that does not go through any view still shows at once (the version moved with it).
    a = assignment_of("省民政厅", 7)
    progress.submit_report(a, author=liaison, status=progress.AssignmentStatus.IN_PROGRESS, percent=40,
                           completed_on=None, narrative="缓存之后的新进展", now=now)
    db.session.commit()
    assert "缓存之后的新进展" in client.get("/my/tasks").get_data(as_text=True)
    db.session.execute(sa.update(Assignment).where(Assignment.id == a.id).values(extended_due=dt.date(2024, 12, 31)))
    db.session.commit()
    assert "2024年12月31日" in client.get("/my/tasks").get_data(as_text=True)


def test_my_tasks_changes_with_the_day(app: Flask, client: FlaskClient, liaison: Any) -> None:
    def days(html: str) -> list[str]:
        return re.findall(r'<span class="days">([^<]*)</span>', html)

    today = days(client.get("/my/tasks").get_data(as_text=True))
    app.config["PINNED_TODAY"] = dt.date(2024, 9, 1)
    later = days(client.get("/my/tasks").get_data(as_text=True))
    assert today != later


def test_each_user_gets_their_own_csrf_token_in_a_cached_page(app: Flask, client: FlaskClient, liaison: Any,
                                                              make_user: Callable[..., Any], now: dt.datetime) -> None:
    progress.submit_report(assignment_of("省民政厅", 7), author=liaison, status=progress.AssignmentStatus.IN_PROGRESS,
                           percent=10, completed_on=None, narrative="已部署", now=now)
    db.session.commit()
    mine = client.get("/my/tasks").get_data(as_text=True)
    colleague = make_user("liaison", unit="省民政厅")
    other = app.test_client()
    assert login(other, colleague.email).status_code == 302
    theirs = other.get("/my/tasks").get_data(as_text=True)
    assert cache.CSRF_PLACEHOLDER not in mine + theirs
    my_tokens, their_tokens = set(CSRF_RE.findall(mine)), set(CSRF_RE.findall(theirs))
    assert my_tokens
    assert their_tokens
    assert not my_tokens & their_tokens
    # The colleague's one-click form works with the token in the colleague's page.
    match = re.search(r'action="(/assignments/\d+/unchanged)".*?name="base_report_id" value="(\d+)"', theirs, re.S)
    assert match is not None
    response = other.post(match.group(1), data={"csrf_token": their_tokens.pop(), "base_report_id": match.group(2),
                                                "next": "my"})
    assert response.status_code == 302


def test_a_colleague_served_from_the_cache_gets_their_own_csrf_token(app: Flask, client: FlaskClient, liaison: Any,
                                                                    make_user: Callable[..., Any],
                                                                    now: dt.datetime) -> None:
    """The page body's own ``{{ csrf_token() }}`` (not only the macros') is the placeholder while it is built: with no
    write between the two readers, the colleague's page comes from the cache and still carries the colleague's token."""
    progress.submit_report(assignment_of("省民政厅", 7), author=liaison, status=progress.AssignmentStatus.IN_PROGRESS,
                           percent=10, completed_on=None, narrative="已部署", now=now)
    colleague = make_user("liaison", unit="省民政厅")
    db.session.commit()
    other = app.test_client()
    assert login(other, colleague.email).status_code == 302
    mine = client.get("/my/tasks").get_data(as_text=True)
    theirs = other.get("/my/tasks").get_data(as_text=True)
    my_tokens, their_tokens = set(CSRF_RE.findall(mine)), set(CSRF_RE.findall(theirs))
    assert their_tokens
    assert not my_tokens & their_tokens
    match = re.search(r'action="(/assignments/\d+/unchanged)".*?name="csrf_token" value="([^"]+)".*?'
                      r'name="base_report_id" value="(\d+)"', theirs, re.S)
    assert match is not None
    response = other.post(match.group(1), data={"csrf_token": match.group(2), "base_report_id": match.group(3),
                                                "next": "my"})
    assert response.status_code == 302


def test_dashboard_counts_follow_a_new_report(client: FlaskClient, login_as: Callable[..., Any], seeded: None,
                                              make_user: Callable[..., Any], now: dt.datetime) -> None:
    login_as("secretariat")
    db.session.commit()
    first = client.get("/dashboard")
    assert first.status_code == 200, first.status_code
    before = first.get_data(as_text=True)
    v = version()
    # The frame's CSRF token is signed with the current second: left out of the comparison.
    again = client.get("/dashboard").get_data(as_text=True)
    assert CSRF_RE.sub("", again) == CSRF_RE.sub("", before), (v, version())
    author = make_user("liaison", unit="省民政厅")
    a = assignment_of("省民政厅", 7)
    progress.submit_report(a, author=author, status=progress.AssignmentStatus.COMPLETED, percent=100,
                           completed_on=dt.date(2024, 7, 17), narrative="已全部完成", now=now)
    db.session.commit()
    assert version() > v
    response = client.get("/dashboard")
    assert response.status_code == 200, response.status_code
    after = response.get_data(as_text=True)
    assert after != before
    assert "已全部完成" in after  # the recent-reports list


def test_cache_size_zero_turns_it_off(app: Flask, client: FlaskClient, liaison: Any,
                                      count_queries: Callable[[], Any]) -> None:
    client.get("/my/tasks")
    with count_queries() as warm:
        client.get("/my/tasks")
    with settings.overridden(app, render_cache_size=0), count_queries() as off:
        client.get("/my/tasks")

    def rebuilt(q: Any) -> bool:  # the page's own query ran (the read of the unit's assignments)
        return any("FROM assignments" in " ".join(s.split()) for s in q.statements)

    # 我的任务 is one query now, as many as a cached answer's version read: tell them apart by what they read.
    assert not rebuilt(warm)
    assert rebuilt(off)


def test_task_page_history_api_summary_and_export_follow_a_new_report(
        client: FlaskClient, seeded: None, make_user: Callable[..., Any], login_as: Callable[..., Any],
        now: dt.datetime) -> None:
    office = login_as("secretariat")
    token = users.issue_token(office, actor=None, now=now)
    db.session.commit()
    api = {"Authorization": f"Bearer {token}"}
    a = assignment_of("省民政厅", 7)
    task_path, plan_id = f"/tasks/{a.task_id}", a.task.plan_id
    page = client.get(task_path).get_data(as_text=True)
    assert "最近进展" in page
    assert "各单位尚未报送进展" in page
    summary = client.get("/api/v1/dashboard", headers=api).get_json()
    workbook = client.get(f"/plans/{plan_id}/export.xlsx").data
    assert client.get("/api/v1/dashboard", headers=api).get_json() == summary

    author = make_user("liaison", unit="省民政厅")
    progress.submit_report(assignment_of("省民政厅", 7), author=author, status=progress.AssignmentStatus.COMPLETED,
                           percent=100, completed_on=dt.date(2024, 7, 17), narrative="任务页可见的新进展", now=now)
    db.session.commit()
    page = client.get(task_path).get_data(as_text=True)
    assert "任务页可见的新进展" in page
    assert author.name in page
    assert client.get("/api/v1/dashboard", headers=api).get_json()["totals"]["done"] == summary["totals"]["done"] + 1
    assert client.get(f"/plans/{plan_id}/export.xlsx").data != workbook


def test_api_calls_stamp_their_token_without_emptying_the_cache(client: FlaskClient, seeded: None,
                                                               make_user: Callable[..., Any], now: dt.datetime) -> None:
    office = make_user("secretariat")
    token = users.issue_token(office, actor=None, now=now)
    db.session.commit()
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/dashboard", headers=api).status_code == 200
    before = version()
    assert client.get("/api/v1/dashboard", headers=api).status_code == 200
    assert client.get("/api/v1/me", headers=api).status_code == 200
    assert version() == before


def test_overdue_lists_follow_a_completion(client: FlaskClient, seeded: None, make_user: Callable[..., Any],
                                           login_as: Callable[..., Any], app: Flask, now: dt.datetime) -> None:
    login_as("secretariat")
    db.session.commit()
    a = assignment_of("省民政厅", 6)  # due 2024年6月底前: overdue on the suite's day
    page = client.get("/dashboard/assignments?plan=all&light=red").get_data(as_text=True)
    assert f'data-assignment="{a.id}"' in page
    assert "<title>任务分配清单 · 全部计划" in page
    author = make_user("liaison", unit="省民政厅")
    progress.submit_report(assignment_of("省民政厅", 6), author=author, status=progress.AssignmentStatus.COMPLETED,
                           percent=100, completed_on=dt.date(2024, 7, 10), narrative="已完成", now=now)
    db.session.commit()
    assert f'data-assignment="{a.id}"' not in client.get("/dashboard/assignments?plan=all&light=red").get_data(
        as_text=True)
