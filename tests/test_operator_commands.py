"""Operator commands as the README shows them: in the project's virtualenv, on the instance's explicit day.

`make run` writes the demo's day to instance/tasktrack.env; the server and every `flask --app wsgi …`
command of the checkout read it, print the day they use, and take `--today`. The Makefile installs
requirements.txt for `make run` and the test toolchain only for `make test`. The subprocess tests run in
a copy of the checkout (what a fresh clone has) whose .venv is the suite's own virtualenv, with a PATH
that does not contain it, exactly as an operator's new shell would.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
from typing import Any

import pytest
from flask import Flask

from config import pinned_today_setting, read_env_file
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind
from tasktrack.services import outbox

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLAIN_PATH = "/usr/local/bin:/usr/bin:/bin"


# -- in-process (click's runner) -------------------------------------------------------------------

DATED = [
    ["reminders", "run", "--dry-run"],
    ["reminders", "run"],
    ["digest", "send"],
    ["outbox", "deliver"],
    ["seed"],
]


@pytest.mark.parametrize("args", DATED, ids=[" ".join(a) for a in DATED])
def test_dated_commands_print_the_pinned_day_and_take_today(app: Flask, runner: Any, seeded: None,
                                                            args: list[str]) -> None:
    pinned = runner.invoke(args=args)
    assert pinned.exit_code == 0, pinned.output
    assert pinned.output.startswith("今日：2024-07-18（TASKTRACK_TODAY=2024-07-18）\n")
    chosen = runner.invoke(args=[*args, "--today", "2024-08-05"])
    assert chosen.exit_code == 0, chosen.output
    assert chosen.output.startswith("今日：2024-08-05（--today）\n")


def test_today_option_is_the_day_the_work_uses(app: Flask, runner: Any, seeded: None) -> None:
    """The same sweep queues different mail on different days: --today decides which."""
    first = runner.invoke(args=["reminders", "run", "--today", "2024-07-18"])
    later = runner.invoke(args=["reminders", "run", "--today", "2024-08-05"])
    assert first.exit_code == later.exit_code == 0, first.output + later.output
    db.session.rollback()
    days = set(db.session.scalars(db.select(Notification.local_date)))
    assert dt.date(2024, 8, 5) in days
    assert all(d in (dt.date(2024, 7, 18), dt.date(2024, 8, 5)) for d in days)


def test_real_date_is_said_when_nothing_pins_it(app: Flask, runner: Any) -> None:
    app.config.update(PINNED_TODAY=None)
    result = runner.invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output
    assert "（真实日期，未设置 TASKTRACK_TODAY）" in result.output.splitlines()[0]


def test_bad_today_is_refused_in_chinese(app: Flask, runner: Any) -> None:
    result = runner.invoke(args=["reminders", "run", "--today", "2024-13-01"])
    assert result.exit_code == 2
    assert "日期应为 YYYY-MM-DD" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 0


def test_outbox_deliver_says_what_it_did(app: Flask, runner: Any) -> None:
    outbox.enqueue(key="cmd:dead", kind=NotificationKind.REMINDER, local_date=dt.date(2024, 7, 18),
                   to=["a@example.org"], subject="s", text="t", html=None,
                   now=dt.datetime(2024, 7, 18, 2, tzinfo=dt.UTC), undeliverable_reason="550")
    db.session.commit()
    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "已发送 0 封" in result.output
    assert "1 封无法投递的邮件" in result.output


# -- the instance file (config.py) -----------------------------------------------------------------

def test_env_file_is_read_and_the_environment_wins(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / "tasktrack.env"
    env.write_text("# demo\n\nTASKTRACK_TODAY='2024-07-18'\nOTHER = x\n", encoding="utf-8")
    assert read_env_file(env) == {"TASKTRACK_TODAY": "2024-07-18", "OTHER": "x"}
    assert read_env_file(tmp_path / "missing.env") == {}
    monkeypatch.delenv("TASKTRACK_TODAY", raising=False)
    assert pinned_today_setting(env) == ("2024-07-18", str(env))
    assert pinned_today_setting(None) == (None, "")
    monkeypatch.setenv("TASKTRACK_TODAY", "2024-08-05")
    assert pinned_today_setting(env) == ("2024-08-05", "环境变量")
    monkeypatch.setenv("TASKTRACK_TODAY", "")  # `TASKTRACK_TODAY= make run`: the real date, whatever the file says
    assert pinned_today_setting(env) == (None, "环境变量")


# -- as typed in a shell, from a copy of the checkout ----------------------------------------------

@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The checkout's files as a fresh clone has them, with this suite's virtualenv as its .venv.

    An operator's shell (``shell_env``) has no DATABASE_URL: these tests use the instance's SQLite database in
    every pass, so CI's PostgreSQL pass leaves them to its SQLite pass rather than run them twice.
    """
    if (os.environ.get("DATABASE_URL") or "").startswith("postgresql"):
        pytest.skip("the operator's shell uses SQLite whatever DATABASE_URL says: the SQLite pass runs this")
    if sys.prefix == sys.base_prefix:
        pytest.skip("the suite does not run in a virtualenv (make test creates .venv)")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    dest = tmp_path_factory.mktemp("clone")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    (dest / ".venv").symlink_to(sys.prefix)
    return dest


def shell_env(**extra: str) -> dict[str, str]:
    """A new operator shell: no virtualenv on PATH, none of the suite's settings."""
    env = {"PATH": PLAIN_PATH, "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


def sh(checkout: pathlib.Path, script: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], cwd=checkout, env=shell_env(**extra), capture_output=True,
                          text=True, timeout=300, check=False)


