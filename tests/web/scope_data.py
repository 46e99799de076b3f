"""Two city work groups under the province, each with what every page and API call may name (tests of issue 12).

Each city has a member unit and an observation point, a secretariat, a liaison, an observation point's contact and a
viewer, a plan with one task assigned to its unit, a progress report with a file, a case report (accepted, with a
file), a claimed completion and a pending extension request. The provincial unit 杭州市 stands for city A
(its assignments are city A's 上级下达任务).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tasktrack.domain.deadlines.model import DeadlineKind
from tasktrack.extensions import db
from tasktrack.models import (
    Assignment,
    AssignmentStatus,
    CaseKind,
    FocusItem,
    Plan,
    Role,
    Section,
    Task,
    TaskTerm,
    Unit,
    UnitKind,
    User,
    WorkGroup,
    WorkGroupLevel,
)
from tasktrack.services import attachments, cases, extension_requests, observations, progress, units, users
from tasktrack.services.attachments import Upload
from tasktrack.services.work_groups import default_work_group

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = ("secretariat", "liaison", "observation_point", "viewer")


@dataclass
class City:
    """One city work group's objects (ids) and people."""

    key: str
    group_id: int
    unit_id: int
    unit_name: str
    obs_unit_id: int
    plan_id: int
    plan_title: str
    task_id: int
    assignment_id: int
    claimed_id: int
    extension_id: int
    report_id: int
    file_id: int
    case_id: int
    case_title: str
    case_file_id: int
    pilot_file_id: int
    #: role → user id (the users' e-mails are ``{key}-{role}@example.org``).
    people: dict[str, int] = field(default_factory=dict)


def _plan(group: WorkGroup, title: str, unit: Unit, now: dt.datetime) -> tuple[Plan, list[Assignment]]:
    plan = Plan(work_group_id=group.id, year=2024, title=title, issuer=group.name, created_at=now)
    db.session.add(plan)
    db.session.flush()
    section = Section(plan_id=plan.id, number=1, title="加强监管")
    db.session.add(section)
    db.session.flush()
    found = []
    for number, text in ((1, "开展专项检查"), (2, "健全制度"), (3, "定期会商")):
        task = Task(plan_id=plan.id, section_id=section.id, number=number, text=f"{group.name[:2]}{text}",
                    deadline_phrase="2024年12月底前", deadline_kind=DeadlineKind.DATED,
                    due_date=dt.date(2024, 12, 31), responsible_phrase=unit.name, created_at=now)
        db.session.add(task)
        db.session.flush()
        # The term keeps the assignment open when a later unit change re-syncs the assignments.
        db.session.add(TaskTerm(task_id=task.id, position=1, text=unit.name, unit_id=unit.id))
        assignment = Assignment(task_id=task.id, unit_id=unit.id, is_lead=True, created_at=now)
        db.session.add(assignment)
        found.append(assignment)
    db.session.flush()
    return plan, found


def build_city(key: str, name: str, now: dt.datetime) -> City:
    """Make one city work group under the province with its people, plan, reports, files and cases."""
    group = WorkGroup(name=f"{name}清廉社会组织建设工作专班", level=WorkGroupLevel.CITY,
                      parent_id=default_work_group().id, created_at=now)
    db.session.add(group)
    db.session.flush()
    unit, _ = units.save_unit(None, actor=None, name=f"{name}民政局", kind=UnitKind.MEMBER, categories=[],
                              contact_emails="", leader_email=None, now=now, work_group=group)
    obs, _ = units.save_unit(None, actor=None, name=f"{name}观察点", kind=UnitKind.OBSERVATION_POINT, categories=[],
                             contact_emails="", leader_email=None, now=now, work_group=group)

    def person(role: Role, on: Unit | None) -> User:
        return users.create_user(actor=None, email=f"{key}-{role.value}@example.org", name=f"{name}{role.value}",
                                 role=role, unit=on, password="scope-password-1", now=now, fast_hash=True,
                                 work_group=None if on is not None else group)

    people = {"secretariat": person(Role.SECRETARIAT, None), "liaison": person(Role.LIAISON, unit),
              "observation_point": person(Role.OBSERVATION_POINT, obs), "viewer": person(Role.VIEWER, None)}
    title = f"2024年{name}清廉社会组织建设工作任务"
    plan, (own, claimed, dated) = _plan(group, title, unit, now)
    report = progress.submit_report(own, author=people["liaison"], status=AssignmentStatus.IN_PROGRESS, percent=10,
                                    completed_on=None, narrative=f"{name}报送", now=now)
    evidence = attachments.attach("progress_report", report.id, [Upload(f"{name}证明.pdf", PDF)],
                                  actor=people["liaison"], now=now)[0]
    progress.submit_report(claimed, author=people["liaison"], status=AssignmentStatus.COMPLETED, percent=None,
                           completed_on=now.date(), narrative=f"{name}已完成", now=now)
    request = extension_requests.request_extension(dated, author=people["liaison"],
                                                   requested_due=dt.date(2025, 1, 31), reason=f"{name}延期",
                                                   now=now)
    text = cases.CaseText(kind=CaseKind.POSITIVE, title=f"{name}案例", summary="摘要", body="正文")
    case = cases.submit_case(plan, unit, text, actor=people["liaison"], files=[Upload(f"{name}案例.pdf", PDF)],
                             now=now)
    cases.review_case(case, actor=people["secretariat"], action="accept", comment="", now=now)
    item = db.session.scalar(sa.select(FocusItem).order_by(FocusItem.sort_order))
    assert item is not None
    observations.save_choice(plan, obs, actor=people["observation_point"], items=[item.id], plans={item.id: "试点"},
                             now=dt.datetime(2024, 4, 20, 2, 0, tzinfo=dt.UTC))
    log = observations.add_pilot_log(plan, obs, item, actor=people["observation_point"], log_date=now.date(),
                                     note=f"{name}进展", files=[Upload(f"{name}纪要.pdf", PDF)], now=now)
    db.session.flush()
    case_file = attachments.attachments_of("case_report", [case.id])[case.id][0]
    pilot_file = attachments.attachments_of("pilot_log", [log.id])[log.id][0]
    return City(key=key, group_id=group.id, unit_id=unit.id, unit_name=unit.name, obs_unit_id=obs.id,
                plan_id=plan.id, plan_title=title, task_id=own.task_id, assignment_id=own.id,
                claimed_id=claimed.id, extension_id=request.id, report_id=report.id, file_id=evidence.id,
                case_id=case.id, case_title=text.title, case_file_id=case_file.id, pilot_file_id=pilot_file.id,
                people={role: user.id for role, user in people.items()})


def build_tree(now: dt.datetime) -> dict[str, Any]:
    """Cities A (甲市, which the provincial unit 杭州市 stands for) and B (乙市); the provincial secretariat."""
    city_a, city_b = build_city("a", "甲市", now), build_city("b", "乙市", now)
    hangzhou = units.find_unit("杭州市")
    assert hangzhou is not None
    hangzhou.represents_work_group_id = city_a.group_id
    inbound = db.session.scalar(sa.select(Assignment).where(Assignment.unit_id == hangzhou.id).order_by(Assignment.id))
    assert inbound is not None
    province = users.create_user(actor=None, email="province-secretariat@example.org", name="省专班",
                                 role=Role.SECRETARIAT, unit=None, password="scope-password-1", now=now,
                                 fast_hash=True)
    db.session.flush()
    return {"a": city_a, "b": city_b, "province": province, "inbound_id": inbound.id}


def email(city: City, role: str) -> str:
    """Return the e-mail of a city's user of a role."""
    return f"{city.key}-{role}@example.org"
