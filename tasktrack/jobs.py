"""Scheduled job bodies: app context → one service call → commit (STYLE §8).

The scheduler process binds its app (and its lock) with :func:`bind` before it starts; jobs are
registered by their textual reference ``tasktrack.jobs:<name>`` in an in-memory job store, so nothing
is pickled and a rename fails at start-up, not at run time (R1, T1.5). Every job is level-triggered,
so a missed or doubled run is harmless (R2, R3); the operator's CLI commands do the same work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask

from tasktrack import context
from tasktrack.domain.workdays import in_office_hours
from tasktrack.extensions import db
from tasktrack.settings import settings

logger = logging.getLogger(__name__)


class Lock(Protocol):
    """What jobs need of the scheduler lock."""

    @property
    def held(self) -> bool: ...

    def refresh(self) -> bool: ...


_bound: dict[str, Any] = {"app": None, "lock": None, "on_lost": None}


def bind(app: Flask, lock: Lock | None = None, on_lost: Callable[[], None] | None = None) -> None:
    """Give the jobs their app and the scheduler lock (called by the scheduler process only)."""
    _bound.update(app=app, lock=lock, on_lost=on_lost)


def _run(name: str, body: Callable[[], Any]) -> Any:
    app: Flask | None = _bound["app"]
    if app is None:
        raise RuntimeError("tasktrack.jobs is not bound to an app; start it with `flask --app wsgi scheduler`")
    lock: Lock | None = _bound["lock"]
    if lock is not None and not lock.held:
        logger.warning("job %s skipped: this scheduler no longer holds the lock", name)
        return None
    with app.app_context():
        try:
            result = body()
            db.session.commit()
        except Exception:
            db.session.rollback()
            logger.exception("job %s failed", name)
            raise
        finally:
            db.session.remove()
    return result


def daily_sweep() -> Any:
    """Queue today's per-unit reminder messages."""
    from tasktrack.services import reminders

    def body() -> Any:
        typed = settings()
        return reminders.run_sweep(context.today(), typed.reminders, base_url=typed.base_url, now=context.now())

    return _run("daily_sweep", body)


def weekly_digests() -> Any:
    """Queue the digests due this week (each recipient's weekday, caught up later in the week)."""
    from tasktrack.services import digests

    def body() -> Any:
        typed = settings()
        return digests.send_all(context.today(), now=context.now(), base_url=typed.base_url,
                                weekday=typed.digest_weekday)

    return _run("weekly_digests", body)


def deliver_outbox() -> Any:
    """Send due outbox rows, but only inside office hours of a working day (基层减负)."""
    from tasktrack.services import outbox

    def body() -> Any:
        typed = settings()
        if not in_office_hours(context.now(), typed.office_hours):
            return None
        return outbox.deliver_due(typed.smtp, robot_settings=typed.robots, now=context.now, policy=typed.delivery)

    return _run("deliver_outbox", body)


def heartbeat() -> None:
    """Keep the scheduler lock fresh; stop the scheduler when it was lost."""
    lock: Lock | None = _bound["lock"]
    if lock is None:
        return
    if not lock.refresh():
        logger.error("scheduler lock lost; stopping this scheduler")
        on_lost = _bound["on_lost"]
        if on_lost is not None:
            on_lost()
