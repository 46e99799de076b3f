"""Two app hosts on one PostgreSQL database and one upload folder must agree (issue 12, "More than one host").

Real processes, as a deployment runs them: a fresh database migrated and seeded by the app's own commands, two
gunicorn instances (host A and host B, two workers each, the production config with ``MULTI_HOST=1``, one
SECRET_KEY as a load balancer in front of them needs, each with its own folder for its logs) sharing one
UPLOAD_DIR, and one ``flask scheduler`` process beside each. Checked:

* a page cached on host A (督办总览, 我的任务, the xlsx export; each fetched until both of A's workers hold it) is
  not served stale after a progress report posted through the API on host B: the render cache is keyed by the
  data version row that every write bumps in the database, not by anything a host keeps;
* a file uploaded with a report on host A downloads, byte for byte, on host B (one signed session for both);
* of the two schedulers only one takes the lock (PostgreSQL advisory lock) and runs the jobs: the daily sweep
  (set a few seconds ahead) runs once, and every message it queued reaches the SMTP server exactly once.

SQLite is a one-host database (the app refuses ``MULTI_HOST`` on it), so the test runs in the suite's
PostgreSQL pass (DATABASE_URL) and is skipped on SQLite.
"""

from __future__ import annotations

import collections
import datetime as dt
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import openpyxl
import pytest
import sqlalchemy as sa

from bench import write_load
from tasktrack.domain.workdays import SHANGHAI
from tests.smtp_server import SmtpTestServer

ON_POSTGRESQL = (os.environ.get("DATABASE_URL") or "").startswith("postgresql")

pytestmark = [
    pytest.mark.committed,
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRESQL, reason="two hosts need PostgreSQL (the app refuses MULTI_HOST on "
                                                 "SQLite); the suite's PostgreSQL pass (DATABASE_URL) runs this"),
    pytest.mark.skipif(shutil.which("gunicorn", path=str(Path(write_load.PYTHON).parent)) is None,
                       reason="gunicorn is not installed next to this Python"),
]

PASSWORD = "two-hosts-correct-horse-42"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """A signed-in session (its cookie) that can be sent to either host: one SECRET_KEY signs for both."""

    def __init__(self, port: int, email: str) -> None:
        status, headers, body = _http(port, "GET", "/login")
        self.cookie = headers["set-cookie"].split(";", 1)[0]
        form = {"csrf_token": _csrf(body), "email": email, "password": PASSWORD}
        status, headers, _ = _http(port, "POST", "/login", urllib.parse.urlencode(form).encode(), cookie=self.cookie,
                                   content_type="application/x-www-form-urlencoded")
        assert status == 302, f"login of {email} failed ({status})"
        self.cookie = headers["set-cookie"].split(";", 1)[0]

    def get(self, port: int, path: str) -> tuple[int, dict[str, str], bytes]:
        answer = _http(port, "GET", path, cookie=self.cookie)
        if "set-cookie" in answer[1]:  # the session now holds a CSRF token
            self.cookie = answer[1]["set-cookie"].split(";", 1)[0]
        return answer


