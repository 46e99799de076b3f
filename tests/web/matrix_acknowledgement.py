"""Matrix rows of 签收 (issue 15): the one-click button and the API call; only the unit's own people sign."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.services.read.overview import unit_rows
from tests.web.matrix import Ctx, Route

NOBODY: frozenset[str] = frozenset()
LIAISON = frozenset({"liaison"})


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """Find an assignment of the liaison's unit still 待签收 (the context's own one was reported on: signed)."""
    pending = next(r.assignment for r in unit_rows(ctx.own_unit_id, now.date())
                   if r.assignment.acknowledged_at is None)
    ctx.extra.update(pending_ack_id=pending.id)


ROUTES = [
    Route("everyone.acknowledge", "POST", lambda c: f"/assignments/{c.extra['pending_ack_id']}/acknowledge", LIAISON,
          data=lambda c: {"handler_name": "张三", "handler_phone": "0571-87654321"}),
    Route("everyone.acknowledge", "POST", lambda c: f"/assignments/{c.own_assignment_id}/acknowledge", LIAISON,
          data=lambda c: {}, note="already signed (its report did): 已签收, nothing changes, still a redirect"),
    Route("everyone.acknowledge", "POST", lambda c: f"/assignments/{c.other_assignment_id}/acknowledge", NOBODY,
          data=lambda c: {}, note="another unit's assignment: 403 for everyone"),
    Route("api.assignment_acknowledge", "POST",
          lambda c: f"/api/v1/assignments/{c.extra['pending_ack_id']}/acknowledge", LIAISON,
          data=lambda c: {"handler_name": "李四"}),
    Route("api.assignment_acknowledge", "POST",
          lambda c: f"/api/v1/assignments/{c.other_assignment_id}/acknowledge", NOBODY, data=lambda c: {}),
]
