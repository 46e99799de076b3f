"""What every section of the benchmark shares: the paths, a fresh database, the app's environment, gunicorn on
loopback, one HTTP request, signing in, an API token, and the machine's description and load."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.generate import PASSWORD, SECRETARIAT_EMAIL, TODAY
from bench.jobs import CONTROL, children, free_port, kill_server

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "work"
RESULTS = BENCH / "results"
PYTHON = sys.executable
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: The PostgreSQL database the bench recreates (``BENCH_PG_DB`` names another, so two runs can sit side by side).
PG_DB = os.environ.get("BENCH_PG_DB", "tasktrack_bench")
WORKERS = 2


def database_url(kind: str, scale: float, *, pg_admin: str = PG_ADMIN, name: str = PG_DB,
                 where: Path = WORK) -> str:
    """Return the URL of a fresh, empty database: PostgreSQL ``name`` (dropped first) or a new SQLite file."""
    if kind == "postgresql":
        admin = sa.create_engine(pg_admin, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return pg_admin.rsplit("/", 1)[0] + "/" + name
    where.mkdir(parents=True, exist_ok=True)
    path = where / f"bench-{scale}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def env_for(url: str, today: dt.date = TODAY, where: Path = WORK) -> dict[str, str]:
    """The environment of the app's commands and of gunicorn: production config, today pinned, query counts on."""
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "TASKTRACK_TODAY": today.isoformat(), "TASKTRACK_ENV": "production",
                "SECRET_KEY": secrets.token_hex(32), "SESSION_COOKIE_SECURE": "0", "TASKTRACK_QUERY_COUNT": "1",
                "UPLOAD_DIR": str(where / "uploads"), "BASE_URL": "http://127.0.0.1", "PYTHONPATH": str(ROOT)})
    return env


def python_json(module: str, env: dict[str, str], *args: str) -> Any:
    """Run ``python -m module args`` and return the JSON of its last line of output."""
    out = subprocess.run([PYTHON, "-m", module, *args], env=env, cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


class Server:
    """gunicorn with ``workers`` sync workers on a loopback port."""

    def __init__(self, env: dict[str, str], workers: int = WORKERS, log: Path | None = None) -> None:
        self.port = free_port()
        log = log or WORK / "gunicorn.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        gunicorn = str(Path(PYTHON).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--access-logfile", "-",
             "--error-logfile", str(log), "--timeout", "120", *CONTROL, "wsgi:app"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn did not start; see {log}")

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.workers():
            with contextlib.suppress(OSError):
                match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
                if match:
                    peaks.append(round(int(match.group(1)) / 1024, 1))
        return peaks

    def stop(self) -> None:
        kill_server(self.proc)


def request(port: int, method: str, path: str, headers: dict[str, str],
            body: str | bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request on a new connection: (status, lower-cased headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def login(port: int, email: str) -> str:
    """Sign in through the login form (with its CSRF token); return the Cookie header value."""
    status, headers, body = request(port, "GET", "/login", {})
    cookie = headers.get("set-cookie", "").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
    if token is None:
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert token is not None, "no CSRF token on /login"
    form = urllib.parse.urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": PASSWORD})
    status, headers, _ = request(port, "POST", "/login", {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 302, f"login of {email} failed ({status})"
    return headers["set-cookie"].split(";", 1)[0]


def api_token(env: dict[str, str], email: str = SECRETARIAT_EMAIL) -> str:
    """Issue a bearer token for ``email`` with the app's own command."""
    out = subprocess.run([str(Path(PYTHON).with_name("flask")), "--app", "wsgi", "users", "token", "--email",
                          email], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def machine() -> str:
    """The machine in one line: CPUs, their model, Python."""
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    return f"{os.cpu_count()} CPUs ({cpu}), Python {sys.version.split()[0]}"


def load_average(section: str, **where: Any) -> dict[str, Any]:
    """The machine's load average now, named by the section about to run (the machine may be shared)."""
    one, five, fifteen = os.getloadavg()
    return {"section": section, **where, "at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load1": round(one, 2), "load5": round(five, 2), "load15": round(fifteen, 2)}
