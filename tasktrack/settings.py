"""The app's settings, read and typed once when the app is created.

config.py reads the environment into Config classes (strings and numbers under upper-case names);
``Settings.from_config`` is the one place that turns that mapping into typed values, applies the defaults
and refuses bad ones, and ``create_app`` stores the result in ``app.extensions``. Every reader asks
``settings()`` (or ``of(app)``) and finds typed values: no ``int(config.get(..., default))`` elsewhere.

The one value that changes after creation is the clock's pin: ``app.config["PINNED_TODAY"]`` starts as
``Settings.pinned_today``, and ``--today`` (cli.py) moves it for one command.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

from config import WEAK_SECRET_KEYS

if TYPE_CHECKING:
    from tasktrack.dingtalk import RobotSettings
    from tasktrack.domain.reminder_policy import ReminderSettings
    from tasktrack.domain.workdays import OfficeHours
    from tasktrack.mail import SmtpSettings
    from tasktrack.services.auth import ThrottlePolicy
    from tasktrack.services.outbox import DeliveryPolicy

EXTENSION_KEY = "tasktrack.settings"
MIB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Settings:
    """Every setting the app reads after start-up, typed (README "Settings" lists the variables)."""

    config_name: str
    #: The public address of the app, for links in e-mails (BASE_URL).
    base_url: str
    #: TASKTRACK_TODAY parsed, and where it was set (environment or instance file); None: the real date.
    pinned_today: dt.date | None
    today_source: str
    #: argon2 with tiny cost parameters (the test suite only).
    fast_hash: bool
    upload_dir: str
    #: The largest file accepted (MAX_UPLOAD_MB); the request body limit MAX_CONTENT_LENGTH is the same.
    max_upload_bytes: int
    render_cache_size: int
    query_count_header: bool
    hsts: bool
    trusted_proxies: int
    sqlite_busy_timeout_ms: int
    sqlite_write_wait_seconds: float
    smtp: SmtpSettings
    #: DingTalk robots: DINGTALK_TIMEOUT and the key (derived from SECRET_KEY) that seals their secrets.
    robots: RobotSettings
    delivery: DeliveryPolicy
    throttle: ThrottlePolicy
    reminders: ReminderSettings
    office_hours: OfficeHours
    #: The weekly digests' default weekday (0 = Monday) and the scheduler's times, Asia/Shanghai.
    digest_weekday: int
    digest_time: dt.time
    sweep_time: dt.time
    delivery_interval_minutes: int
    scheduler_lock_ttl_seconds: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Type the upper-case settings of ``config``, with their defaults; ValueError/RuntimeError when unusable."""
        # Imported here: these modules (services among them) may themselves read the settings.
        from tasktrack.clock import parse_pinned_today
        from tasktrack.dingtalk import RobotSettings, derive_key
        from tasktrack.domain.reminder_policy import ReminderSettings
        from tasktrack.domain.workdays import OfficeHours
        from tasktrack.mail import SmtpSettings
        from tasktrack.services.auth import ThrottlePolicy
        from tasktrack.services.outbox import DeliveryPolicy

        read = _Reader(config)
        source = read.text("TASKTRACK_TODAY_SOURCE", "")
        try:
            pinned = parse_pinned_today(config.get("TASKTRACK_TODAY"))
        except ValueError as exc:
            raise ValueError(f"{exc}{f' (from {source})' if source else ''}") from exc
        proxies = read.integer("TRUSTED_PROXIES", 0)
        if proxies < 0:
            raise RuntimeError("TRUSTED_PROXIES 必须是 0 或正整数（应用前面的反向代理层数）")
        windows = read.text("REMINDER_DUE_SOON_DAYS", "14,3").replace("，", ",")
        return cls(
            config_name=read.text("CONFIG_NAME", "development"),
            base_url=read.text("BASE_URL", "http://127.0.0.1:5000"),
            pinned_today=pinned,
            today_source=source,
            fast_hash=read.flag("PASSWORD_HASH_FAST"),
            upload_dir=read.text("UPLOAD_DIR", "instance/uploads"),
            max_upload_bytes=read.integer("MAX_UPLOAD_BYTES", 20 * MIB),
            render_cache_size=read.integer("RENDER_CACHE_SIZE", 0),
            query_count_header=read.flag("QUERY_COUNT_HEADER"),
            hsts=read.flag("HSTS"),
            trusted_proxies=proxies,
            sqlite_busy_timeout_ms=read.integer("SQLITE_BUSY_TIMEOUT_MS", 5000),
            sqlite_write_wait_seconds=read.number("SQLITE_WRITE_WAIT_SECONDS", 20.0),
            smtp=SmtpSettings(
                host=read.text("SMTP_HOST", "127.0.0.1"), port=read.integer("SMTP_PORT", 25),
                user=read.optional("SMTP_USER"), password=read.optional("SMTP_PASSWORD"),
                starttls=read.flag("SMTP_STARTTLS"), timeout=read.number("SMTP_TIMEOUT", 20.0),
                mail_from=read.text("MAIL_FROM", "tasktrack@localhost"),
            ),
            robots=RobotSettings(timeout=read.number("DINGTALK_TIMEOUT", 5.0),
                                 key=derive_key(str(config.get("SECRET_KEY") or ""))),
            delivery=DeliveryPolicy(
                max_attempts=read.integer("OUTBOX_MAX_ATTEMPTS", 8),
                backoff_base=read.number("OUTBOX_BACKOFF_BASE_SECONDS", 120.0),
                backoff_cap=read.number("OUTBOX_BACKOFF_CAP_SECONDS", 3600.0),
                stale_claim=dt.timedelta(minutes=read.integer("OUTBOX_STALE_CLAIM_MINUTES", 15)),
                batch_size=read.integer("OUTBOX_BATCH_SIZE", 100, low=1),
            ),
            throttle=ThrottlePolicy(
                free_attempts=read.integer("LOGIN_FREE_ATTEMPTS", 5, low=1),
                account_free_attempts=read.integer("LOGIN_ACCOUNT_FREE_ATTEMPTS", 10, low=1),
                max_delay=read.integer("LOGIN_MAX_DELAY_SECONDS", 900, low=1),
                address_limit=read.integer("LOGIN_ADDRESS_LIMIT", 30, low=1),
                address_window=dt.timedelta(minutes=read.integer("LOGIN_ADDRESS_WINDOW_MINUTES", 60, low=1)),
                forget_after=dt.timedelta(hours=read.integer("LOGIN_FORGET_AFTER_HOURS", 24, low=1)),
            ),
            reminders=ReminderSettings(
                due_soon_days=tuple(int(part) for part in windows.split(",") if part.strip()),
                overdue_repeat_days=read.integer("REMINDER_OVERDUE_REPEAT_DAYS", 7),
                supervision_after_days=read.integer("REMINDER_SUPERVISION_AFTER_DAYS", 30),
                period_grace_days=read.integer("REMINDER_PERIOD_GRACE_DAYS", 0),
                ack_remind_workdays=read.integer("ACK_REMIND_WORKDAYS", 2),
            ),
            office_hours=OfficeHours(start=read.time("OFFICE_HOURS_START", "08:30"),
                                     end=read.time("OFFICE_HOURS_END", "18:00")),
            digest_weekday=read.integer("DIGEST_WEEKDAY", 0),
            digest_time=read.time("DIGEST_TIME", "09:00"),
            sweep_time=read.time("SWEEP_TIME", "08:00"),
            delivery_interval_minutes=read.integer("DELIVERY_INTERVAL_MINUTES", 5, low=1),
            scheduler_lock_ttl_seconds=read.integer("SCHEDULER_LOCK_TTL_SECONDS", 120),
        )

    def check(self, config: Mapping[str, Any]) -> None:
        """Refuse unsafe production settings (R8, R17) and SQLite across hosts."""
        if self.config_name == "production":
            key = str(config.get("SECRET_KEY") or "")
            if key in WEAK_SECRET_KEYS or len(key) < 32:
                raise RuntimeError("生产环境必须设置至少 32 个字符的随机 SECRET_KEY（不能使用默认值）")
            if not config.get("DATABASE_URL_GIVEN"):
                raise RuntimeError("生产环境必须设置 DATABASE_URL")
        if config.get("MULTI_HOST") and str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
            raise RuntimeError("多主机部署必须使用 PostgreSQL，SQLite 只支持单机")


