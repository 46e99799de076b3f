"""The one scheduler process (`flask --app wsgi scheduler`): APScheduler 3 plus a database lock (R1, R23).

Never started by create_app, wsgi.py, an import or the reloader: only :func:`run` starts it, and only
the ``scheduler`` CLI command calls that. A second scheduler (a second host, an operator's mistake)
stands by until the first one's lock goes away:

* PostgreSQL — a session-level ``pg_try_advisory_lock`` on a dedicated connection, held for the life of
  the process (it goes away with the connection if the process dies);
* SQLite — a ``scheduler_locks`` row with a heartbeat and an expiry, taken by compare-and-set.

Jobs are textual references into ``tasktrack.jobs`` in the in-memory job store with Asia/Shanghai cron
triggers and explicit ``coalesce``, ``max_instances`` and ``misfire_grace_time``. Catching up missed
runs does not depend on the grace time: the jobs are level-triggered sweeps.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import logging
import os
import signal
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy.dialects import sqlite

from tasktrack import settings
from tasktrack.domain.workdays import SHANGHAI
from tasktrack.models import SchedulerLock
from tasktrack.settings import Settings

logger = logging.getLogger(__name__)
#: The lock's table (a mapped class's __table__ is typed FromClause).
_LOCK_TABLE = cast(sa.Table, SchedulerLock.__table__)

LOCK_NAME = "tasktrack-scheduler"
#: Arbitrary constant id of the PostgreSQL advisory lock ("ttsched").
ADVISORY_KEY = 0x74747363686564


class DatabaseLock:
    """The scheduler lock: advisory lock on PostgreSQL, lock row with expiry on SQLite."""

    def __init__(self, engine: sa.Engine, *, ttl: int = 120, name: str = LOCK_NAME,
                 holder: str | None = None) -> None:
        """Prepare (not take) the lock."""
        self.engine = engine
        self.ttl = dt.timedelta(seconds=ttl)
        self.name = name
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._conn: sa.Connection | None = None
        self._held = False

    @property
    def held(self) -> bool:
        return self._held

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        """Try to take the lock without waiting; return whether this process holds it."""
        if self.is_postgresql:
            if self._conn is None:
                self._conn = self.engine.connect()
            got = bool(self._conn.execute(sa.select(sa.func.pg_try_advisory_lock(ADVISORY_KEY))).scalar())
            self._conn.commit()  # a session-level lock outlives the transaction
            if not got:
                self._conn.close()
                self._conn = None
            self._held = got
            return got
        self._held = self._take_row()
        return self._held

    def _take_row(self) -> bool:
        table = _LOCK_TABLE
        now = dt.datetime.now(dt.UTC)
        values = {"holder": self.holder, "heartbeat_at": now, "expires_at": now + self.ttl}
        with self.engine.begin() as conn:
            updated = conn.execute(
                sa.update(table).where(table.c.name == self.name,
                                       sa.or_(table.c.holder == self.holder, table.c.expires_at < now))
                .values(**values)
            ).rowcount
            if updated == 1:
                return True
            inserted = conn.execute(
                sqlite.insert(table).values(name=self.name, **values).on_conflict_do_nothing(index_elements=["name"])
            ).rowcount
            return inserted == 1

    def refresh(self) -> bool:
        """Renew the lock (heartbeat); return False when it was lost."""
        if not self._held:
            return False
        try:
            if self.is_postgresql:
                assert self._conn is not None
                self._conn.execute(sa.text("SELECT 1"))
                self._conn.commit()
            else:
                self._held = self._take_row()
        except sa.exc.SQLAlchemyError:
            logger.exception("scheduler lock heartbeat failed")
            self._held = False
        return self._held

    def release(self) -> None:
        """Give the lock up."""
        try:
            if self.is_postgresql and self._conn is not None:
                self._conn.execute(sa.select(sa.func.pg_advisory_unlock(ADVISORY_KEY)))
                self._conn.commit()
                self._conn.close()
            elif not self.is_postgresql and self._held:
                table = _LOCK_TABLE
                with self.engine.begin() as conn:
                    conn.execute(sa.delete(table).where(table.c.name == self.name, table.c.holder == self.holder))
        finally:
            self._conn = None
            self._held = False


@dataclass(frozen=True)
class JobSpec:
    """A job: its id, textual reference, trigger and misfire grace time (seconds)."""

    id: str
    ref: str
    trigger: Any
    misfire_grace_time: int


def job_specs(typed: Settings) -> list[JobSpec]:
    """Return the jobs of the scheduler, with Asia/Shanghai triggers built from the settings."""
    # Seconds count too (SWEEP_TIME=08:00:30): a test of two schedulers can set a sweep a few seconds ahead.
    sweep_h, sweep_m, sweep_s = typed.sweep_time.hour, typed.sweep_time.minute, typed.sweep_time.second
    digest_h, digest_m, digest_s = typed.digest_time.hour, typed.digest_time.minute, typed.digest_time.second
    start_h, end_h = typed.office_hours.start.hour, typed.office_hours.end.hour
    every = typed.delivery_interval_minutes
    heartbeat = max(5, typed.scheduler_lock_ttl_seconds // 4)
    return [
        JobSpec("daily_sweep", "tasktrack.jobs:daily_sweep",
                CronTrigger(hour=sweep_h, minute=sweep_m, second=sweep_s, timezone=SHANGHAI), 6 * 3600),
        # Daily: each liaison has their own weekday; the job sends the digests whose day has come.
        JobSpec("weekly_digests", "tasktrack.jobs:weekly_digests",
                CronTrigger(hour=digest_h, minute=digest_m, second=digest_s, timezone=SHANGHAI), 6 * 3600),
        # Every day (调休 makes some weekends working days); the job itself checks working day and hours.
        JobSpec("deliver_outbox", "tasktrack.jobs:deliver_outbox",
                CronTrigger(hour=f"{start_h}-{end_h}", minute=f"*/{every}", timezone=SHANGHAI), 120),
        JobSpec("heartbeat", "tasktrack.jobs:heartbeat", IntervalTrigger(seconds=heartbeat, timezone=SHANGHAI), 30),
    ]


def resolve(ref: str) -> Any:
    """Import a "module:function" reference (fails loudly at start-up when a job was renamed)."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def build_scheduler(typed: Settings) -> BlockingScheduler:
    """Build the BlockingScheduler with every job registered (not started)."""
    scheduler = BlockingScheduler(
        timezone=SHANGHAI,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for spec in job_specs(typed):
        resolve(spec.ref)
        scheduler.add_job(spec.ref, trigger=spec.trigger, id=spec.id, name=spec.id, coalesce=True,
                          max_instances=1, misfire_grace_time=spec.misfire_grace_time, replace_existing=True)
    return scheduler


def _stop_when_set(stop: threading.Event, scheduler: BlockingScheduler) -> None:
    stop.wait()
    if scheduler.running:
        scheduler.shutdown(wait=False)


def run(app: Flask, *, poll_seconds: float = 30.0, stop: threading.Event | None = None) -> None:
    """Stand by until the lock is free, then run the jobs until stopped or the lock is lost."""
    from tasktrack import jobs
    from tasktrack.extensions import db

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        # systemd and `make run` stop us with SIGTERM: shut down cleanly and release the lock at once.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with app.app_context():
        engine = db.engine
    lock = DatabaseLock(engine, ttl=settings.of(app).scheduler_lock_ttl_seconds)
    while not stop.is_set():
        if not lock.acquire():
            logger.info("another scheduler holds the lock; standing by")
            stop.wait(poll_seconds)
            continue
        scheduler = build_scheduler(settings.of(app))
        jobs.bind(app, lock, on_lost=functools.partial(scheduler.shutdown, wait=False))
        app.extensions["tasktrack_scheduler"] = scheduler
        logger.info("scheduler started (holder %s)", lock.holder)
        threading.Thread(target=_stop_when_set, args=(stop, scheduler), daemon=True).start()
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            stop.set()
        finally:
            app.extensions.pop("tasktrack_scheduler", None)
            lock.release()
            logger.info("scheduler stopped")
