"""App-bound accessors of the clock and settings, for views, CLI commands and jobs."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from tasktrack import clock


def now() -> dt.datetime:
    """Return the current instant (tz-aware UTC), honouring TASKTRACK_TODAY."""
    return clock.now_utc(current_app.config.get("PINNED_TODAY"))


def today() -> dt.date:
    """Return today's date in Asia/Shanghai, honouring TASKTRACK_TODAY."""
    return clock.today(current_app.config.get("PINNED_TODAY"))


def fast_hash() -> bool:
    """Return whether passwords use the cheap test hasher."""
    return bool(current_app.config.get("PASSWORD_HASH_FAST"))
