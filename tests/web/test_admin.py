"""The secretariat manages accounts and units in the UI; others are refused."""

from __future__ import annotations

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import Assignment, AuditEvent, Category, Role, Unit, User
from tests.conftest import csrf_token, login


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/account/password")})


def test_liaison_gets_403_on_user_admin(client, seeded, login_as):
    login_as("liaison", unit="省民政厅")
    assert client.get("/admin/users").status_code == 403
    response = post(client, "/admin/users/new", {"email": "x@example.org", "name": "x", "role": "secretariat",
                                                 "unit_id": "0", "password": "long-enough-pw"})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None
    assert "没有权限" in client.get("/admin/units").get_data(as_text=True)


def test_create_a_liaison_then_it_signs_in(app, client, seeded, login_as):
    admin = login_as("secretariat")
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省财政厅"))
    response = post(client, "/admin/users/new", {"email": "czt@example.org", "name": "财政厅联络员", "role": "liaison",
                                                 "unit_id": str(unit.id), "phone": "0571-1234",
                                                 "password": "finance-liaison-1"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "czt@example.org"))
    assert (user.role, user.unit.name) == (Role.LIAISON, "省财政厅")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.create",
                                                          AuditEvent.object_id == user.id))
    assert event.actor_id == admin.id
    assert event.after["email"] == "czt@example.org"
    other = app.test_client()
    assert login(other, "czt@example.org", "finance-liaison-1").status_code == 302
    assert "省财政厅" in other.get("/my/tasks").get_data(as_text=True)


def test_bad_user_input_is_refused_in_chinese(client, seeded, login_as, make_user):
    login_as("secretariat")
    make_user("viewer", email="taken@example.org")
    cases = [
        ({"email": "taken@example.org", "role": "viewer", "unit_id": "0"}, "已被其他账号使用"),
        ({"email": "not-an-email", "role": "viewer", "unit_id": "0"}, "邮箱地址格式不正确"),
        ({"email": "n1@example.org", "role": "liaison", "unit_id": "0"}, "必须指定所属单位"),
        ({"email": "n2@example.org", "role": "viewer", "unit_id": "0", "password": "short"}, "至少需要 10 个"),
        ({"email": "n3@example.org", "role": "viewer", "unit_id": "0", "password": ""}, "请为新账号设置初始密码"),
    ]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    for data, message in cases:
        payload = {"name": "某人", "password": "long-enough-pw", **data}
        response = post(client, "/admin/users/new", payload)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_deactivate_and_reset_password(app, client, seeded, login_as, make_user):
    login_as("secretariat")
    target = make_user("liaison", unit="省民政厅")
    victim = app.test_client()
    login(victim, target.email)
    assert post(client, f"/admin/users/{target.id}/active", {"active": "0"}).status_code == 302
    assert victim.get("/my/tasks").status_code == 302
    assert db.session.get(User, target.id).is_active is False
    post(client, f"/admin/users/{target.id}/active", {"active": "1"})
    response = post(client, f"/admin/users/{target.id}/password", {"password": "reset-by-office-1"})
    assert response.status_code == 302
    assert login(app.test_client(), target.email, "reset-by-office-1").status_code == 302


def test_secretariat_cannot_deactivate_itself(client, seeded, login_as):
    admin = login_as("secretariat")
    post(client, f"/admin/users/{admin.id}/active", {"active": "0"})
    assert db.session.get(User, admin.id).is_active is True


def test_unit_edit_changes_categories_and_assignments(client, seeded, login_as):
    login_as("secretariat")
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "省公安厅"))
    categories = {c.name: c.id for c in db.session.scalars(sa.select(Category))}
    response = post(client, f"/admin/units/{unit.id}/edit", {
        "name": "省公安厅", "kind": "member", "parent_id": "0", "is_active": "y",
        "categories": [categories["综合监管部门"], categories["各专班成员单位"], categories["业务主管单位"]],
        "contact_emails": "gat@example.org\nGAT2@example.org", "leader_email": "boss@example.org",
    })
    assert response.status_code == 302
    db.session.rollback()
    unit = db.session.get(Unit, unit.id)
    assert unit.emails == ["gat@example.org", "gat2@example.org"]
    assert unit.leader_email == "boss@example.org"
    tasks = {a.task.number for a in db.session.scalars(sa.select(Assignment).where(
        Assignment.unit_id == unit.id, Assignment.closed_at.is_(None)))}
    assert {1, 2, 3, 15, 16} <= tasks


def test_new_unit_form_errors(client, seeded, login_as):
    login_as("secretariat")
    response = post(client, "/admin/units/new", {"name": "省民政厅", "kind": "member", "parent_id": "0"})
    assert response.status_code == 400
    assert "已存在" in response.get_data(as_text=True)
    response = post(client, "/admin/units/new", {"name": "新单位", "kind": "other", "parent_id": "0",
                                                 "contact_emails": "bad address"})
    assert "邮箱地址格式不正确" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Unit).where(Unit.name == "新单位")) is None
