"""Matrix rows of the dashboard, exports, unit pages, calendar subscription and the assignment/dashboard API.

Every signed-in role may read the overview (DESIGN §1: everyone sees the whole plan); only a unit's own
liaison may POST a report through the API, and a liaison POSTing to another unit's assignment gets 403.
"""

from tests.web.matrix import ALL, Route

REPORT = {"status": "in_progress", "percent": 30, "narrative": "矩阵测试：API 报送"}

#: Rows here read ids that the progress area's setup makes (a confirmed completion).
USES = ("tests.web.matrix_progress",)

ROUTES = [
    Route("everyone.dashboard", "GET", lambda c: f"/dashboard?plan={c.plan_id}", ALL),
    Route("everyone.assignment_list", "GET", lambda c: f"/dashboard/assignments?plan={c.plan_id}&light=red", ALL),
    Route("everyone.assignment_list", "GET", lambda c: "/dashboard/assignments?plan=all&light=red", ALL,
          note="every plan (全部计划)"),
    Route("everyone.unit", "GET", lambda c: f"/units/{c.other_unit_id}", ALL),
    Route("everyone.export_xlsx", "GET", lambda c: f"/plans/{c.plan_id}/export.xlsx", ALL),
    Route("everyone.export_csv", "GET", lambda c: f"/plans/{c.plan_id}/export.csv", ALL),
    Route("everyone.print_view", "GET", lambda c: f"/plans/{c.plan_id}/print", ALL),
    Route("everyone.calendar_settings", "GET", lambda c: "/account/calendar", ALL),
    Route("everyone.calendar_settings", "POST", lambda c: "/account/calendar", ALL, data=lambda c: {}, ok=200,
          note="the new secret address is shown once, on the page itself"),
    Route("api.assignment_list", "GET", lambda c: f"/api/v1/assignments?plan={c.plan_id}&unit={c.other_unit_id}",
          ALL),
    Route("api.assignment_list", "GET", lambda c: "/api/v1/assignments?plan=all&light=red&per_page=100", ALL,
          note="every plan (全部计划)"),
    Route("api.assignment_detail", "GET", lambda c: f"/api/v1/assignments/{c.other_assignment_id}", ALL),
    Route("api.report_create", "POST", lambda c: f"/api/v1/assignments/{c.own_assignment_id}/reports",
          frozenset({"liaison"}), data=lambda c: REPORT, note="only the unit's own liaison", ok=201),
    Route("api.report_create", "POST", lambda c: f"/api/v1/assignments/{c.other_assignment_id}/reports",
          frozenset(), data=lambda c: REPORT, note="another unit's assignment: 403 for everyone"),
    Route("api.report_create", "POST", lambda c: f"/api/v1/assignments/{c.extra['confirmed_id']}/reports",
          frozenset(), data=lambda c: {**REPORT, "reason": "重新打开"},
          note="a confirmed completion (办结, tests/web/matrix_progress.py): only the secretariat reopens it"),
    Route("api.dashboard", "GET", lambda c: f"/api/v1/dashboard?plan={c.plan_id}", ALL),
    Route("api.openapi", "GET", lambda c: "/api/v1/openapi.json", ALL),
]

# The feed is reached without signing in (the token in the URL is the secret): tests/web/test_calendar.py.
EXEMPT = {("calendar_feed.feed", "GET")}
