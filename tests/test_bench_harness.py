"""The benchmark's harness pieces on tiny data, so `make bench` cannot rot (issue 16, "An honest bench"): the load
clients count redirects and other non-2xx answers as errors, the tracker data set has ~30 % of its assignments
overdue and an item with 3 reports, the raw-SQL floor replays a page's statements, the mixed run reads while it
writes at a paced rate, and the report prints each target's status. Nothing here asserts a timing.

On the suite's database: a SQLite file, or a PostgreSQL database beside the suite's when DATABASE_URL points to one.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bench import load, mixed, pages, serve, sql_floor, summary

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("gunicorn", path=str(Path(serve.PYTHON).parent)) is None,
                       reason="gunicorn is not installed next to this Python"),
]

ON_POSTGRESQL = (os.environ.get("DATABASE_URL") or "").startswith("postgresql")
#: The generated data set's tests: on PostgreSQL, the bench's engine (the SQLite pass runs the SQLite bench paths in
#: tests/test_write_load.py, test_bench_province.py and test_bench_plan_import.py).
POSTGRESQL_ONLY = pytest.mark.postgresql_only


class _Answers(http.server.BaseHTTPRequestHandler):
    """200 on /ok (reporting 3 SQL statements, as the app does), a 302 to the login page on /moved, 404 elsewhere."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        status = {"/ok": 200, "/moved": 302}.get(self.path, 404)
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/login")
        if status == 200:
            self.send_header("X-Query-Count", "3")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def answers() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)  # a prompt shutdown()
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


CLIENTS = [load.python_load, *([load.wrk] if shutil.which("wrk") else [])]


