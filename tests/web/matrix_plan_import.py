"""Matrix rows of plan import (issue 11): the pages, the source download and the API, for the secretariat only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.services import plan_imports
from tests.web.matrix import SECRETARIAT, Ctx, Route

TEXT = "一、加强监管\n（一）开展专项检查。（省民政厅负责，2024年12月底前完成）\n（二）定期会商。（有关部门负责）\n"


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """A draft with two rows: the first ready, the second with a vague owner and no deadline."""
    imp = plan_imports.start(pasted=TEXT, year=2024, title="矩阵导入草稿", actor=people["secretariat"], now=now)
    ready = plan_imports.start(pasted=TEXT.split("（二）")[0], year=2024, title="矩阵可发布草稿",
                               actor=people["secretariat"], now=now)
    ctx.extra.update(import_id=imp.id, row_id=imp.rows[0].id, ready_id=ready.id)


def _version(c: Ctx) -> dict[str, Any]:
    return {"version": "1"}


def _rows(c: Ctx) -> dict[str, Any]:
    p = f"rows-{c.extra['row_id']}-"
    return {"version": "1", p + "section_number": "1", p + "section_title": "加强监管", p + "number": "1",
            p + "text": "开展专项检查（修改）。", p + "deadline_phrase": "2024年12月底前",
            p + "responsible_phrase": "省民政厅"}


def _import(c: Ctx) -> str:
    return f"/plans/import/{c.extra['import_id']}"


ROUTES = [
    Route("secretariat.plan_import", "GET", lambda c: "/plans/import", SECRETARIAT),
    Route("secretariat.plan_import", "POST", lambda c: "/plans/import", SECRETARIAT,
          data=lambda c: {"text": TEXT.replace("专项检查", "安全检查"), "year": "2024", "title": "矩阵新导入"}),
    Route("secretariat.plan_import", "POST", lambda c: "/plans/import", SECRETARIAT, data=lambda c: {"text": " "},
          note="nothing to read: the form again with its message", ok=400),
    Route("secretariat.plan_import_review", "GET", _import, SECRETARIAT),
    Route("secretariat.plan_import_review", "GET", lambda c: "/plans/import/2147483647", SECRETARIAT,
          note="no such draft", ok=404),
    Route("secretariat.plan_import_header", "POST", lambda c: _import(c) + "/header", SECRETARIAT,
          data=lambda c: {"version": "1", "title": "矩阵导入草稿（改）", "year": "2024", "report_period_months": "3"}),
    Route("secretariat.plan_import_rows", "POST", lambda c: _import(c) + "/rows", SECRETARIAT, data=_rows),
    Route("secretariat.plan_import_add_row", "POST", lambda c: _import(c) + "/rows/add", SECRETARIAT, data=_version),
    Route("secretariat.plan_import_delete_row", "POST", lambda c: _import(c) + f"/rows/{c.extra['row_id']}/delete",
          SECRETARIAT, data=_version),
    Route("secretariat.plan_import_fill", "POST", lambda c: _import(c) + "/fill", SECRETARIAT,
          data=lambda c: {"version": "1", "field": "deadline_phrase", "phrase": "2024年全年"}),
    Route("secretariat.plan_import_new_unit", "POST", lambda c: _import(c) + "/names/new", SECRETARIAT,
          data=lambda c: {"version": "1", "name": "矩阵新单位", "kind": "member"}),
    Route("secretariat.plan_import_map_name", "POST", lambda c: _import(c) + "/names/map", SECRETARIAT,
          data=lambda c: {"version": "1", "name": "有关部门", "target": f"u{c.own_unit_id}"}),
    Route("secretariat.plan_import_publish", "POST", lambda c: f"/plans/import/{c.extra['ready_id']}/publish",
          SECRETARIAT, data=_version),
    Route("secretariat.plan_import_discard", "POST", lambda c: _import(c) + "/discard", SECRETARIAT, data=_version),
    Route("secretariat.plan_import_source", "GET", lambda c: _import(c) + "/source", SECRETARIAT),
    Route("api.create_plan_import", "POST", lambda c: "/api/v1/plan-imports", SECRETARIAT,
          note="a JSON body carries no file: 422", ok=422),
    Route("api.get_plan_import", "GET", lambda c: f"/api/v1/plan-imports/{c.extra['import_id']}", SECRETARIAT),
    Route("api.publish_plan_import", "POST", lambda c: f"/api/v1/plan-imports/{c.extra['ready_id']}/publish",
          SECRETARIAT),
    Route("api.publish_plan_import", "POST", lambda c: f"/api/v1/plan-imports/{c.extra['import_id']}/publish",
          SECRETARIAT, note="problems left: 422", ok=422),
]
