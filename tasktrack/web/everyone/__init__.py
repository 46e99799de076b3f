"""The pages of everyone signed in (DESIGN §1: every role sees the whole plan): plans and tasks, the dashboard and
its lists and exports, an assignment's page, units, observation points, the case library and the compilation,
attachments, the calendar subscription page.
One blueprint, one guard (Action.VIEW_PLAN, which every signed-in role has); which object a user may read
(a case, an attachment) is still permissions.py's, asked by the view that loads it.

The iCalendar feed is not here: it is reached without signing in (web/calendar_feed.py)."""

from __future__ import annotations

from flask import Blueprint

from tasktrack.permissions import Action
from tasktrack.web.guards import guard_blueprint

bp = Blueprint("everyone", __name__)
guard_blueprint(bp, Action.VIEW_PLAN)


def load() -> None:
    """Import the view modules, which add their routes to ``bp`` (before it is registered)."""
    from tasktrack.web.everyone import (  # noqa: F401
        assignment,
        calendar,
        cases,
        dashboard,
        files,
        matters,
        observation,
        plans,
    )
