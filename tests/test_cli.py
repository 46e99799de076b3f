"""Operator commands: seed, users create, users token."""

from __future__ import annotations

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import AuditEvent, Role, Task, User


def test_seed_command_twice(runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "tasks 17" in first.output
    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0
    assert "无变化" in second.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 17


def test_seed_demo_prints_the_logins(runner):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "office@example.org" in result.output
    assert "Demo-2024-zj" in result.output
    assert "hz-office@example.org" in result.output
    assert "德清县专班 · 县民政局" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 6 + 7  # demo.yaml, seed/levels.yaml


def test_users_create_with_password_option(runner, seeded):
    result = runner.invoke(args=["users", "create", "--email", "LLY@example.org", "--role", "liaison",
                                 "--unit", "省民政厅", "--password", "strong-enough-1"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "lly@example.org"))
    assert (user.role, user.unit.name) == (Role.LIAISON, "省民政厅")
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.create")) is not None


def test_users_create_in_a_lower_work_group(runner, seeded, now):
    from tasktrack.models import Unit, UnitKind, WorkGroup, WorkGroupLevel
    from tasktrack.services.work_groups import default_work_group

    city = WorkGroup(name="杭州市清廉社会组织建设工作专班", level=WorkGroupLevel.CITY,
                     parent_id=default_work_group().id, created_at=now)
    db.session.add(city)
    db.session.flush()
    db.session.add(Unit(name="市民政局", kind=UnitKind.MEMBER, work_group_id=city.id, created_at=now))
    db.session.commit()
    # Without --work-group the unit is looked up in the provincial group, which has no 市民政局.
    refused = runner.invoke(args=["users", "create", "--email", "hz1@example.org", "--role", "liaison",
                                  "--unit", "市民政局", "--password", "strong-enough-1"])
    assert refused.exit_code == 1
    assert "单位“市民政局”不存在" in refused.output
    ok = runner.invoke(args=["users", "create", "--email", "hz1@example.org", "--role", "liaison",
                             "--unit", "市民政局", "--work-group", city.name, "--password", "strong-enough-1"])
    assert ok.exit_code == 0, ok.output
    office = runner.invoke(args=["users", "create", "--email", "hz-office2@example.org", "--role", "secretariat",
                                 "--work-group", str(city.id), "--password", "strong-enough-1"])
    assert office.exit_code == 0, office.output
    made = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.like("hz%")))}
    assert made["hz1@example.org"].unit.work_group_id == city.id
    assert made["hz1@example.org"].work_group_id == city.id
    assert made["hz-office2@example.org"].work_group_id == city.id
    unknown = runner.invoke(args=["users", "create", "--email", "x@example.org", "--role", "viewer",
                                  "--work-group", "99999999999", "--password", "strong-enough-1"])
    assert unknown.exit_code == 1
    assert "工作专班“99999999999”不存在" in unknown.output


def test_users_create_reads_password_from_stdin(runner, seeded):
    result = runner.invoke(args=["users", "create", "--email", "office2@example.org", "--role", "secretariat"],
                           input="from-standard-input\n")
    assert result.exit_code == 0, result.output
    from tasktrack.passwords import verify_password

    user = db.session.scalar(sa.select(User).where(User.email == "office2@example.org"))
    assert verify_password(user.password_hash, "from-standard-input", fast=True)[0]


def test_users_create_errors_are_clear(runner, seeded):
    ok = runner.invoke(args=["users", "create", "--email", "dup@example.org", "--role", "viewer", "--password",
                             "strong-enough-1"])
    assert ok.exit_code == 0
    dup = runner.invoke(args=["users", "create", "--email", "dup@example.org", "--role", "viewer", "--password",
                              "strong-enough-1"])
    assert dup.exit_code == 1
    assert "已被其他账号使用" in dup.output
    no_unit = runner.invoke(args=["users", "create", "--email", "l@example.org", "--role", "liaison",
                                  "--password", "strong-enough-1"])
    assert no_unit.exit_code == 1
    assert "必须指定所属单位" in no_unit.output
    bad_unit = runner.invoke(args=["users", "create", "--email", "l@example.org", "--role", "liaison",
                                   "--unit", "不存在的单位", "--password", "strong-enough-1"])
    assert bad_unit.exit_code == 1
    assert "不存在" in bad_unit.output
    bad_role = runner.invoke(args=["users", "create", "--email", "l@example.org", "--role", "admin"])
    assert bad_role.exit_code == 2


def test_users_token_prints_a_working_token_last(runner, client, seeded, make_user):
    user = make_user("liaison", unit="省教育厅")
    result = runner.invoke(args=["users", "token", "--email", user.email])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["unit"]["name"] == "省教育厅"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
    missing = runner.invoke(args=["users", "token", "--email", "ghost@example.org"])
    assert missing.exit_code == 1
