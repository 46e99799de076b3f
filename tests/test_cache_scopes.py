"""Invalidation by what changed (issue 16): a progress report bumps its plan's, its unit's and its work groups'
scopes, not the global data version; cached pages of other plans and units stay cached, pages it can change follow
it at once, and anything the scopes cannot place still empties everything."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import cache, cache_scopes, settings
from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, DataVersionScope, MatterSource, Task, Unit, User
from tasktrack.services import matters, progress
from tasktrack.services.read import tracking
from tasktrack.web.everyone import dashboard as dashboard_views
from tests.conftest import CSRF_RE, login
from tests.levels import PASSWORD, Levels, build_levels
from tests.services.test_progress import assignment_of


@pytest.fixture
def lv(seeded: None, now: dt.datetime) -> Levels:
    levels = build_levels(now)
    db.session.commit()
    return levels


@contextmanager
def settings_off(app: Flask) -> Iterator[None]:
    """The render cache off (nothing kept, nothing read from it)."""
    with settings.overridden(app, render_cache_size=0):
        yield


def versions() -> dict[str, int]:
    """Return the committed global version ("") and every scope's."""
    db.session.rollback()
    found = {"": cache.current_version() or 0}
    found.update(dict(db.session.execute(sa.select(DataVersionScope.scope, DataVersionScope.value)).tuples().all()))
    db.session.rollback()
    return found


def city_assignment(lv: Levels) -> Assignment:
    found = db.session.scalar(sa.select(Assignment).join(Task, Assignment.task_id == Task.id)
                              .where(Task.plan_id == lv.city_plan.id, Assignment.unit_id == lv.mz.id))
    assert found is not None
    return found


def report(assignment: Assignment, author: User, now: dt.datetime, text: str = "按计划推进") -> None:
    progress.submit_report(assignment, author=author, status=AssignmentStatus.IN_PROGRESS, percent=30,
                           completed_on=None, narrative=text, now=now)
    db.session.commit()


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {k for k in set(before) | set(after) if before.get(k, 0) != after.get(k, 0)}


def test_a_report_bumps_its_plan_unit_and_groups_up_the_tree_only(lv: Levels, now: dt.datetime) -> None:
    before = versions()
    report(city_assignment(lv), lv.mz_liaison, now)
    assert changed(before, versions()) == {f"plan:{lv.city_plan.id}", f"unit:{lv.mz.id}", f"tree:{lv.city.id}",
                                           f"tree:{lv.province.id}"}  # not "": the global version stays


def test_each_scope_moves_once_a_transaction(lv: Levels, now: dt.datetime) -> None:
    before = versions()
    a = city_assignment(lv)
    for text in ("第一次", "第二次"):
        progress.submit_report(a, author=lv.mz_liaison, status=AssignmentStatus.IN_PROGRESS, percent=None,
                               completed_on=None, narrative=text, now=now)
        db.session.flush()
    db.session.commit()
    after = versions()
    assert after[f"plan:{lv.city_plan.id}"] == before.get(f"plan:{lv.city_plan.id}", 0) + 1


def test_anything_else_in_the_same_flush_bumps_the_global_version(lv: Levels, now: dt.datetime) -> None:
    before = versions()
    a = city_assignment(lv)
    lv.cz.contact_emails = "new@hz.example.org"  # a unit edit rides along: the scopes cannot place it
    progress.submit_report(a, author=lv.mz_liaison, status=AssignmentStatus.IN_PROGRESS, percent=None,
                           completed_on=None, narrative="顺带修改", now=now)
    db.session.commit()
    assert "" in changed(before, versions())


def test_core_statements_on_the_same_tables_bump_the_global_version(lv: Levels) -> None:
    before = versions()
    db.session.execute(sa.update(Assignment).where(Assignment.id == city_assignment(lv).id)
                       .values(extended_due=dt.date(2024, 12, 31)))
    db.session.commit()
    assert changed(before, versions()) == {""}


