"""Dashboard pages wiring, exports re-opened (openpyxl, csv), print view, CLI export, query counts."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote

from openpyxl import load_workbook

from tasktrack.extensions import db
from tests.dashboard_data import mixed_plans, scaled_plan, small_plan


def test_dashboard_numbers_link_to_their_lists(client, login_as) -> None:
    s = small_plan()
    login_as("viewer")
    html = client.get(f"/dashboard?plan={s.plan.id}").get_data(as_text=True)
    assert 'data-count="red">1<' in html
    assert 'data-count="stale">1<' in html
    assert 'data-count="total">6<' in html
    assert "<svg" in html
    assert "style=" not in html
    red = client.get(f"/dashboard/assignments?plan={s.plan.id}&light=red").get_data(as_text=True)
    assert "data-total>1<" in red
    assert f'data-assignment="{s.a1.id}"' in red
    stale = client.get(f"/dashboard/assignments?plan={s.plan.id}&reason=stale").get_data(as_text=True)
    assert f'data-assignment="{s.a3.id}"' in stale
    assert f'data-assignment="{s.a1.id}"' not in stale
    assert client.get(f"/dashboard/assignments?plan={s.plan.id}&light=purple").status_code == 400
    assert client.get("/dashboard?sort=logins").status_code == 400
    assert client.get("/dashboard?plan=999").status_code == 404


def test_unit_table_sorts_and_filters_by_category(client, login_as) -> None:
    s = small_plan()
    login_as("secretariat")
    html = client.get(f"/dashboard?plan={s.plan.id}&sort=completed&dir=desc").get_data(as_text=True)
    assert html.index('data-unit="乙单位"') < html.index('data-unit="甲单位"')
    html = client.get(f"/dashboard?plan={s.plan.id}&category=cat_x").get_data(as_text=True)
    assert 'data-unit="甲单位"' in html
    assert 'data-unit="乙单位"' not in html


def test_assignment_list_paginates_25(client, login_as) -> None:
    plan = scaled_plan(10)  # 180 assignments
    login_as("viewer")
    first = client.get(f"/dashboard/assignments?plan={plan.id}").get_data(as_text=True)
    assert first.count("data-assignment=") == 25
    assert "第 1 / 8 页" in first
    assert "page=2" in first
    last = client.get(f"/dashboard/assignments?plan={plan.id}&page=8").get_data(as_text=True)
    assert last.count("data-assignment=") == 180 - 7 * 25


def test_unit_page_shows_history(client, login_as) -> None:
    s = small_plan()
    login_as("viewer")
    html = client.get(f"/units/{s.unit_b.id}").get_data(as_text=True)
    assert html.count('class="card report"') == 4
    assert "汇编已印发，共收录 36 个案例。" in html
    assert client.get("/units/99999").status_code == 404


def test_xlsx_export_reopens_with_the_narrative(client, login_as) -> None:
    s = small_plan()
    login_as("viewer")
    response = client.get(f"/plans/{s.plan.id}/export.xlsx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("UTF-8''")[1]).startswith("测试任务表_进展_20240718")
    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames[:2] == ["工作进展情况表", "任务进展"]
    ws = wb["任务进展"]
    header = [c.value for c in ws[1]]
    assert header[0] == "主要任务"
    assert header[-1] == "最新进展"
    assert ws.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(rows) == 6
    b1 = next(r for r in rows if r[7] == "乙单位" and r[1] == 1)
    assert b1[-1] == "汇编已印发，共收录 36 个案例。"
    assert b1[12] == "已完成"
    assert ws.cell(row=2, column=3).alignment.wrap_text
    assert ws.column_dimensions["P"].width == 60


def test_csv_export_has_bom_and_reads_back(client, login_as) -> None:
    s = small_plan()
    login_as("viewer")
    response = client.get(f"/plans/{s.plan.id}/export.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    assert rows[0][0] == "主要任务"
    assert len(rows) == 7
    assert any(r[-1] == "第二季度完成 12 家试点。" for r in rows)


def test_print_view(client, login_as) -> None:
    s = small_plan()
    login_as("viewer")
    html = client.get(f"/plans/{s.plan.id}/print").get_data(as_text=True)
    assert "测试任务表推进情况" in html
    assert "css/print.css" in html
    assert html.count('class="task-row"') == 4  # one row per task, its units inside
    assert html.count('class="section-row"') == 2
    task1 = html[html.index('data-task="1"'):html.index('data-task="2"')]
    assert '<span class="state state-done">已完成</span>：乙单位' in task1
    assert '<span class="state state-overdue">逾期</span>：甲单位' in task1
    assert "乙单位</span>：汇编已印发，共收录 36 个案例。" in task1
    task3 = html[html.index('data-task="3"'):html.index('data-task="4"')]
    assert '<span class="state state-in_progress">进行中</span>：乙单位（40%）' in task3
    assert '<span class="state state-unreported">未报送</span>：甲单位' in task3


def test_cli_export(runner, tmp_path) -> None:
    s = small_plan()
    out = tmp_path / "plan.xlsx"
    result = runner.invoke(args=["plan", "export", "--plan", str(s.plan.id), "--format", "xlsx",
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    ws = load_workbook(out)["任务进展"]
    assert any(row[-1] == "已完成方案起草" for row in ws.iter_rows(min_row=2, values_only=True))
    out_csv = tmp_path / "plan.csv"
    result = runner.invoke(args=["plan", "export", "--plan", str(s.plan.id), "--format", "csv",
                                 "--output", str(out_csv)])
    assert result.exit_code == 0
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    bad = runner.invoke(args=["plan", "export", "--plan", "999", "--output", str(out)])
    assert bad.exit_code == 1


def test_pages_make_the_same_number_of_queries_with_10x_data(client, login_as, count_queries) -> None:
    small, big = scaled_plan(1), scaled_plan(10)
    login_as("secretariat")
    db.session.rollback()

    def count(path: str) -> int:
        client.get(path)  # warm-up (session, user)
        with count_queries() as q:
            response = client.get(path)
        assert response.status_code == 200, path
        return q.count

    for template in ("/dashboard?plan={id}", "/dashboard/assignments?plan={id}&light=yellow",
                     "/plans/{id}/export.xlsx", "/plans/{id}/print"):
        assert count(template.format(id=small.id)) == count(template.format(id=big.id)), template
    unit_small = re.search(r"/units/(\d+)", client.get(f"/dashboard?plan={small.id}").get_data(as_text=True))
    unit_big = re.search(r"/units/(\d+)", client.get(f"/dashboard?plan={big.id}").get_data(as_text=True))
    assert unit_small
    assert unit_big
    assert count(f"/units/{unit_small.group(1)}") == count(f"/units/{unit_big.group(1)}")


def test_assignment_list_of_all_plans(client, login_as) -> None:
    s = small_plan()
    m = mixed_plans()
    login_as("viewer")
    html = client.get("/dashboard/assignments?plan=all&light=red").get_data(as_text=True)
    assert "全部计划" in html.split("</h1>")[0]
    assert '<option value="all" selected>全部计划</option>' in html
    assert '<a href="/dashboard">督办总览</a>' in html
    assert f"data-total>{1 + len(m.all_red)}<" in html
    shown = set(re.findall(r'data-assignment="(\d+)"', html))
    assert shown == {str(i) for i in {s.a1.id} | m.all_red}
    assert f'data-plan="{s.plan.id}">2024 测试任务表<' in html
    assert f'data-plan="{m.plans["city"].id}">2024 杭州市任务表<' in html
    assert "已删除任务表" not in html
    # Without a light: every open row of every plan, 25 a page, and the pager keeps the scope.
    everything = client.get("/dashboard/assignments?plan=all").get_data(as_text=True)
    assert everything.count("data-assignment=") == 25
    assert "plan=all" in everything.split('class="pager"')[1]
    # One plan: as before, no plan line on the rows.
    one = client.get(f"/dashboard/assignments?plan={s.plan.id}&light=red").get_data(as_text=True)
    assert "data-plan=" not in one
    assert f'<a href="/dashboard?plan={s.plan.id}">督办总览</a>' in one


def test_assignment_list_refuses_bad_plan_values(client, login_as) -> None:
    small_plan()
    login_as("viewer")
    for value in ("foo", "0", "-1", "ALL", "all1"):
        assert client.get(f"/dashboard/assignments?plan={value}&light=red").status_code == 400, value
    assert client.get("/dashboard/assignments?plan=999&light=red").status_code == 404


def test_overdue_list_of_all_plans_makes_the_same_number_of_queries_with_10x_data(client, login_as,
                                                                                   count_queries) -> None:
    scaled_plan(1)
    login_as("secretariat")
    db.session.rollback()
    path = "/dashboard/assignments?plan=all&light=red"

    def count() -> int:
        client.get(path)  # warm-up (session, user)
        with count_queries() as q:
            response = client.get(path)
        assert response.status_code == 200
        return q.count

    small = count()
    scaled_plan(9)  # 18 → 180 assignments
    db.session.rollback()
    assert count() == small
    assert client.get(path).get_data(as_text=True).count("data-assignment=") == 25