@pytest.mark.parametrize("client", CLIENTS, ids=lambda c: c.__name__)
def test_the_load_clients_count_redirects_and_other_non_2xx_as_errors(answers: int, client: load.Load) -> None:
    moved = client(answers, "/moved", {}, 1, 0.3)
    assert moved["requests"] > 0
    assert moved["errors"] == moved["non2xx"] == moved["requests"]
    both = client(answers, ["/ok", "/moved", "/missing"], {}, 1, 0.6)  # one connection, the paths in turn
    assert both["requests"] >= 3
    assert both["non2xx"] >= both["requests"] // 2
    assert both["non2xx"] < both["requests"]  # the 200s are not errors
    assert 0 < both["sql_per_request"] < 3  # the mean of X-Query-Count over all answers
    assert both["p99_ms"] >= both["p50_ms"] > 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A tiny tracker-shaped data set (~30 % overdue), its pages and an API token."""
    where = tmp_path_factory.mktemp("bench")
    if ON_POSTGRESQL:
        admin = os.environ["DATABASE_URL"]
        name = admin.rsplit("/", 1)[1].split("?", 1)[0] + "_bench_harness"
        url = serve.database_url("postgresql", 0.02, pg_admin=admin, name=name)
    else:
        url = serve.database_url("sqlite", 0.02, where=where)
    env = serve.env_for(url, where=where)
    data = serve.python_json("bench.generate", env, "--scale", "0.02", "--overdue", "0.3")
    targets, info = pages.pick_targets(url)
    yield {"url": url, "env": env, "data": data, "targets": targets, "info": info, "token": _token(url, where)}
    if ON_POSTGRESQL:
        from bench import write_load

        write_load.drop_database(url, os.environ["DATABASE_URL"])


def _token(url: str, where: Path) -> str:
    """The secretariat's API token from `flask users token` (what serve.api_token runs), inside this process: the
    suite has the app loaded already, a `flask` process would load it again."""
    from bench.generate import SECRETARIAT_EMAIL
    from tasktrack import create_app
    from tasktrack.extensions import db
    from tests.conftest import make_config

    app = create_app(make_config(url, str(where / "uploads")))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["users", "token", "--email", SECRETARIAT_EMAIL])
        db.session.remove()  # the command read the account again after its commit: give its connection back
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    return str(result.output.strip().splitlines()[-1])


@POSTGRESQL_ONLY
def test_the_tracker_data_set_has_thirty_percent_overdue_and_a_short_history(generated: dict[str, Any]) -> None:
    info = generated["info"]
    assert info["assignments"] == generated["data"]["assignments"]
    assert 0.25 <= info["overdue_share"] <= 0.35, info
    assert info["overdue_assignments"] >= 100  # 25 and 100 a page are full pages
    assert info["open_assignments"] < info["assignments"]  # completed work is not open
    assert info["item_short_reports"] == 3
    assert 15 <= info["item_reports"] <= 25
    names = [t.name for t in generated["targets"]]
    assert names == list(pages.PAGE_NAMES)
    # the reports go in by Core inserts, past the ORM: every assignment still points at its newest report
    engine = sa.create_engine(generated["url"])
    with engine.connect() as conn:
        astray = conn.scalar(sa.text(
            "SELECT count(*) FROM assignments a WHERE a.latest_report_id IS DISTINCT FROM "
            "(SELECT max(p.id) FROM progress_reports p WHERE p.assignment_id = a.id)"))
    engine.dispose()
    assert astray == 0


@POSTGRESQL_ONLY
def test_the_sql_floor_replays_the_statements_of_one_request(generated: dict[str, Any]) -> None:
    chosen = [t for t in generated["targets"] if t.name in ("overdue_page", "overdue_api", "my_tasks")]
    floor = sql_floor.measure(generated["env"], chosen, generated["info"], generated["token"], repeat=3)
    assert set(floor) == {"overdue_page", "overdue_api", "my_tasks"}
    for measured in floor.values():
        assert measured["statements"] > 0
        assert measured["rows"] > 0
        assert measured["floor_ms"] > 0
        assert measured["inprocess_ms"] > 0
        assert 0 < len(measured["slowest"]) <= 3
        assert measured["slowest"][0]["ms"] >= measured["slowest"][-1]["ms"]
    shown = {"overdue_page": {"floor": floor["overdue_page"], "cold": {"p50_ms": 5.0}}}
    assert "ratio" in sql_floor.lines(shown)


@POSTGRESQL_ONLY
def test_the_mixed_run_reads_while_it_writes_at_a_paced_rate(generated: dict[str, Any]) -> None:
    result = mixed.run(generated["env"], seconds=0.5, use_wrk=False, rates=(0, 6), writers=3,
                       workers=1)
    assert [r["rate"] for r in result["rates"]] == [0, 6]
    idle, busy = result["rates"]
    assert idle["writes"]["attempted"] == 0
    assert busy["writes"]["attempted"] == 3  # paced: due at 0, 1/6 and 2/6 s
    assert busy["writes"]["succeeded"] == 3, busy["writes"]
    for r in result["rates"]:
        assert r["reads"]["requests"] > 0
        assert r["reads"]["errors"] == 0
        assert r["reads"]["sql_per_request"] >= 1  # the app reports its statements (2 from the cache)
        assert r["cpu"]["app_cpu_pct"] > 0, r["cpu"]  # the worker served the reads
        assert r["cpu"]["app_cpu_ms_per_request"] > 0, r["cpu"]
        assert 0 < r["cpu"]["machine_busy_pct"] <= 100, r["cpu"]
    alone = result["writes_alone"]
    assert alone["attempted"] == 3, alone  # paced at 5 a second for 0.5 s
    assert alone["succeeded"] == 3, alone
    text = "\n".join(mixed.markdown(result, "test"))
    assert "Reads while writing" in text
    assert "Writes alone" in text


def _figures(p50: float, rps: float = 100.0, p99: float = 10.0) -> dict[str, Any]:
    return {"requests": 10, "rps": rps, "p50_ms": p50, "p95_ms": p50, "p99_ms": p99, "errors": 0, "non2xx": 0}


def test_the_report_prints_each_target_with_its_status() -> None:
    page = {"label": "逾期清单页", "queries": 6, "queries_warm": 2, "c1": _figures(1.0), "c8": _figures(2.0, 900),
            "cold": _figures(5.0), "cold8": _figures(20.0, 250), "floor": {"floor_ms": 1.0, "statements": 6,
                                                                        "rows": 30, "inprocess_ms": 4.0}}
    run = {"database": "postgresql", "scale": 1.0, "overdue": None, "pages": {"overdue_page": page},
           "data": {"plans": 1, "units": 1, "users": 1, "assignments": 10, "reports": 5, "cases": 0, "seconds": 1},
           "targets": {"my_tasks_rows": 3, "item_reports": 20, "item_short_reports": 3, "open_assignments": 8,
                       "overdue_assignments": 3, "overdue_share": 0.3},
           "worker_peak_rss_mb": [100.0],
           "jobs": {"sweep": {"seconds": 1.0, "messages": 1, "items": 1},
                    "sweep_again": {"seconds": 0.1, "messages": 0}, "digests": {"seconds": 2.0, "messages": 3},
                    "delivery": {"seconds": 2.5, "messages": 1000, "received": 1000}},
           "load": [serve.load_average("pages", database="postgresql")],
           "mixed": {"readers": 8, "writers": 40, "seconds": 10, "paths": [], "tool": "wrk", "rates": [
               {"rate": 20, "reads": _figures(4.0, 320, 70.0), "writes": {"attempted": 200, "succeeded": 200}}]}}
    result = {"started": "now", "command": "test", "machine": "test", "tool": "wrk", "duration": 3, "runs": [run],
              "growth": {}, "growth_cold": {}, "tracker": [], "load": []}
    found = {name: (value, ok) for name, value, ok in summary.checks([run], {})}
    assert found["缓存关闭：逾期清单页 p50 ≤ 6 ms"] == ("5.0 ms", True)
    assert found["缓存关闭：逾期清单页 ≥ 300 次/秒（8 个客户端）"] == ("250 次/秒", False)
    assert found["逾期清单页：缓存关闭 p50 ≤ 3 × SQL 下限"][1] is False  # 5 ms over a 1 ms floor
    assert found["投递 1000 封邮件 ≤ 3 s"][1] is True
    assert found["写入 20 次/秒时读取 ≥ 300 次/秒、p99 ≤ 60 ms"][1] is False  # p99 70 ms
    text = summary.markdown(result)
    assert "Load average at the start of each section" in text
    assert "❌" in text
    assert "✅" in text
    assert any("NOT MET" in line for line in summary.status_lines(result))


def test_scratch_databases_follow_bench_pg_db(monkeypatch: pytest.MonkeyPatch) -> None:
    """The databases the write-load, delivery and plan-import sections make and drop are named under BENCH_PG_DB,
    so two runs given different names never drop each other's (they were fixed names)."""
    import inspect

    from bench import delivery, plan_import, write_load

    monkeypatch.setenv("BENCH_PG_DB", "bench_a")
    first = {write_load.scratch_name(p) for p in ("write_load", "delivery", "plan_import")}
    monkeypatch.setenv("BENCH_PG_DB", "bench_b")
    second = {write_load.scratch_name(p) for p in ("write_load", "delivery", "plan_import")}
    assert len(first) == 3
    assert not first & second
    assert all(name.startswith("bench_a_") for name in first)
    for module in (write_load, delivery, plan_import):
        assert '"tasktrack_' not in inspect.getsource(module)
