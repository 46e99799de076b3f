"""Settings, read from the environment (DESIGN §6); tasktrack/settings.py types them once per app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
#: This instance's day, written by `make run` (``TASKTRACK_TODAY=2024-07-18``, or empty for the real date), so
#: the demo server and every `flask --app wsgi …` command typed in this checkout agree on "today".
INSTANCE_ENV_FILE = INSTANCE_DIR / "tasktrack.env"

#: Values that must never reach production as the secret key.
WEAK_SECRET_KEYS = frozenset({"", "dev", "change-me", "dev-only-not-secret", "secret"})


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def read_env_file(path: Path) -> dict[str, str]:
    """Read ``KEY=VALUE`` lines (``#`` comments, blank lines, optional quotes); a missing file reads as empty."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip().removeprefix("export ").strip()] = value
    return values


def pinned_today_setting(env_file: Path | None = INSTANCE_ENV_FILE) -> tuple[str | None, str]:
    """Return TASKTRACK_TODAY and where it came from: the environment wins over ``env_file``; empty is the real date."""
    if "TASKTRACK_TODAY" in os.environ:
        return os.environ["TASKTRACK_TODAY"].strip() or None, "环境变量"
    if env_file is not None:
        value = read_env_file(env_file).get("TASKTRACK_TODAY")
        if value is not None:
            shown = env_file.relative_to(BASE_DIR) if env_file.is_relative_to(BASE_DIR) else env_file
            return value or None, str(shown)
    return None, ""


class Config:
    """Base settings; every value can be overridden by an environment variable of the same name."""

    CONFIG_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    DATABASE_URL_GIVEN = bool(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tasktrack.db'}")
    #: No ping on every checkout: db_engine.install_idle_ping pings a connection only after it was idle a while.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, object]] = {}
    #: SQLite: how long a statement waits for a lock (busy_timeout), and how long a write transaction waits for
    #: its turn at BEGIN IMMEDIATE (tasktrack/db_engine.py; below gunicorn's 30 s worker timeout).
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 5000)
    SQLITE_WRITE_WAIT_SECONDS = float(os.environ.get("SQLITE_WRITE_WAIT_SECONDS") or 20)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    #: The largest uploaded file (MAX_UPLOAD_MB, in MiB); the request body limit is the same number.
    MAX_UPLOAD_BYTES = _int("MAX_UPLOAD_MB", 20) * 1024 * 1024
    MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    #: Pins "today" (YYYY-MM-DD) for demos of the 2024 plan and for tests; nothing else reads the clock. From the
    #: environment, else from instance/tasktrack.env (`make run`); TASKTRACK_TODAY_SOURCE says which.
    TASKTRACK_TODAY, TASKTRACK_TODAY_SOURCE = pinned_today_setting()

    SMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_USER = os.environ.get("SMTP_USER") or None
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "20"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "tasktrack@localhost")

    # Reminders, digests, delivery and the scheduler (DESIGN §4; README "Reminders and the scheduler").
    #: Days before a dated deadline on which a due-soon reminder goes out, comma-separated.
    REMINDER_DUE_SOON_DAYS = os.environ.get("REMINDER_DUE_SOON_DAYS", "14,3")
    REMINDER_OVERDUE_REPEAT_DAYS = _int("REMINDER_OVERDUE_REPEAT_DAYS", 7)
    REMINDER_SUPERVISION_AFTER_DAYS = _int("REMINDER_SUPERVISION_AFTER_DAYS", 30)
    REMINDER_PERIOD_GRACE_DAYS = _int("REMINDER_PERIOD_GRACE_DAYS", 0)
    #: 签收 chasing: a 待签收 assignment gets a 未签收 line in its unit's daily mail after this many working days
    #: (0: off).
    ACK_REMIND_WORKDAYS = _int("ACK_REMIND_WORKDAYS", 2)
    #: The weekly digests' default weekday (0 = Monday) and time, Asia/Shanghai.
    DIGEST_WEEKDAY = _int("DIGEST_WEEKDAY", 0)
    DIGEST_TIME = os.environ.get("DIGEST_TIME", "09:00")
    #: When the daily sweep writes the day's reminders (they go out in office hours).
    SWEEP_TIME = os.environ.get("SWEEP_TIME", "08:00")
    OFFICE_HOURS_START = os.environ.get("OFFICE_HOURS_START", "08:30")
    OFFICE_HOURS_END = os.environ.get("OFFICE_HOURS_END", "18:00")
    DELIVERY_INTERVAL_MINUTES = _int("DELIVERY_INTERVAL_MINUTES", 5)
    OUTBOX_MAX_ATTEMPTS = _int("OUTBOX_MAX_ATTEMPTS", 8)
    OUTBOX_BACKOFF_BASE_SECONDS = _int("OUTBOX_BACKOFF_BASE_SECONDS", 120)
    OUTBOX_BACKOFF_CAP_SECONDS = _int("OUTBOX_BACKOFF_CAP_SECONDS", 3600)
    #: A row claimed this long ago without a result (the worker died) is retried.
    OUTBOX_STALE_CLAIM_MINUTES = _int("OUTBOX_STALE_CLAIM_MINUTES", 15)
    SCHEDULER_LOCK_TTL_SECONDS = _int("SCHEDULER_LOCK_TTL_SECONDS", 120)

    # Sessions and cookies (R21): short lifetimes, HttpOnly, SameSite=Lax; Secure in production.
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Login throttling (R19, README "Login throttling", services/auth.py): after this many attempts without a
    # success for one account from one address (LOGIN_FREE_ATTEMPTS) or for one account from anywhere
    # (LOGIN_ACCOUNT_FREE_ATTEMPTS), each further attempt waits 2, 4, 8 … seconds, capped; never a lock-out.
    LOGIN_FREE_ATTEMPTS = _int("LOGIN_FREE_ATTEMPTS", 5)
    LOGIN_ACCOUNT_FREE_ATTEMPTS = _int("LOGIN_ACCOUNT_FREE_ATTEMPTS", 10)
    LOGIN_MAX_DELAY_SECONDS = _int("LOGIN_MAX_DELAY_SECONDS", 900)
    #: An address with this many failures in its window (minutes) gets one free attempt per account, not N.
    LOGIN_ADDRESS_LIMIT = _int("LOGIN_ADDRESS_LIMIT", 30)
    LOGIN_ADDRESS_WINDOW_MINUTES = _int("LOGIN_ADDRESS_WINDOW_MINUTES", 60)
    #: Counters with no attempt for this long start again from zero.
    LOGIN_FORGET_AFTER_HOURS = _int("LOGIN_FORGET_AFTER_HOURS", 24)
    #: Reverse proxies in front of the app that append to X-Forwarded-For (0: use the socket's address).
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

    HSTS = False
    #: Rendered fragments kept per worker by the render cache (tasktrack/cache.py); 0 turns it off.
    RENDER_CACHE_SIZE = _int("RENDER_CACHE_SIZE", 256)
    #: Report the number of SQL statements of each request in an X-Query-Count header (the benchmark).
    QUERY_COUNT_HEADER = _bool("TASKTRACK_QUERY_COUNT", False)
    MULTI_HOST = _bool("MULTI_HOST", False)


class DevelopmentConfig(Config):
    """`make run`: SQLite under instance/, debug pages off the network."""


class TestConfig(Config):
    """The test suite: its own database URL (TEST_DATABASE_URL or DATABASE_URL), CSRF on as in production."""

    CONFIG_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "sqlite:///:memory:"
    )
    WTF_CSRF_ENABLED = True
    TASKTRACK_TODAY, TASKTRACK_TODAY_SOURCE = pinned_today_setting(None)  # never a demo instance's day
    LOGIN_FREE_ATTEMPTS = 5
    PASSWORD_HASH_FAST = True  # argon2 with tiny cost parameters, so the suite stays fast


class ProductionConfig(Config):
    """Production: refuses to start with a weak secret key or no database URL (R8)."""

    CONFIG_NAME = "production"
    TASKTRACK_TODAY, TASKTRACK_TODAY_SOURCE = pinned_today_setting(None)  # a demo's file never pins production
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    HSTS = True


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}


def config_from_env() -> type[Config]:
    """Pick the config class named by TASKTRACK_ENV (development by default)."""
    return CONFIGS[os.environ.get("TASKTRACK_ENV", "development")]