class _Reader:
    """Typed reads of a config mapping, each with its default (a value given as text is converted)."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config

    def _raw(self, name: str) -> Any:
        value = self.config.get(name)
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    def text(self, name: str, default: str) -> str:
        value = self._raw(name)
        return default if value is None else str(value)

    def optional(self, name: str) -> str | None:
        value = self._raw(name)
        return None if value is None else str(value)

    def flag(self, name: str) -> bool:
        value = self._raw(name)
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        return bool(value)

    def integer(self, name: str, default: int, *, low: int | None = None) -> int:
        value = self._raw(name)
        number = default if value is None else int(value)
        return number if low is None else max(low, number)

    def number(self, name: str, default: float) -> float:
        value = self._raw(name)
        return default if value is None else float(value)

    def time(self, name: str, default: str) -> dt.time:
        value = self._raw(name)
        return dt.time.fromisoformat(default if value is None else str(value).strip())


def init_app(app: Flask) -> Settings:
    """Read the app's settings once, check them and keep them in ``app.extensions``."""
    built = Settings.from_config(app.config)
    built.check(app.config)
    app.extensions[EXTENSION_KEY] = built
    app.config["PINNED_TODAY"] = built.pinned_today
    return built


def of(app: Flask) -> Settings:
    """Return the settings of ``app`` (create_app built them)."""
    typed: Settings = app.extensions[EXTENSION_KEY]
    return typed


def settings() -> Settings:
    """Return the settings of the current app."""
    return of(current_app)


@contextmanager
def overridden(app: Flask, **changes: Any) -> Iterator[Settings]:
    """Run a block with some settings of ``app`` replaced (tests, and a command's one-off options)."""
    saved = of(app)
    app.extensions[EXTENSION_KEY] = changed = dataclasses.replace(saved, **changes)
    try:
        yield changed
    finally:
        app.extensions[EXTENSION_KEY] = saved
