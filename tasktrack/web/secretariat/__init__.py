"""The secretariat's pages (专班办公室): accounts and units, review queues, reminders and the outbox, the observation
matrix, the audit trail. One blueprint, one guard: every route here is the secretariat's (Action.ADMIN)."""

from __future__ import annotations

from flask import Blueprint

from tasktrack.permissions import Action
from tasktrack.web.guards import guard_blueprint

bp = Blueprint("secretariat", __name__)
guard_blueprint(bp, Action.ADMIN)


def load() -> None:
    """Import the view modules, which add their routes to ``bp`` (before it is registered)."""
    from tasktrack.web.secretariat import (  # noqa: F401
        accounts,
        audit,
        focus,
        inbound,
        matters,
        plan_import,
        plan_import_targets,
        plan_next_year,
        reminders,
        reports,
        review,
        work_groups,
    )
