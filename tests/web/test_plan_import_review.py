"""The draft's review page at size: its SQL statements do not grow with the rows, and 对应到 starts unchosen.

The drafts are the benchmark's generated plan (bench/plan_import.py): a task table under ten sections, its phrases
the kinds real plans use, one name in 25 a unit the provincial work group lacks.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from bench.plan_import import UNKNOWN, plan_document
from tasktrack.extensions import db
from tasktrack.models import NameAlias, PlanImport, Role
from tasktrack.services import plan_imports
from tests.conftest import csrf_token


def _draft(tasks: int, now, actor) -> PlanImport:
    document = plan_document(tasks)
    imp = plan_imports.start(plan_imports.Received(document.text().encode("utf-8"), f"{tasks}.txt"), actor=actor,
                             now=now)
    db.session.commit()
    return imp


def _count(client, count_queries, path: str) -> int:
    with count_queries() as q:
        response = client.get(path)
        assert response.status_code == 200
    return q.count


def test_the_review_page_makes_the_same_number_of_queries_for_20_and_200_rows(client, seeded, login_as, now,
                                                                                count_queries):
    office = login_as(Role.SECRETARIAT)
    small, large = _draft(20, now, office), _draft(200, now, office)
    assert (len(small.rows), len(large.rows)) == (20, 200)
    paths = [f"/plans/import/{small.id}", f"/plans/import/{large.id}"]
    client.get(paths[0])  # the first request of a session loads what every page needs once
    counts = [_count(client, count_queries, path) for path in paths]
    assert counts[0] == counts[1], counts
    page = client.get(paths[1]).get_data(as_text=True)
    assert page.count('aria-label="完成时间节点"') == 200
    assert f"未知的责任单位：“{UNKNOWN}”" in page


def test_map_to_starts_unchosen_and_a_blank_choice_is_refused_in_chinese(client, seeded, login_as, now):
    office = login_as(Role.SECRETARIAT)
    imp = _draft(25, now, office)
    path = f"/plans/import/{imp.id}"
    page = client.get(path).get_data(as_text=True)
    select = re.search(r'<select[^>]*name="target"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    first = re.search(r"<option[^>]*>([^<]*)</option>", select[1])
    assert first is not None
    assert first[1] == "请选择单位或类别"
    assert 'selected' not in select[1]
    response = client.post(f"{path}/names/map", data={
        "csrf_token": csrf_token(client, path), "version": str(imp.version), "name": UNKNOWN, "target": ""})
    assert response.status_code == 302
    assert "请选择要对应的单位或类别" in client.get(path).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NameAlias).where(NameAlias.alias == UNKNOWN)) == 0


def test_the_upload_page_counts_rows_without_loading_them(client, seeded, login_as, now, count_queries):
    office = login_as(Role.SECRETARIAT)
    _draft(30, now, office)
    client.get("/plans/import")
    few = _count(client, count_queries, "/plans/import")
    _draft(40, now, office)
    _draft(50, now, office)
    many = _count(client, count_queries, "/plans/import")
    assert few == many, (few, many)
    page = client.get("/plans/import").get_data(as_text=True)
    assert [int(n) for n in re.findall(r'<td data-label="任务数">(\d+)</td>', page)][:3] == [50, 40, 30]
