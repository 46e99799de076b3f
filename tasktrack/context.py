"""App-bound accessors of the clock, for views, CLI commands and jobs (the settings: tasktrack/settings.py)."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from tasktrack import clock
from tasktrack.settings import settings


def now() -> dt.datetime:
    """Return the current instant (tz-aware UTC), honouring TASKTRACK_TODAY (or a command's ``--today``)."""
    return clock.now_utc(current_app.config["PINNED_TODAY"])


def today() -> dt.date:
    """Return today's date in Asia/Shanghai, honouring TASKTRACK_TODAY."""
    return clock.today(current_app.config["PINNED_TODAY"])


def fast_hash() -> bool:
    """Return whether passwords use the cheap test hasher."""
    return settings().fast_hash
