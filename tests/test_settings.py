"""Settings are read and typed once, when the app is created (tasktrack/settings.py)."""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import re
import subprocess
import sys

import pytest

from tasktrack import create_app, settings
from tasktrack.settings import Settings
from tests.conftest import make_config

ROOT = pathlib.Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def test_max_upload_mb_sets_the_per_file_limit_and_the_request_limit() -> None:
    """MAX_UPLOAD_MB=50 lets a 30 MB file through (the service read MAX_UPLOAD_BYTES, which nothing set: 20 MB)."""
    script = (
        "from config import TestConfig\n"
        "from tasktrack import create_app\n"
        "from tasktrack.services import attachments\n"
        "app = create_app(TestConfig)\n"
        "with app.app_context():\n"
        "    print(attachments.limits().max_bytes, app.config['MAX_CONTENT_LENGTH'])\n"
    )
    env = {**os.environ, "MAX_UPLOAD_MB": "50", "TASKTRACK_ENV": "testing"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(50 * MIB), str(50 * MIB)]


def test_values_given_as_text_are_typed_and_defaulted_once() -> None:
    typed = Settings.from_config({
        "SMTP_PORT": "2525", "SMTP_STARTTLS": "yes", "SMTP_USER": "", "REMINDER_DUE_SOON_DAYS": "7，1",
        "LOGIN_FREE_ATTEMPTS": "0", "OFFICE_HOURS_START": "09:00", "DELIVERY_INTERVAL_MINUTES": "0",
        "TASKTRACK_TODAY": "2024-07-18", "MAX_UPLOAD_BYTES": 3 * MIB,
    })
    assert (typed.smtp.port, typed.smtp.starttls, typed.smtp.user) == (2525, True, None)
    assert typed.reminders.due_soon_days == (7, 1)
    assert typed.throttle.free_attempts == 1  # at least one free attempt, whatever is configured
    assert typed.office_hours.start == dt.time(9, 0)
    assert typed.delivery_interval_minutes == 1
    assert typed.pinned_today == dt.date(2024, 7, 18)
    assert typed.max_upload_bytes == 3 * MIB
    defaults = Settings.from_config({})
    assert (defaults.smtp.host, defaults.digest_weekday, defaults.sweep_time) == ("127.0.0.1", 0, dt.time(8, 0))


def test_create_app_keeps_the_typed_settings(app: object, tmp_path: pathlib.Path) -> None:
    other = create_app(make_config("sqlite://", str(tmp_path), BASE_URL="https://gov.example/tt",
                                   DIGEST_WEEKDAY=3, SMTP_PORT=2525))
    typed = settings.of(other)
    assert (typed.base_url, typed.digest_weekday, typed.smtp.port) == ("https://gov.example/tt", 3, 2525)
    with other.app_context():
        assert settings.settings() is typed
    with settings.overridden(other, digest_weekday=5) as changed:
        assert settings.of(other).digest_weekday == 5
        assert changed.smtp is typed.smtp
    assert settings.of(other) is typed


@pytest.mark.parametrize(("overrides", "message"), [
    ({"TASKTRACK_TODAY": "18/07/2024", "TASKTRACK_TODAY_SOURCE": "instance/tasktrack.env"},
     "instance/tasktrack.env"),
    ({"TRUSTED_PROXIES": -1}, "TRUSTED_PROXIES"),
    ({"CONFIG_NAME": "production", "SECRET_KEY": "dev"}, "SECRET_KEY"),
])
def test_bad_settings_stop_the_app_at_creation(tmp_path: pathlib.Path, overrides: dict[str, object],
                                               message: str) -> None:
    with pytest.raises((ValueError, RuntimeError), match=re.escape(message)):
        create_app(make_config("sqlite://", str(tmp_path), **overrides))


def test_only_settings_py_parses_the_config() -> None:
    """Outside tasktrack/settings.py, nothing reads a setting from app.config (the clock's pin excepted)."""
    allowed = {"PINNED_TODAY", "TODAY_SOURCE", "SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS"}
    pattern = re.compile(r"config(?:\.get\(|\[)\s*\"([A-Z_]+)\"")
    found = []
    for path in sorted((ROOT / "tasktrack").rglob("*.py")):
        if path.name == "settings.py" and path.parent.name == "tasktrack":
            continue
        for name in pattern.findall(path.read_text(encoding="utf-8")):
            if name not in allowed:
                found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []
