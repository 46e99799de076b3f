"""The province benchmark (bench/province.py, bench/province_run.py) at a small scale, so it cannot rot: the
generated tree and cascade, and the harness end to end (gunicorn, each reader's pages, write → page, the sweep)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import province_run, write_load

pytestmark = [
    pytest.mark.slow,
    pytest.mark.sqlite_only,
    pytest.mark.skipif(shutil.which("gunicorn", path=str(Path(write_load.PYTHON).parent)) is None,
                       reason="gunicorn is not installed next to this Python"),
]

#: A page each reader, and one that no branch serves (it must be reported as waiting, not fail the run).
PAGES = [*province_run.PAGES[1:4], province_run.Page("nowhere", "不存在的页面", "/no-such-page/{city_group}", "city")]


def test_the_province_harness_runs_small(tmp_path: Path) -> None:
    # One gunicorn worker and two rounds of write → page: the same paths as the bench's two workers and five rounds.
    result = province_run.run("sqlite", scale=0.02, seconds=0.2, pages=PAGES, where=tmp_path, name="province",
                              workers=1, rounds=2)

    data = result["data"]
    assert data["groups"] == 1 + 11 + 11  # the counties shrink to one a city, never fewer
    assert data["plans"] == data["groups"]
    assert data["reports"] > data["assignments"] > 0
    assert data["links"] > 0
    assert result["waiting"] == ["nowhere"]
    for name in ("dashboard_city", "my_tasks_province", "my_tasks_county"):
        for mode in ("cached", "uncached"):
            assert result[mode][name]["p50_ms"] > 0, (mode, name, result[mode][name])
            assert result[mode][name]["errors"] == 0
        assert result["write_to_page"][name] > 0
    assert result["sweep"]["messages"] > 0
    text = "\n".join(province_run.markdown(result, PAGES))
    assert "waits on another branch" in text
    assert "Daily sweep over every work group" in text

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'province.db'}")
    with engine.connect() as conn:
        tree = conn.execute(sa.text("SELECT level, count(*), count(parent_id) FROM work_groups GROUP BY level")).all()
        assert sorted(tree) == [("city", 11, 11), ("county", 11, 11), ("province", 1, 0)]
        lower = conn.scalar(sa.text("SELECT count(*) FROM work_groups WHERE parent_id IS NOT NULL"))
        # every city and county is a unit of its parent group that stands for it
        standing = conn.scalar(sa.text(
            "SELECT count(*) FROM units u JOIN work_groups g ON g.id = u.represents_work_group_id "
            "WHERE u.work_group_id = g.parent_id"))
        assert standing == lower
        # every inbound assignment (to a unit standing for a group) is decomposed into that group's tasks
        undecomposed = conn.scalar(sa.text(
            "SELECT count(*) FROM assignments a JOIN units u ON u.id = a.unit_id "
            "WHERE u.represents_work_group_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM task_links l WHERE l.parent_assignment_id = a.id)"))
        assert undecomposed == 0
        foreign = conn.scalar(sa.text(
            "SELECT count(*) FROM task_links l JOIN assignments a ON a.id = l.parent_assignment_id "
            "JOIN units u ON u.id = a.unit_id JOIN tasks t ON t.id = l.task_id JOIN plans p ON p.id = t.plan_id "
            "WHERE p.work_group_id <> u.represents_work_group_id"))
        assert foreign == 0
        # the reports go in by COPY/Core, past the ORM: every assignment still points at its newest report
        astray = conn.scalar(sa.text(
            "SELECT count(*) FROM assignments a WHERE a.latest_report_id IS NOT "
            "(SELECT max(p.id) FROM progress_reports p WHERE p.assignment_id = a.id)"))
        assert astray == 0
    engine.dispose()
