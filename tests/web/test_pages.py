"""The plan, task and 我的任务 pages: what they show, and a fixed number of queries whatever the data size."""

from __future__ import annotations

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Assignment, AssignmentStatus, Category, Plan, Task, UnitKind, User
from tasktrack.services import progress, units


def grow(n_units: int, now, start: int = 0) -> None:
    """Add member units (each assigned most tasks) with a progress report on each assignment."""
    cats = list(db.session.scalars(sa.select(Category).where(Category.name.in_(["业务主管单位", "各专班成员单位"]))))
    author = db.session.scalar(sa.select(User))
    for i in range(start, start + n_units):
        unit, _ = units.save_unit(None, actor=None, name=f"测试单位{i:03d}", kind=UnitKind.MEMBER, categories=cats,
                                  contact_emails="", leader_email=None, now=now)
        for a in db.session.scalars(sa.select(Assignment).where(Assignment.unit_id == unit.id)):
            progress.submit_report(a, author=author, status=AssignmentStatus.IN_PROGRESS, percent=50,
                                   completed_on=None, narrative="推进中", now=now)
    db.session.commit()


def test_plan_page_shows_everything_the_issue_names(client, seeded, login_as):
    login_as("viewer")
    plan = db.session.scalar(sa.select(Plan))
    html = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert html.count('class="task-row"') == 17
    for title in ("一、强化党建统领", "二、加强规范监管", "三、深化专项治理", "四、推进“数智”赋能", "五、加强工作协同"):
        assert title in html
    assert "2024 年 7 月底前" in html and "截止 2024年7月31日" in html  # noqa: PT018 - the two forms of one deadline
    assert "各专班成员单位，各市、县（市、区）" in html  # as written
    assert "28 个单位" in html  # task 16 expanded
    assert "省民政厅牵头" in html
    assert "light-red" in html  # task 6 (6月底前) is overdue on 2024-07-18
    assert "light-yellow" in html


def test_task_page_has_one_row_per_unit(client, seeded, login_as):
    login_as("viewer")
    task = db.session.scalar(sa.select(Task).where(Task.number == 4))
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "推动《浙江省清廉社会组织建设评价指标（试行）》宣贯应用" in html
    assert html.count("<td data-label=\"单位\">") == len([a for a in task.assignments if a.closed_at is None])
    assert "牵头" in html
    assert client.get("/tasks/99999").status_code == 404


def test_my_tasks_lists_only_the_units_assignments(client, seeded, login_as):
    login_as("liaison", unit="省民政厅")
    html = client.get("/my/tasks").get_data(as_text=True)
    assert html.count('class="card my-task"') == 16  # named in 10 tasks, plus 业务主管单位 and member tasks
    assert "省民政厅" in html
    # overdue task 6 comes first
    assert html.index('data-task="6"') < html.index('data-task="8"')


def test_home_sends_each_role_to_its_page(client, seeded, login_as):
    login_as("liaison", unit="省民政厅")
    assert client.get("/").headers["Location"].endswith("/my/tasks")


def _count(client, count_queries, path):
    with count_queries() as q:
        assert client.get(path).status_code == 200
    return q.count


def test_pages_make_the_same_number_of_queries_with_10x_data(client, seeded, login_as, count_queries, now):
    login_as("liaison", unit="省民政厅")
    plan = db.session.scalar(sa.select(Plan))
    task = db.session.scalar(sa.select(Task).where(Task.number == 15))
    paths = [f"/plans/{plan.id}", f"/tasks/{task.id}", "/my/tasks"]
    grow(2, now)  # any query per unit, per task or per report would differ between the two sizes
    small = [_count(client, count_queries, p) for p in paths]
    grow(20, now, start=100)
    large = [_count(client, count_queries, p) for p in paths]
    assert small == large, dict(zip(paths, zip(small, large, strict=True), strict=True))
