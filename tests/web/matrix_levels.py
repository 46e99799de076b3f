"""Matrix rows of the work-group tree: the tree page and its forms (secretariat), a group's page, the API.

The matrix's users are all of the provincial work group: its secretariat administers it, every role reads the
tree's API. A city secretariat's refusals on its siblings and parents are in tests/web/test_work_group_pages.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tasktrack.models import WorkGroupLevel
from tasktrack.services import work_group_admin
from tasktrack.services.work_groups import default_work_group
from tests.web.matrix import ALL, SECRETARIAT, Ctx, Route


def setup(ctx: Ctx, people: dict[str, Any], now: dt.datetime) -> None:
    """Stash the provincial group's id and add a city group below it (no unit: the seed's plan stays as it is)."""
    province = default_work_group()
    city = work_group_admin.create_work_group(None, name="矩阵测试市专班", level=WorkGroupLevel.CITY,
                                              parent=province, now=now)
    ctx.extra["province_group_id"] = province.id
    ctx.extra["city_group_id"] = city.id


NEW_GROUP = {"name": "矩阵新建市专班", "unit_name": "", "email": "matrix-city@example.org", "account_name": "矩阵市",
             "password": "Lake-Tower-4821-qz"}

ROUTES = [
    Route("secretariat.work_group_tree", "GET", lambda c: "/work-groups", SECRETARIAT),
    Route("secretariat.work_group", "GET", lambda c: f"/work-groups/{c.extra['city_group_id']}", SECRETARIAT, ok=302,
          note="a group of the caller's subtree: its 督办总览"),
    Route("secretariat.work_group_new", "POST", lambda c: "/work-groups/new", SECRETARIAT, data=lambda c: NEW_GROUP),
    Route("secretariat.work_group_reminders", "POST", lambda c: "/work-groups/reminders", SECRETARIAT,
          data=lambda c: {"due_soon_days": "10,3", "overdue_repeat_days": "5"}),
    Route("everyone.dashboard", "GET", lambda c: f"/dashboard?group={c.extra['city_group_id']}", ALL,
          note="a lower group's 督办总览 (this one has no plan yet)"),
    Route("api.work_groups", "GET", lambda c: "/api/v1/work-groups", ALL),
    Route("api.work_group_dashboard", "GET", lambda c: f"/api/v1/work-groups/{c.extra['city_group_id']}/dashboard",
          ALL),
    Route("api.work_group_dashboard", "GET",
          lambda c: f"/api/v1/work-groups/{c.extra['province_group_id']}/dashboard", ALL),
]
