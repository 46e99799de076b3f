"""The work-group tree page, the dashboards per level, the API and the CLI, on the small tree (tests/levels_data.py)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Role, User, WorkGroup
from tasktrack.services import users
from tests.conftest import csrf_token, login
from tests.levels_data import NOW, build_tree


def _as(app, user: User):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def _token(user: User) -> dict[str, str]:
    token = users.issue_token(user, actor=None, now=NOW)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_province_dashboard_drills_down_to_the_county(app) -> None:
    t = build_tree()
    client = _as(app, t.users["sec_province"])
    html = client.get("/dashboard").get_data(as_text=True)
    assert "省测试计划" in html
    assert "下级专班" in html
    row = re.search(r'<tr data-group="甲市测试专班">(.*?)</tr>', html, re.S).group(1)
    assert f'href="/dashboard?group={t.city_a.id}#inbound" data-count="red">1<' in row
    assert 'data-count="undecomposed">1<' in row
    assert f'href="/dashboard?group={t.city_b.id}"' in html
    city = client.get(f"/dashboard?group={t.city_a.id}").get_data(as_text=True)
    assert "甲市测试计划" in city
    assert "上级下达任务" in city
    assert "省任务一" in city
    assert "未分解" in city
    assert t.province.name in city  # the breadcrumb back up
    b = client.get(f"/dashboard?group={t.city_b.id}").get_data(as_text=True)
    assert "本专班还没有工作计划" in b
    assert f'href="/dashboard?group={t.county.id}"' in b
    county = client.get(f"/dashboard?group={t.county.id}").get_data(as_text=True)
    assert "丙县测试计划" in county
    assert client.get(f"/work-groups/{t.county.id}").headers["Location"].endswith(f"/dashboard?group={t.county.id}")


def test_a_city_reads_its_own_subtree_only(app) -> None:
    t = build_tree()
    sec_a = t.users["sec_a"]
    client = _as(app, sec_a)
    own = client.get("/dashboard").get_data(as_text=True)
    assert "甲市测试计划" in own
    assert "省测试计划</option>" not in own
    assert "上级下达任务" in own
    for path in (f"/dashboard?plan={t.province_plan.id}", f"/dashboard?group={t.city_b.id}",
                 f"/dashboard?group={t.province.id}", f"/dashboard?plan={t.county_plan.id}",
                 f"/dashboard/assignments?plan={t.province_plan.id}", f"/plans/{t.province_plan.id}/export.csv",
                 f"/plans/{t.county_plan.id}/print", f"/units/{t.unit_c.id}", f"/work-groups/{t.city_b.id}",
                 f"/work-groups/{t.province.id}"):
        assert client.get(path).status_code == 403, path  # outside the city's part of the tree: refused
    assert client.get("/dashboard?group=999999").status_code == 404  # no such group
    listed = client.get("/dashboard/assignments?plan=all").get_data(as_text=True)
    assert "市任务一" in listed
    assert "省任务二" not in listed
    assert "省任务三" not in listed
    assert "县任务一" not in listed
    headers = _token(sec_a)
    api = app.test_client()
    assert api.get(f"/api/v1/work-groups/{t.city_b.id}/dashboard", headers=headers).status_code == 403
    assert api.get(f"/api/v1/work-groups/{t.province.id}/dashboard", headers=headers).status_code == 403
    assert api.get(f"/api/v1/dashboard?plan={t.province_plan.id}", headers=headers).status_code == 403
    tree = api.get("/api/v1/work-groups", headers=headers).get_json()["work_groups"]
    assert [(g["name"], g["level"], g["parent_id"]) for g in tree] == [("甲市测试专班", "city", t.province.id)]
    mine = api.get("/api/v1/dashboard", headers=headers).get_json()
    assert mine["plan"]["title"] == "甲市测试计划"
    assert mine["totals"]["red"] == 1
    # A liaison of the county reads the county only.
    county_client = _as(app, t.users["liaison_county"])
    assert county_client.get(f"/dashboard?group={t.city_b.id}").status_code == 403
    assert "丙县测试计划" in county_client.get("/dashboard").get_data(as_text=True)


def test_the_cache_keeps_levels_apart(app) -> None:
    t = build_tree()
    province = _as(app, t.users["sec_province"]).get("/dashboard").get_data(as_text=True)
    city = _as(app, t.users["sec_a"]).get("/dashboard").get_data(as_text=True)
    assert "省测试计划" in province
    assert "省测试计划" not in city.split("上级下达任务")[0]
    headers_p, headers_a = _token(t.users["sec_province"]), _token(t.users["sec_a"])
    api = app.test_client()
    assert api.get("/api/v1/dashboard", headers=headers_p).get_json()["plan"]["title"] == "省测试计划"
    assert api.get("/api/v1/dashboard", headers=headers_a).get_json()["plan"]["title"] == "甲市测试计划"


def test_group_dashboard_api(app) -> None:
    t = build_tree()
    body = app.test_client().get(f"/api/v1/work-groups/{t.province.id}/dashboard",
                                 headers=_token(t.users["sec_province"])).get_json()
    assert body["work_group"]["level"] == "province"
    assert body["plan"]["title"] == "省测试计划"
    children = {c["name"]: c for c in body["children"]}
    assert children["甲市测试专班"]["inbound"] == {"total": 2, "undecomposed": 1, "red": 1, "yellow": 1,
                                                  "green": 0, "done": 0, "may_claim": 0}
    assert children["甲市测试专班"]["unit"]["name"] == "甲市"
    assert children["乙市测试专班"]["inbound"]["done"] == 1
    city = app.test_client().get(f"/api/v1/work-groups/{t.city_a.id}/dashboard",
                                 headers=_token(t.users["viewer_a"])).get_json()
    assert [i["state"] for i in city["inbound"]["items"]] == ["undecomposed", "in_progress"]
    assert city["totals"]["red"] == 1
    assert city["children"] == []
    assert app.test_client().get("/api/v1/work-groups/999999/dashboard",
                                 headers=_token(t.users["viewer_a"])).status_code == 404


def test_tree_page_creates_a_lower_group_with_its_secretariat(app) -> None:
    t = build_tree()
    client = _as(app, t.users["sec_b"])
    html = client.get("/work-groups").get_data(as_text=True)
    assert "乙市测试专班" in html
    assert "丙县测试专班" in html
    assert "甲市测试专班" not in html
    assert 'data-group="丙县测试专班" data-depth="1"' in html
    assert "sec_county" in html
    token = csrf_token(client, "/work-groups")
    data = {"name": "丁县测试专班", "unit_name": "丁县", "email": "dingxian@levels.example.org",
            "account_name": "丁县办", "password": "Lake-Tower-4821-qz", "csrf_token": token}
    response = client.post("/work-groups/new", data=data)
    assert response.status_code == 302
    group = db.session.scalar(sa.select(WorkGroup).where(WorkGroup.name == "丁县测试专班"))
    assert group is not None
    assert group.parent_id == t.city_b.id
    assert group.level.value == "county"
    account = users.find_by_email("dingxian@levels.example.org")
    assert account is not None
    assert account.role is Role.SECRETARIAT
    assert account.work_group_id == group.id
    again = client.post("/work-groups/new", data={**data, "email": "other@levels.example.org"})
    assert again.status_code == 400
    assert "已存在" in again.get_data(as_text=True)
    forged = client.post("/work-groups/new", data={**data, "name": "戊县", "csrf_token": "forged"})
    assert forged.status_code == 400
    assert db.session.scalar(sa.select(WorkGroup.id).where(WorkGroup.name == "戊县")) is None
    # A county has nothing below it: no form, and a post is refused with a message.
    county = _as(app, t.users["sec_county"])
    page = county.get("/work-groups").get_data(as_text=True)
    assert "新建下级专班" not in page
    refused = county.post("/work-groups/new", data={**data, "name": "己镇", "email": "x@levels.example.org",
                                                     "csrf_token": csrf_token(county, "/work-groups")})
    assert refused.status_code == 400
    assert "不能再设下级专班" in refused.get_data(as_text=True)


def test_reminder_windows_form(app) -> None:
    t = build_tree()
    client = _as(app, t.users["sec_a"])
    token = csrf_token(client, "/work-groups")
    bad = client.post("/work-groups/reminders", data={"due_soon_days": "十天", "csrf_token": token})
    assert bad.status_code == 400
    assert "逗号分隔的整数" in bad.get_data(as_text=True)
    ok = client.post("/work-groups/reminders", data={"due_soon_days": "10,2", "overdue_repeat_days": "3",
                                                     "csrf_token": token})
    assert ok.status_code == 302
    db.session.expire_all()
    group = db.session.get(WorkGroup, t.city_a.id)
    assert group.reminder_due_soon_days == "10,2"
    assert group.reminder_overdue_repeat_days == 3
    assert group.reminder_supervision_after_days is None
    assert 'data-effective="due_soon_days">10、2<' in client.get("/work-groups").get_data(as_text=True)
    province = db.session.get(WorkGroup, t.province.id)
    assert province.reminder_due_soon_days is None
    assert _as(app, t.users["liaison_a"]).get("/work-groups").status_code == 403


def test_cli_lists_and_creates(app, runner) -> None:
    t = build_tree()
    out = runner.invoke(args=["work-groups", "list"]).output
    lines = out.splitlines()
    assert lines[0].startswith(f"[{t.province.id}] {t.province.name}（省级）")
    assert any(line.startswith(f"  [{t.city_a.id}] 甲市测试专班（市级）") and "下达任务 2（未分解 1，逾期 1" in line
               for line in lines)
    assert any(line.startswith(f"    [{t.county.id}] 丙县测试专班（县级）") for line in lines)
    result = runner.invoke(args=["work-groups", "create", "--name", "庚县测试专班", "--level", "county",
                                 "--parent", str(t.city_a.id), "--unit", "庚县"])
    assert result.exit_code == 0, result.output
    assert "已新建" in result.output
    bad = runner.invoke(args=["work-groups", "create", "--name", "辛市", "--level", "county",
                              "--parent", str(t.province.id)])
    assert bad.exit_code == 1
    assert "下级专班应为市级" in bad.output
    missing = runner.invoke(args=["work-groups", "create", "--name", "壬市", "--level", "city", "--parent", "999999"])
    assert missing.exit_code == 1
    assert "工作专班不存在" in missing.output


def test_a_unit_named_in_the_api_is_the_readers_own_group_s(app) -> None:
    """Unit names are unique within a work group only: the county's 甲市民政局 (a made-up clash with the city's) is the
    one its secretariat means; the city's, created first, is not the county's to read."""
    from tasktrack.models import Unit, UnitKind

    t = build_tree()
    # Made directly: units.save_unit re-reads every task's 责任单位, and the tree's hand-made tasks have none.
    twin = Unit(name="甲市民政局", kind=UnitKind.MEMBER, work_group_id=t.county.id, created_at=NOW)
    db.session.add(twin)
    db.session.commit()
    first = db.session.scalar(sa.select(Unit.id).where(Unit.name == "甲市民政局").order_by(Unit.id))
    assert first != twin.id  # the city's comes first in the table
    api = app.test_client()
    answer = api.get("/api/v1/assignments?plan=all&unit=甲市民政局", headers=_token(t.users["sec_county"]))
    assert answer.status_code == 200, answer.get_json()
    mine = api.get("/api/v1/assignments?plan=all&unit=甲市民政局", headers=_token(t.users["sec_a"]))
    assert mine.status_code == 200
    assert {a["unit"]["name"] for a in mine.get_json()["assignments"]} == {"甲市民政局"}
    assert mine.get_json()["total"] >= 1
