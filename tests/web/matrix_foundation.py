"""Matrix rows of the foundation: sign-in, plan pages, my tasks, administration, downloads, API basics."""

from tests.web.matrix import ALL, SECRETARIAT, UNIT_ROLES, Route

ROUTES = [
    Route("everyone.home", "GET", lambda c: "/", ALL, ok=302),
    Route("everyone.plan_list", "GET", lambda c: "/plans", ALL),
    Route("everyone.plan", "GET", lambda c: f"/plans/{c.plan_id}", ALL),
    Route("everyone.task", "GET", lambda c: f"/tasks/{c.task_id}", ALL),
    Route("liaison.my_tasks", "GET", lambda c: "/my/tasks", UNIT_ROLES),
    Route("auth.change_password", "GET", lambda c: "/account/password", ALL),
    Route("auth.change_password", "POST", lambda c: "/account/password", ALL,
          data=lambda c: {"current": "wrong", "new": "x", "confirm": "y"}, ok=400,
          note="a wrong current password: the form again, the error on its field"),
    Route("secretariat.user_list", "GET", lambda c: "/admin/users", SECRETARIAT),
    Route("secretariat.user_new", "GET", lambda c: "/admin/users/new", SECRETARIAT),
    Route("secretariat.user_new", "POST", lambda c: "/admin/users/new", SECRETARIAT,
          data=lambda c: {"email": "new-matrix@example.org", "name": "矩阵", "role": "viewer", "unit_id": "0",
                          "password": "matrix-password-1"}),
    Route("secretariat.user_edit", "GET", lambda c: f"/admin/users/{c.user_ids['target']}/edit", SECRETARIAT),
    Route("secretariat.user_edit", "POST", lambda c: f"/admin/users/{c.user_ids['target']}/edit", SECRETARIAT,
          data=lambda c: {"name": "改名", "role": "viewer", "unit_id": "0"}),
    Route("secretariat.user_set_active", "POST", lambda c: f"/admin/users/{c.user_ids['target']}/active",
          SECRETARIAT, data=lambda c: {"active": "1"}),
    Route("secretariat.user_reset_password", "POST",
          lambda c: f"/admin/users/{c.user_ids['target']}/password", SECRETARIAT,
          data=lambda c: {"password": "another-password-2"}),
    Route("secretariat.unit_list", "GET", lambda c: "/admin/units", SECRETARIAT),
    Route("secretariat.unit_edit", "GET", lambda c: "/admin/units/new", SECRETARIAT),
    Route("secretariat.unit_edit", "POST", lambda c: "/admin/units/new", SECRETARIAT,
          data=lambda c: {"name": "矩阵测试单位", "kind": "other", "parent_id": "0", "is_active": "y"}),
    Route("secretariat.unit_edit", "GET", lambda c: f"/admin/units/{c.own_unit_id}/edit", SECRETARIAT),
    Route("everyone.attachment", "GET", lambda c: f"/attachments/{c.extra['evidence_id']}", ALL),
    Route("api.me", "GET", lambda c: "/api/v1/me", ALL),
    Route("api.plans", "GET", lambda c: "/api/v1/plans", ALL),
    Route("api.plan_tasks", "GET", lambda c: f"/api/v1/plans/{c.plan_id}/tasks", ALL),
]

# Not in the matrix on purpose: auth.login and auth.logout are reached signed out as well (tested in
# tests/web/test_auth.py), and static files.
EXEMPT = {("auth.login", "GET"), ("auth.login", "POST"), ("auth.logout", "POST"), ("static", "GET")}
