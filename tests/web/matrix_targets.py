"""Matrix rows of targets (指标) on a plan import's review page: the secretariat's alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.services import plan_imports
from tests.target_data import DOC
from tests.web.matrix import SECRETARIAT, Ctx, Route


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """A draft read from a document with targets (no assignment: a draft is seen by no unit)."""
    imp = plan_imports.start(pasted=DOC, actor=people["secretariat"], now=now)
    ctx.extra["target_import_id"], ctx.extra["target_import_version"] = imp.id, imp.version


ROUTES = [
    Route("secretariat.plan_import_targets", "POST", lambda c: f"/plans/import/{c.extra['target_import_id']}/targets",
          SECRETARIAT, data=lambda c: {"version": str(c.extra["target_import_version"])},
          note="nothing changed: back to the review page"),
    Route("secretariat.plan_import_add_target", "POST",
          lambda c: f"/plans/import/{c.extra['target_import_id']}/targets/add", SECRETARIAT,
          data=lambda c: {"version": str(c.extra["target_import_version"]), "text": "参评社会组织 ≥ 30 家", "row": ""}),
]
