"""Matrix rows of observation points (focus choices, pilot logs, matrix) and case reports (issue 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import CaseKind, FocusItem, Plan, Role, Unit
from tasktrack.services import attachments, cases, observations, units, users
from tasktrack.services.attachments import Upload
from tests.web.matrix import ALL, SECRETARIAT, UNIT_ROLES, Ctx, Route

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OBS = frozenset({"observation_point"})
LIAISON = frozenset({"liaison"})
OWN_CASE_READERS = frozenset({"secretariat", "liaison"})


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """A focus choice and pilot log of the observation point; a returned case of 省民政厅 (with a file),
    a submitted case of 省教育厅 and an accepted one."""
    plan = db.session.scalar(sa.select(Plan))
    obs_unit = db.session.get(Unit, ctx.obs_unit_id)
    item = db.session.scalar(sa.select(FocusItem).order_by(FocusItem.sort_order))
    before = dt.datetime(2024, 4, 20, 2, 0, tzinfo=dt.UTC)
    observations.save_choice(plan, obs_unit, actor=people["observation_point"], items=[item.id],
                             plans={item.id: "矩阵试点"}, now=before)
    log = observations.add_pilot_log(plan, obs_unit, item, actor=people["observation_point"], log_date=now.date(),
                                     note="矩阵进展", files=[Upload("纪要.pdf", PDF)], now=now)
    own_unit, other_unit = units.find_unit("省民政厅"), units.find_unit("省教育厅")
    text = cases.CaseText(kind=CaseKind.POSITIVE, title="矩阵案例", summary="摘要", body="正文")
    own = cases.submit_case(plan, own_unit, text, actor=people["liaison"], files=[Upload("案例.pdf", PDF)], now=now)
    cases.review_case(own, actor=people["secretariat"], action="return", comment="补充", now=now)
    other_author = users.create_user(actor=None, email="jyt-matrix@example.org", name="教育厅", role=Role.LIAISON,
                                     unit=other_unit, password="matrix-password-1", now=now, fast_hash=True)
    other = cases.submit_case(plan, other_unit, text, actor=other_author, files=[], now=now)
    accepted = cases.submit_case(plan, other_unit, text, actor=other_author, files=[], now=now)
    cases.review_case(accepted, actor=people["secretariat"], action="accept", comment="", now=now)
    db.session.flush()
    files = attachments.attachments_of("case_report", [own.id])[own.id]
    pilot_files = attachments.attachments_of("pilot_log", [log.id])[log.id]
    ctx.extra.update(focus_item_id=item.id, own_case_id=own.id, other_case_id=other.id,
                     accepted_case_id=accepted.id, case_file_id=files[0].id, pilot_file_id=pilot_files[0].id)


def _case_form(c: Ctx) -> dict[str, Any]:
    return {"kind": "positive", "title": "矩阵", "summary": "摘要", "body": "正文", "task_id": "0",
            "focus_item_id": "0"}


ROUTES = [
    Route("everyone.observation_home", "GET", lambda c: "/observation/", ALL, ok=302),
    Route("everyone.observation_points", "GET", lambda c: "/observation/points", ALL),
    Route("everyone.observation_point", "GET", lambda c: f"/observation/points/{c.obs_unit_id}", ALL),
    Route("point.choose", "POST", lambda c: f"/observation/points/{c.obs_unit_id}/choice", OBS,
          data=lambda c: {"items": str(c.extra["focus_item_id"]), f"plan_{c.extra['focus_item_id']}": "改"},
          ok=422, note="the choice is locked after the deadline: refused on its field"),
    Route("point.add_log", "POST", lambda c: f"/observation/points/{c.obs_unit_id}/logs", OBS,
          data=lambda c: {"focus_item_id": str(c.extra["focus_item_id"]), "log_date": "2024-07-01",
                          "note": "矩阵"}),
    Route("secretariat.reopen_choice", "POST", lambda c: f"/observation/points/{c.obs_unit_id}/reopen", SECRETARIAT,
          data=lambda c: {"reason": "矩阵"}),
    Route("secretariat.focus_matrix", "GET", lambda c: "/observation/matrix", SECRETARIAT),
    Route("secretariat.focus_settings", "GET", lambda c: "/observation/settings", SECRETARIAT),
    Route("secretariat.focus_settings", "POST", lambda c: "/observation/settings", SECRETARIAT,
          data=lambda c: {"deadline": "2024-04-30"}),
    Route("everyone.case_library", "GET", lambda c: "/cases/", ALL),
    Route("liaison.new_case", "GET", lambda c: "/cases/new", UNIT_ROLES),
    Route("liaison.new_case", "POST", lambda c: "/cases/new", UNIT_ROLES, data=_case_form),
    Route("everyone.case_detail", "GET", lambda c: f"/cases/{c.extra['own_case_id']}", OWN_CASE_READERS,
          note="a returned case: its unit and the secretariat only"),
    Route("everyone.case_detail", "GET", lambda c: f"/cases/{c.extra['accepted_case_id']}", ALL),
    Route("everyone.case_detail", "GET", lambda c: f"/cases/{c.extra['other_case_id']}", SECRETARIAT,
          note="another unit's submitted case"),
    Route("liaison.revise_case", "GET", lambda c: f"/cases/{c.extra['own_case_id']}/revise", LIAISON),
    Route("liaison.revise_case", "POST", lambda c: f"/cases/{c.extra['own_case_id']}/revise", LIAISON, data=_case_form),
    Route("liaison.revise_case", "POST", lambda c: f"/cases/{c.extra['other_case_id']}/revise", frozenset(),
          data=_case_form, note="cross-unit write: 403 for everyone"),
    Route("secretariat.review_case", "POST", lambda c: f"/cases/{c.extra['other_case_id']}/review", SECRETARIAT,
          data=lambda c: {"action": "accept", "comment": ""}),
    Route("secretariat.compilation_page", "GET", lambda c: "/cases/compilation", SECRETARIAT),
    Route("secretariat.compilation_page", "POST", lambda c: "/cases/compilation", SECRETARIAT, data=lambda c: {}),
    Route("everyone.compilation_download", "GET", lambda c: "/cases/compilation.docx", SECRETARIAT | {"viewer"},
          note="the read-only leader reads the compilation"),
    Route("everyone.attachment", "GET", lambda c: f"/attachments/{c.extra['case_file_id']}", OWN_CASE_READERS,
          note="a returned case's file"),
    Route("everyone.attachment", "GET", lambda c: f"/attachments/{c.extra['pilot_file_id']}", ALL),
    Route("api.focus_items", "GET", lambda c: "/api/v1/focus-items", ALL),
    Route("api.observation_points", "GET", lambda c: "/api/v1/observation-points", ALL),
    Route("api.get_focus_choices", "GET", lambda c: f"/api/v1/observation-points/{c.obs_unit_id}/focus-choices",
          ALL),
    Route("api.put_focus_choices", "PUT", lambda c: f"/api/v1/observation-points/{c.obs_unit_id}/focus-choices",
          OBS, data=lambda c: {"items": [c.extra["focus_item_id"]], "plans": {str(c.extra["focus_item_id"]): "改"}},
          ok=409, note="the choice is locked after the deadline"),
    Route("api.pilot_logs", "GET", lambda c: f"/api/v1/observation-points/{c.obs_unit_id}/pilot-logs", ALL),
    Route("api.list_cases", "GET", lambda c: "/api/v1/cases", ALL),
    Route("api.create_case", "POST", lambda c: "/api/v1/cases", UNIT_ROLES, data=_case_form, ok=422,
          note="sent as JSON: the call takes multipart form data, refused with a field error"),
    Route("api.review_case", "POST", lambda c: f"/api/v1/cases/{c.extra['other_case_id']}/review", SECRETARIAT,
          data=lambda c: {"action": "accept"}),
]
