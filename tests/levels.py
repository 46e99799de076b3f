"""A two-level setup on top of the real seed: the province, and 杭州's (and 湖州's) city work group beneath it.

``build_levels(now)`` adds, through the services a user would use:

* the city work groups 杭州市清廉社会组织建设工作专班 and 湖州市清廉社会组织建设工作专班 under the provincial one,
  the seeded provincial units 杭州市 and 湖州市 standing for them;
* the provincial secretariat; 杭州's member units 市民政局 and 市财政局, its secretariat, a liaison of each unit,
  and its own plan (2024 杭州市清廉社会组织建设工作要点, one task for 市民政局); 湖州's secretariat;
* a provincial plan (2024 省级下达任务) with one task for 杭州市、湖州市 — 杭州's and 湖州's inbound assignments.

Used by the cascade tests (services, web, route matrix). Other helpers keep their own builders elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tasktrack.domain.plan_review import DraftRow
from tasktrack.extensions import db
from tasktrack.models import Assignment, Plan, Role, Task, Unit, UnitKind, User, WorkGroup, WorkGroupLevel
from tasktrack.services import plans, units, users
from tasktrack.services.work_groups import default_work_group
from tests import isolation

PASSWORD = "levels-password-1"
CITY_NAME = "杭州市清廉社会组织建设工作专班"
SIBLING_NAME = "湖州市清廉社会组织建设工作专班"


@dataclass
class Levels:
    """The objects of the two-level setup."""

    province: WorkGroup
    city: WorkGroup
    sibling: WorkGroup
    province_plan: Plan
    city_plan: Plan
    #: 杭州市's assignment on the provincial task: 杭州's inbound assignment.
    inbound: Assignment
    #: 湖州市's assignment on the same task: 湖州's inbound assignment.
    sibling_inbound: Assignment
    mz: Unit  # 市民政局
    cz: Unit  # 市财政局
    province_secretariat: User
    city_secretariat: User
    sibling_secretariat: User
    mz_liaison: User
    cz_liaison: User


def _group(name: str, parent: WorkGroup, standing_unit: str, now: dt.datetime) -> WorkGroup:
    group = WorkGroup(name=name, level=WorkGroupLevel.CITY, parent_id=parent.id, created_at=now)
    db.session.add(group)
    db.session.flush()
    unit = units.find_unit(standing_unit)
    assert unit is not None, standing_unit
    unit.represents_work_group_id = group.id
    return group


def _user(email: str, role: Role, now: dt.datetime, *, unit: Unit | None = None,
          group: WorkGroup | None = None) -> User:
    return users.create_user(actor=None, email=email, name=email.split("@")[0], role=role, unit=unit,
                             password=PASSWORD, now=now, fast_hash=True, work_group=group)


def build_levels(now: dt.datetime, *, province_deadline: str = "2024年12月底前") -> Levels:
    """Add the city work groups, their people and plans, and the provincial task addressed to them (flushes)."""
    province = default_work_group(now=now)
    city = _group(CITY_NAME, province, "杭州市", now)
    sibling = _group(SIBLING_NAME, province, "湖州市", now)
    mz, _ = units.save_unit(None, actor=None, name="市民政局", kind=UnitKind.MEMBER, categories=[],
                            contact_emails="mz@hz.example.org", leader_email=None, work_group=city, now=now)
    cz, _ = units.save_unit(None, actor=None, name="市财政局", kind=UnitKind.MEMBER, categories=[],
                            contact_emails="cz@hz.example.org", leader_email=None, work_group=city, now=now)
    city_plan = plans.import_plan(
        plans.PlanMeta(year=2024, title="2024年杭州市清廉社会组织建设工作要点", issuer=CITY_NAME),
        [DraftRow(key=1, section_number=1, section_title="强化党建引领", number=1,
                  text="开展社会组织党建工作专项检查", deadline_phrase="2024年10月底前",
                  responsible_phrase="市民政局")],
        actor=None, now=now, work_group=city,
    ).plan
    province_plan = plans.import_plan(
        plans.PlanMeta(year=2024, title="2024年省级下达任务", issuer="浙江省清廉社会组织建设工作专班"),
        [DraftRow(key=1, section_number=1, section_title="一、推进清廉社会组织建设", number=1,
                  text="各设区市组织开展清廉社会组织建设专项行动", deadline_phrase=province_deadline,
                  responsible_phrase="杭州市、湖州市")],
        actor=None, now=now, work_group=province,
    ).plan
    db.session.flush()
    found = {a.unit.name: a for a in db.session.scalars(
        sa.select(Assignment).join(Task, Assignment.task_id == Task.id).where(Task.plan_id == province_plan.id))}
    levels = Levels(
        province=province, city=city, sibling=sibling, province_plan=province_plan, city_plan=city_plan,
        inbound=found["杭州市"], sibling_inbound=found["湖州市"], mz=mz, cz=cz,
        province_secretariat=_user("zj-office@example.org", Role.SECRETARIAT, now, group=province),
        city_secretariat=_user("hz-office@example.org", Role.SECRETARIAT, now, group=city),
        sibling_secretariat=_user("huz-office@example.org", Role.SECRETARIAT, now, group=sibling),
        mz_liaison=_user("hz-mz@example.org", Role.LIAISON, now, unit=mz),
        cz_liaison=_user("hz-cz@example.org", Role.LIAISON, now, unit=cz),
    )
    db.session.flush()
    return levels


def shared_levels(app: Any, now: dt.datetime) -> Levels:
    """:func:`build_levels` once for a shared-state group of tests (tests/isolation.py); each test gets the objects
    again in its own session, and its writes are rolled back after it."""
    levels: Levels = isolation.shared_rows(app, lambda: build_levels(now))
    return levels