def test_readme_commands_work_in_a_fresh_shell(checkout: pathlib.Path) -> None:
    made = sh(checkout, "make instance-env")  # the step of `make run` that records the demo's day
    assert made.returncode == 0, made.stderr
    assert read_env_file(checkout / "instance" / "tasktrack.env") == {"TASKTRACK_TODAY": "2024-07-18"}
    done = sh(checkout, ". .venv/bin/activate\n"
                        "flask --app wsgi db upgrade\n"
                        "flask --app wsgi reminders run --dry-run\n"
                        "flask --app wsgi reminders run --dry-run --today 2024-08-05\n"
                        "TASKTRACK_TODAY= flask --app wsgi digest send\n"
                        "flask --app wsgi outbox deliver\n")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("今日")]
    real = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    assert lines[0] == "今日：2024-07-18（TASKTRACK_TODAY=2024-07-18，来自 instance/tasktrack.env）"
    assert lines[1] == "今日：2024-08-05（--today）"
    assert re.fullmatch(r"今日：\d{4}-\d\d-\d\d（真实日期，未设置 TASKTRACK_TODAY）", lines[2])
    assert lines[2][3:13] in {real.isoformat(), (real - dt.timedelta(days=1)).isoformat()}
    assert lines[3] == lines[0]


def test_scheduler_prints_its_day_before_it_starts(checkout: pathlib.Path) -> None:
    assert sh(checkout, "make instance-env && . .venv/bin/activate && flask --app wsgi db upgrade").returncode == 0
    process = subprocess.Popen(["bash", "-c", ". .venv/bin/activate && exec flask --app wsgi scheduler "
                                              "--today 2024-08-05"],
                               cwd=checkout, env=shell_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "今日：2024-08-05（--today）"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_without_the_virtualenv_the_error_says_what_to_do(checkout: pathlib.Path) -> None:
    python = pathlib.Path(sys.base_prefix) / "bin" / "python3"
    if not python.exists():
        pytest.skip("no base Python")
    done = subprocess.run([str(python), "-c", "import wsgi"], cwd=checkout, env=shell_env(), capture_output=True,
                          text=True, timeout=120, check=False)
    if done.returncode == 0:
        pytest.skip("the base Python has every package: nothing to explain")
    assert ". .venv/bin/activate" in done.stderr


# -- the Makefile: `make run` installs what running needs, `make test` adds the rest ---------------

def make_n(checkout: pathlib.Path, target: str, venv: pathlib.Path) -> str:
    done = subprocess.run(["make", "-n", target, f"VENV={venv}"], cwd=checkout, env=shell_env(),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_run_installs_requirements_only_and_make_test_adds_the_rest(checkout: pathlib.Path,
                                                                         tmp_path: pathlib.Path) -> None:
    fresh = tmp_path / "fresh-venv"
    run = make_n(checkout, "run", fresh)
    assert re.search(r"pip install --quiet -r requirements\.txt$", run, re.M)
    assert "requirements-dev.txt" not in run
    assert "flask --app wsgi run" in run
    test = make_n(checkout, "test", fresh)
    assert re.search(r"-r requirements\.txt$", test, re.M)
    assert re.search(r"-r requirements-dev\.txt$", test, re.M)
    assert re.search(r"/mypy$", test, re.M)  # the type check runs with the lint, before the tests
    # After `make run`, `make test` installs only the rest.
    (fresh / "bin").mkdir(parents=True)
    (fresh / "bin" / ".installed-run").touch()
    test = make_n(checkout, "test", fresh)
    assert not re.search(r"-r requirements\.txt$", test, re.M)
    assert re.search(r"-r requirements-dev\.txt$", test, re.M)
    bench = make_n(checkout, "bench", fresh)
    assert "requirements-bench.txt" in bench
    assert "bench.run" in bench


def test_make_test_lints_and_tests_and_make_pytest_only_tests(checkout: pathlib.Path, tmp_path: pathlib.Path) -> None:
    """`make test` is the whole check; `make pytest` (CI's PostgreSQL pass, beside `make test`) the suite alone."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for stamp in (".installed-run", ".installed-dev"):
        (venv / "bin" / stamp).touch()
    test = make_n(checkout, "test", venv)
    assert [bool(re.search(pattern, test, re.M)) for pattern in (r"/ruff check \.$", r"/mypy$", r" -m pytest ")] \
        == [True, True, True]
    only = make_n(checkout, "pytest", venv)
    assert re.search(r" -m pytest -q -p no:cacheprovider", only)
    assert "ruff" not in only
    assert "mypy" not in only


def test_the_app_runs_without_the_test_toolchain(checkout: pathlib.Path) -> None:
    """What `make run` installs is enough: every module imports and the CLI loads with the dev packages hidden."""
    dev = [line.split("==")[0].split("[")[0].strip().lower().replace("-", "_")
           for line in (checkout / "requirements-dev.txt").read_text().splitlines()
           if line.strip() and not line.startswith(("#", "-r"))]
    assert "pytest" in dev
    script = f"""
import importlib, importlib.abc, pkgutil, sys
HIDDEN = {dev!r}
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"{{name}} is a test-only package", name=name)
        return None
sys.meta_path.insert(0, Hide())
import wsgi, tasktrack
for info in pkgutil.walk_packages(tasktrack.__path__, "tasktrack."):
    importlib.import_module(info.name)
from flask.cli import FlaskGroup
group = FlaskGroup(create_app=lambda: wsgi.app)
with wsgi.app.app_context():
    assert set(wsgi.app.cli.commands) >= {{"seed", "users", "reminders", "digest", "outbox", "scheduler"}}
print("ok")
"""
    done = subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-c", script], cwd=checkout,
                          env=shell_env(), capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