def _http(port: int, method: str, path: str, body: bytes | None = None, *, cookie: str = "", token: str = "",
          content_type: str = "") -> tuple[int, dict[str, str], bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {k: v for k, v in {"Cookie": cookie, "Content-Type": content_type,
                                 "Authorization": f"Bearer {token}" if token else ""}.items() if v}
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def _csrf(body: bytes) -> str:
    match = CSRF.search(body.decode())
    assert match, "no CSRF token in the page"
    return match.group(1)


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _text_of(path: str, body: bytes) -> str:
    """The page's text, or the xlsx workbook's strings."""
    if path.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return body.decode()


def _accounts(url: str, uploads: Path) -> dict[str, object]:
    """Create the secretariat's and a liaison's accounts (the liaison's unit has open work) and an API token."""
    from tasktrack import create_app
    from tasktrack.extensions import db
    from tasktrack.models import Assignment, Plan, Role, Task, Unit
    from tasktrack.services import users
    from tests.conftest import make_config

    app = create_app(make_config(url, str(uploads)))
    now = dt.datetime(2024, 7, 18, 2, 0, tzinfo=dt.UTC)
    with app.app_context():
        assignment = db.session.scalars(sa.select(Assignment).where(Assignment.closed_at.is_(None))
                                        .order_by(Assignment.id)).first()
        assert assignment is not None
        unit = db.session.get(Unit, assignment.unit_id)
        secretariat = users.create_user(actor=None, email="office@two-hosts.example.gov.cn", name="专班办公室",
                                        role=Role.SECRETARIAT, unit=None, password=PASSWORD, now=now, fast_hash=True)
        liaison = users.create_user(actor=None, email="liaison@two-hosts.example.gov.cn", name="联络员",
                                    role=Role.LIAISON, unit=unit, password=PASSWORD, now=now, fast_hash=True)
        token = users.issue_token(liaison, actor=None, now=now)
        plan = db.session.scalar(sa.select(Plan.id).join(Task, Task.plan_id == Plan.id)
                                 .where(Task.id == assignment.task_id))
        found = {"secretariat": secretariat.email, "liaison": liaison.email, "token": token,
                 "assignment": assignment.id, "plan": plan}
        db.session.commit()
    with app.app_context():
        db.engine.dispose()
    return found


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A fresh database (migrated, seeded, the accounts), a shared upload folder and a folder per host for its logs
    (the database is dropped afterwards).

    One for both tests (migrating and seeding it is a process of its own, seconds of CPU): what the first test
    writes (two reports on one assignment, a file) changes nothing the second checks, and the logs of each are
    files of their own (gunicorn.log, scheduler.log).
    """
    tmp_path = tmp_path_factory.mktemp("two-hosts")
    admin = os.environ["DATABASE_URL"]
    name = admin.rsplit("/", 1)[1].split("?", 1)[0] + "_two_hosts"
    url = write_load.fresh_database("postgresql", tmp_path, admin, name)
    shared = tmp_path / "shared-uploads"
    env = {**write_load.server_env(url, shared), "MULTI_HOST": "1", "TASKTRACK_QUERY_COUNT": "1",
           "RENDER_CACHE_SIZE": "256"}
    try:
        write_load.prepare(env, 0)  # `flask db upgrade` and `flask seed`, in one process
        accounts = _accounts(url, shared)
        for host in ("a", "b"):
            (tmp_path / f"host-{host}").mkdir()
        yield {"url": url, "env": env, "tmp": tmp_path, **accounts}
    finally:
        write_load.drop_database(url, admin)


@pytest.fixture
def two_hosts(deployment: dict[str, object]) -> Iterator[dict[str, object]]:
    """Hosts A and B (gunicorn, two workers each) serving the deployment (stopped afterwards)."""
    tmp, env = Path(str(deployment["tmp"])), cast(dict[str, str], deployment["env"])
    servers: list[write_load.Gunicorn] = []
    try:
        for host in ("a", "b"):
            servers.append(write_load.Gunicorn(env, tmp / f"host-{host}" / "gunicorn.log", workers=2))
        yield {**deployment, "a": servers[0].port, "b": servers[1].port}
    finally:
        for server in servers:
            server.stop()


def test_a_write_on_one_host_is_seen_on_the_other(two_hosts: dict[str, object]) -> None:
    a, b = int(str(two_hosts["a"])), int(str(two_hosts["b"]))
    office = Browser(a, str(two_hosts["secretariat"]))
    liaison = Browser(a, str(two_hosts["liaison"]))
    pages = [(office, "/dashboard"), (liaison, "/my/tasks"), (office, f"/plans/{two_hosts['plan']}/export.xlsx")]
    marker = f"两台主机{secrets.token_hex(3)}"

    for who, path in pages:  # cached on A: both workers, until a repeat costs fewer statements than the first
        counts = []
        for _ in range(6):
            status, headers, body = who.get(a, path)
            assert status == 200, (path, status)
            assert marker not in _text_of(path, body)
            counts.append(int(headers["x-query-count"]))
        assert min(counts) < max(counts), f"{path} was never served from the cache on host A: {counts}"

    report = json.dumps({"status": "in_progress", "percent": 40, "narrative": f"{marker}：推进中"}).encode()
    status, _, body = _http(b, "POST", f"/api/v1/assignments/{two_hosts['assignment']}/reports", report,
                            token=str(two_hosts["token"]), content_type="application/json")
    assert status == 201, body[:300]

    for who, path in pages:  # every worker of A shows it at once
        for _ in range(6):
            status, _, body = who.get(a, path)
            assert status == 200, (path, status)
            assert marker in _text_of(path, body), f"{path} on host A is stale after B's write"

    # A file uploaded with a report on host A downloads on host B.
    form_path = f"/assignments/{two_hosts['assignment']}/report"
    status, _, page = liaison.get(a, form_path)
    assert status == 200
    base = re.search(r'name="base_report_id"[^>]*value="([^"]*)"', page.decode())
    pdf = b"%PDF-1.4\n% two hosts " + secrets.token_bytes(2048) + b"\n%%EOF\n"
    fields = {"csrf_token": _csrf(page), "status": "in_progress", "percent": "60",
              "narrative": f"{marker}：附佐证材料", "base_report_id": base.group(1) if base else ""}
    body, content_type = _multipart(fields, {"attachments": ("佐证材料.pdf", pdf)})
    status, _, answer = _http(a, "POST", form_path, body, cookie=liaison.cookie, content_type=content_type)
    assert status == 302, re.findall(r"(?:error|alert|invalid)[^>]*>([^<]{1,200})", answer.decode())
    engine = sa.create_engine(str(two_hosts["url"]))
    with engine.connect() as conn:
        attachment = conn.execute(sa.text("SELECT max(id) FROM attachments")).scalar_one()
    engine.dispose()
    assert attachment is not None
    status, headers, download = liaison.get(b, f"/attachments/{attachment}")
    assert status == 200, status
    assert download == pdf, len(download)


def _scheduler(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    flask = str(Path(write_load.PYTHON).with_name("flask"))
    with log.open("wb") as sink:
        return subprocess.Popen([flask, "--app", "wsgi", "scheduler"], env=env, cwd=write_load.ROOT, stdout=sink,
                                stderr=subprocess.STDOUT)


def _deliver(env: dict[str, str]) -> subprocess.Popen[bytes]:
    flask = str(Path(write_load.PYTHON).with_name("flask"))
    return subprocess.Popen([flask, "--app", "wsgi", "outbox", "deliver"], env=env, cwd=write_load.ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


#: The line a finished daily sweep logs.
_SWEPT = re.compile(r"sweep \d{4}-\d\d-\d\d:")


def _one_runs_one_stands_by(logs: list[Path], until: float) -> bool:
    """Wait until one scheduler's log says it started (it holds the lock) and the other's that it stands by (True),
    or the monotonic deadline passes (False)."""
    while time.monotonic() < until:
        texts = [log.read_text(errors="replace") if log.exists() else "" for log in logs]
        if any("scheduler started" in texts[i] and "standing by" in texts[1 - i] for i in (0, 1)):
            return True
        time.sleep(0.1)
    return False


def _two_schedulers(env: dict[str, str], logs: list[Path]) -> list[subprocess.Popen[bytes]]:
    """Start A's and B's schedulers at once with the sweep due a margin ahead: one takes the lock, the other stands
    by, both up before the sweep (which one holds the lock is the race's; the test finds out from the logs).

    The sweep time is read when the lock holder starts its jobs: a start slower than the margin (a loaded machine)
    would find the day's sweep already past and wait for tomorrow's, so the pair is started again with a wider
    margin. The margin leaves two seconds after the start is seen: the sweep time is whole seconds, and the logs
    are read every 0.1 s.
    """
    for margin in (6, 20, 60):
        sweep_at = dt.datetime.now(SHANGHAI) + dt.timedelta(seconds=margin)
        env["SWEEP_TIME"] = sweep_at.time().replace(microsecond=0).isoformat()
        spare = time.monotonic() + margin - 2
        procs = [_scheduler(env, log) for log in logs]
        if _one_runs_one_stands_by(logs, spare):
            return procs
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
    raise AssertionError("the schedulers did not start in time: " + " / ".join(
        log.read_text(errors="replace") for log in logs if log.exists()))


def test_one_scheduler_runs_across_two_hosts(deployment: dict[str, object]) -> None:
    """Two schedulers (one per host): one holds the lock and runs the sweep once; the other stands by. Then both
    hosts deliver the outbox at once (the operator's `outbox deliver` on each): every message is sent once.

    The schedulers and the deliveries are processes of their own beside the web servers, which they never call:
    this test starts no gunicorn (the other test serves the hosts). The deliveries start as soon as the sweep's
    messages are committed, while the schedulers are still watched for a second sweep (a scheduler's own delivery
    job, if its minute came, would only be one more deliverer: every message is still sent once).
    """
    two_hosts = deployment
    tmp = Path(str(two_hosts["tmp"]))
    logs = [tmp / f"host-{host}" / "scheduler.log" for host in ("a", "b")]
    deliveries: list[subprocess.Popen[bytes]] = []
    with SmtpTestServer() as smtp:
        env: dict[str, str] = {**dict(two_hosts["env"]),  # type: ignore[arg-type]
                               "OFFICE_HOURS_START": "00:00", "OFFICE_HOURS_END": "23:59", "SMTP_HOST": smtp.host,
                               "SMTP_PORT": str(smtp.port), "MAIL_FROM": "tasktrack@two-hosts.example"}
        procs = _two_schedulers(env, logs)
        engine = sa.create_engine(str(two_hosts["url"]))
        try:
            # Until a sweep has logged its end, then until its messages are committed (its job commits after the
            # log line: on a loaded machine seconds after it), then a while longer for a second sweep.
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not any(_SWEPT.search(log.read_text(errors="replace"))
                                                          for log in logs):
                time.sleep(0.1)
                assert all(p.poll() is None for p in procs), [log.read_text() for log in logs]
            swept = time.monotonic()
            queued = 0
            while not queued and time.monotonic() < deadline:
                with engine.connect() as conn:
                    queued = conn.execute(sa.text(
                        "SELECT count(*) FROM notifications WHERE kind = 'reminder'")).scalar_one()
                if not queued:
                    time.sleep(0.1)
            if queued:
                deliveries = [_deliver(env) for _host in ("a", "b")]
            time.sleep(max(0.0, swept + 3 - time.monotonic()))  # a second sweep, if there were one, would show now
            texts = [log.read_text(errors="replace") for log in logs]
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
        try:
            started = [t.count("scheduler started") for t in texts]
            assert sorted(started) == [0, 1], texts
            assert "standing by" in texts[started.index(0)], texts
            sweeps = [line for t in texts for line in t.splitlines() if _SWEPT.search(line)]
            assert len(sweeps) == 1, sweeps
            assert queued > 0, texts
            outputs = [d.communicate(timeout=120)[0].decode(errors="replace") for d in deliveries]
            assert all(d.returncode == 0 for d in deliveries), outputs
            with engine.connect() as conn:
                sent, waiting = conn.execute(sa.text(
                    "SELECT count(*) FILTER (WHERE status = 'sent'), "
                    "count(*) FILTER (WHERE status IN ('pending', 'sending', 'failed')) FROM notifications "
                    "WHERE kind = 'reminder'")).one()
        finally:
            for delivery in deliveries:
                if delivery.poll() is None:
                    delivery.kill()
                    delivery.communicate()
            engine.dispose()
        assert waiting == 0, outputs  # units with no address are dead at once (the outbox page lists them)
        assert sent > 0, outputs
        ids = collections.Counter(m.message["Message-ID"] for m in smtp.messages)
        assert len(ids) == sent, (len(ids), sent)
        assert set(ids.values()) == {1}, ids
