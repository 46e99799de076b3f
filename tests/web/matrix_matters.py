"""Matrix rows of 交办事项 and 联络员会议: everyone lists them (filtered by the policy); a matter is read by the
secretariat, the leader and the units it is assigned to, a meeting by them and the invited units (the observation
point is neither: 403); only the secretariat records and edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.models import MatterSource
from tasktrack.services import matters, meetings
from tasktrack.services.work_groups import default_work_group
from tests.web.matrix import ALL, SECRETARIAT, Ctx, Route

READERS = frozenset({"secretariat", "liaison", "viewer"})


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """A matter of the liaison's unit and a meeting it is invited to."""
    group = default_work_group()
    matter = matters.create_matter(group, source=MatterSource.INSTRUCTION, reference="批示", text="矩阵交办事项",
                                   deadline_phrase="2024年9月底前", responsible_phrase="省民政厅",
                                   actor=people["secretariat"], now=now)
    meeting = meetings.create_meeting(group, title="矩阵联络员会议", held_on="2024-07-16", place="", agenda="",
                                      invited=[ctx.own_unit_id], actor=people["secretariat"], now=now,
                                      base_url="http://matrix.test")
    ctx.extra.update(matter_id=matter.id, meeting_id=meeting.id)


def _matter(c: Ctx) -> dict[str, Any]:
    return {"source": "instruction", "reference": "", "text": "矩阵新交办事项", "deadline_phrase": "2024年9月底前",
            "responsible_phrase": "省民政厅"}


def _meeting(c: Ctx) -> dict[str, Any]:
    return {"title": "矩阵会议", "held_on": "2024-07-17", "invited": [str(c.own_unit_id)]}


def _decision(c: Ctx) -> dict[str, Any]:
    return {"text": "矩阵议定事项", "deadline_phrase": "2024年9月底前", "responsible_phrase": "省民政厅"}


ROUTES = [
    Route("everyone.matter_list", "GET", lambda c: "/matters", ALL),
    Route("everyone.matter_detail", "GET", lambda c: f"/matters/{c.extra['matter_id']}", READERS),
    Route("secretariat.matter_create", "POST", lambda c: "/matters", SECRETARIAT, data=_matter),
    Route("secretariat.matter_edit", "POST", lambda c: f"/matters/{c.extra['matter_id']}/edit", SECRETARIAT,
          data=_matter),
    Route("everyone.meeting_list", "GET", lambda c: "/meetings", ALL),
    Route("everyone.meeting_detail", "GET", lambda c: f"/meetings/{c.extra['meeting_id']}", READERS),
    Route("secretariat.meeting_create", "POST", lambda c: "/meetings", SECRETARIAT, data=_meeting),
    Route("secretariat.meeting_minutes", "POST", lambda c: f"/meetings/{c.extra['meeting_id']}/minutes",
          SECRETARIAT, data=lambda c: {"minutes": "矩阵纪要", "present": [str(c.own_unit_id)]}),
    Route("secretariat.meeting_decision", "POST", lambda c: f"/meetings/{c.extra['meeting_id']}/decisions",
          SECRETARIAT, data=_decision),
    Route("api.matter_list", "GET", lambda c: "/api/v1/matters", ALL),
    Route("api.matter_create", "POST", lambda c: "/api/v1/matters", SECRETARIAT, data=_matter, ok=201),
    Route("api.matter_get", "GET", lambda c: f"/api/v1/matters/{c.extra['matter_id']}", READERS),
    Route("api.meeting_list", "GET", lambda c: "/api/v1/meetings", ALL),
    Route("api.meeting_create", "POST", lambda c: "/api/v1/meetings", SECRETARIAT, ok=201,
          data=lambda c: {"title": "矩阵会议", "held_on": "2024-07-17", "invited": [c.own_unit_id],
                          "decisions": [_decision(c)]}),
    Route("api.meeting_get", "GET", lambda c: f"/api/v1/meetings/{c.extra['meeting_id']}", READERS),
]