def test_scope_names_are_checked_before_they_reach_sql() -> None:
    assert cache_scopes.check(["unit:2", "plan:1", "unit:2"]) == ["plan:1", "unit:2"]
    for bad in ("plan:1'; DROP TABLE x; --", "plan:", "other:1", "plan:1 "):
        with pytest.raises(ValueError, match="not a cache scope"):
            cache_scopes.check([bad])


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count how often the cached pages are built (not served from the cache)."""
    counts = {"my_tasks": 0, "dashboard": 0}
    my_tasks, render = tracking.my_tasks, dashboard_views.render_template

    def counted_my_tasks(*args: Any, **kwargs: Any) -> Any:
        counts["my_tasks"] += 1
        return my_tasks(*args, **kwargs)

    def counted_render(name: str, **context: Any) -> str:
        if name.startswith("dashboard/_"):  # the cached body (the frame around it is rendered every time)
            counts["dashboard"] += 1
        return render(name, **context)

    monkeypatch.setattr(tracking, "my_tasks", counted_my_tasks)
    monkeypatch.setattr(dashboard_views, "render_template", counted_render)
    return counts


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.email, PASSWORD).status_code == 302
    return client


def test_a_report_leaves_other_units_and_plans_cached_and_refreshes_what_it_changes(
        app: Flask, lv: Levels, now: dt.datetime, builds: dict[str, int]) -> None:
    mz, cz = _client(app, lv.mz_liaison), _client(app, lv.cz_liaison)
    province, sibling = _client(app, lv.province_secretariat), _client(app, lv.sibling_secretariat)
    pages = [(mz, "/my/tasks"), (cz, "/my/tasks"), (province, f"/dashboard?plan={lv.province_plan.id}"),
             (sibling, "/dashboard")]
    first = {path + str(id(c)): c.get(path).get_data(as_text=True) for c, path in pages}
    assert builds == {"my_tasks": 2, "dashboard": 2}
    for c, path in pages:
        assert c.get(path).status_code == 200
    assert builds == {"my_tasks": 2, "dashboard": 2}  # all served from the cache

    report(city_assignment(lv), lv.mz_liaison, now, "杭州市民政局的新进展")
    assert "杭州市民政局的新进展" in mz.get("/my/tasks").get_data(as_text=True)  # the writer sees it at once
    assert builds["my_tasks"] == 3
    # (the CSRF token is signed with the second it was made in: the page is the same apart from it)
    unchanged = CSRF_RE.sub("", cz.get("/my/tasks").get_data(as_text=True))
    assert unchanged == CSRF_RE.sub("", first["/my/tasks" + str(id(cz))])
    assert builds["my_tasks"] == 3  # another unit's list: still cached
    sibling.get("/dashboard")
    assert builds["dashboard"] == 2  # 湖州's 督办总览: another part of the tree, still cached
    province.get(f"/dashboard?plan={lv.province_plan.id}")
    assert builds["dashboard"] == 3  # the province rolls 杭州 up: rebuilt


def test_a_write_the_scopes_cannot_place_empties_every_page(app: Flask, lv: Levels, builds: dict[str, int]) -> None:
    cz, sibling = _client(app, lv.cz_liaison), _client(app, lv.sibling_secretariat)
    cz.get("/my/tasks")
    sibling.get("/dashboard")
    unit = db.session.get(Unit, lv.cz.id)
    assert unit is not None
    unit.name = "杭州市财政局"
    db.session.commit()
    assert "杭州市财政局" in cz.get("/my/tasks").get_data(as_text=True)
    sibling.get("/dashboard")
    assert builds == {"my_tasks": 2, "dashboard": 2}


def test_a_transaction_that_reported_keeps_nothing_it_reads_in_the_cache(app: Flask, lv: Levels,
                                                                         now: dt.datetime) -> None:
    a = city_assignment(lv)
    progress.submit_report(a, author=lv.mz_liaison, status=AssignmentStatus.IN_PROGRESS, percent=None,
                           completed_on=None, narrative="未提交", now=now)
    db.session.flush()
    assert cache._writing()
    db.session.rollback()


def test_a_report_on_a_matter_refreshes_its_groups_dashboard(app: Flask, lv: Levels, now: dt.datetime,
                                                             builds: dict[str, int]) -> None:
    matter = matters.create_matter(lv.city, source=MatterSource.INSTRUCTION, reference="领导批示第1号",
                                   text="开展社会组织年检专项督查", deadline_phrase="2024年9月底前",
                                   responsible_phrase="市财政局", actor=lv.city_secretariat, now=now)
    db.session.commit()
    office = _client(app, lv.city_secretariat)
    office.get("/dashboard")
    office.get("/dashboard")
    assert builds["dashboard"] == 1  # cached
    assignment = db.session.scalar(sa.select(Assignment).where(Assignment.task_id == matter.task_id))
    assert assignment is not None
    report(assignment, lv.cz_liaison, now, "年检督查已启动")
    page = office.get("/dashboard").get_data(as_text=True)
    assert "年检督查已启动" in page or "开展社会组织年检专项督查" in page
    assert builds["dashboard"] == 2  # the 交办事项 section shows it: rebuilt


def test_the_overdue_list_follows_only_overdue_work(app: Flask, client: FlaskClient, seeded: None,
                                                    login_as: Any, make_user: Any, now: dt.datetime,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    render = dashboard_views.render_template

    def counted(name: str, **context: Any) -> str:
        built.append(name)
        return render(name, **context)

    monkeypatch.setattr(dashboard_views, "render_template", counted)
    login_as("secretariat")
    author = make_user("liaison", unit="省民政厅")
    db.session.commit()
    red_list = "/dashboard/assignments?plan=all&light=red"

    def builds() -> int:
        return built.count("dashboard/_assignments_body.html")

    late, on_time = assignment_of("省民政厅", 6), assignment_of("省民政厅", 7)  # due June (overdue) / later
    assert f'data-assignment="{late.id}"' in client.get(red_list).get_data(as_text=True)
    client.get(red_list)
    assert builds() == 1
    before = versions()
    report(assignment_of("省民政厅", 7), author, now, "按期推进")  # not overdue before or after
    moved = changed(before, versions())
    assert "" not in moved, moved  # the global version stays
    assert not any(k.startswith("red:") for k in moved), moved
    client.get(red_list)
    assert builds() == 1  # still cached
    report(assignment_of("省民政厅", 6), author, now, "逾期事项的新进展")
    client.get(red_list)
    assert builds() == 2  # overdue work changed: rebuilt
    progress.submit_report(assignment_of("省民政厅", 6), author=author, status=AssignmentStatus.COMPLETED,
                           percent=100, completed_on=dt.date(2024, 7, 10), narrative="已完成", now=now)
    db.session.commit()
    assert f'data-assignment="{late.id}"' not in client.get(red_list).get_data(as_text=True)
    assert on_time.id != late.id


def test_a_report_recounts_only_its_own_groups_on_a_higher_dashboard(app: Flask, lv: Levels, now: dt.datetime,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from tasktrack.services.read import levels

    counted: list[list[int]] = []
    original = levels._counts

    def spy(group_ids: list[int], today: dt.date) -> Any:
        counted.append(sorted(group_ids))
        return original(group_ids, today)

    monkeypatch.setattr(levels, "_counts", spy)
    today = now.date()

    def children() -> dict[int, tuple[int, int]]:
        db.session.rollback()  # a fresh transaction: what is read is what is committed
        province = db.session.get(type(lv.province), lv.province.id)
        return {s.group.id: (s.inbound.total, s.own.total) for s in levels.level_view(province, today, None).children}

    with app.test_request_context("/"):
        first = children()
        assert children() == first
        assert counted == [sorted([lv.city.id, lv.sibling.id])]  # the second view: every group from the cache
        report(city_assignment(lv), lv.mz_liaison, now, "杭州的进展")
        assert children() == first
        assert counted[-1] == [lv.city.id]  # 湖州's counts are not recomputed
        with settings_off(app):
            assert children() == first  # what the cache gives is what a fresh count gives
