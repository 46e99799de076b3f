"""Each level's secretariat gets its own weekly digest: its own plans' work and its 上级下达任务 not yet decomposed,
once per recipient per week. Delivered to the real SMTP server (tests/smtp_server.py), on the small tree of
tests/levels_data.py (a province; 甲市 with an undecomposed inbound task and its own red item;
乙市; 丙县 under 乙市)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Flask

from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind, NotificationStatus, Role, Unit, UnitKind, WorkGroup
from tasktrack.services import digests, outbox, recipients, users
from tasktrack.services.office_digests import group_digests
from tests.levels_data import NOW, PASSWORD, _assign, _plan, _task, build_tree
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.date(2024, 7, 1)  # 甲市's own A1 (due 06-30) is one day late: newly overdue this week
BASE = "http://tt.example/app"


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI).astimezone(dt.UTC)


def send(app: Flask, day: dt.date = MONDAY) -> digests.DigestReport:
    report = digests.send_all(day, now=at(day), base_url=BASE, weekday=app_settings.of(app).digest_weekday)
    db.session.commit()
    return report


def deliver(app: Flask, smtp_server: Any, day: dt.date = MONDAY) -> None:
    smtp = dataclasses.replace(app_settings.of(app).smtp, host=smtp_server.host, port=smtp_server.port)
    outbox.deliver_due(smtp, now=lambda: at(day, 10))
    db.session.commit()


def received(smtp_server: Any, address: str) -> list[str]:
    """Return the plain-text bodies of the digests ``address`` received."""
    return [m.message.get_body(("plain",)).get_content().replace("\r\n", "\n") for m in smtp_server.messages
            if address in m.rcpt_tos and "每周督办摘要" in str(m.message["Subject"])]


def test_each_level_reads_its_own_digest(app: Flask, smtp_server: Any) -> None:
    t = build_tree()
    send(app)
    deliver(app, smtp_server)
    [city] = received(smtp_server, "sec_a@levels.example.org")
    assert "上级下达任务尚未分解（1）" in city
    assert "省任务二：全年推进" in city  # P2 → 甲市, not decomposed
    assert f"{BASE}/inbound/{t.inbound_open.id}\n" in city  # links under BASE_URL
    assert "本周新增逾期（1）" in city
    assert "甲市民政局：1. 市任务一：落实省任务一" in city  # its own red item
    assert f"{BASE}/assignments/{t.city_red.id}\n" in city
    for other in ("省任务一：建立工作机制", "省任务三", "乙市", "丙县"):  # neither the province's work nor a sibling's
        assert other not in city, other
    [province] = received(smtp_server, "sec_province@levels.example.org")
    assert "省任务一：建立工作机制" in province  # 甲市's inbound P1 is the province's own red item
    assert "上级下达任务尚未分解" not in province
    for other in ("甲市民政局", "甲市财政局", "市任务一", "丙县民政局", "县任务一"):  # no city or county unit's work
        assert other not in province, other
    [county] = received(smtp_server, "sec_county@levels.example.org")
    assert "丙县民政局" in county
    assert "甲市" not in county
    assert "省任务" not in county
    # 乙市 has no plan of its own and its one inbound task is done: nothing to say, nothing sent.
    assert received(smtp_server, "sec_b@levels.example.org") == []
    # One message per recipient, each its own outbox row of its reader.
    rows = db.session.scalars(sa.select(Notification).where(
        Notification.kind == NotificationKind.SECRETARIAT_DIGEST)).all()
    assert sorted(r.key for r in rows) == sorted(f"digest:secretariat:{t.users[k].id}:2024-W27"
                                                for k in ("sec_province", "sec_a", "sec_county"))
    assert all(r.to_list == [r.user.email] for r in rows)


def test_running_twice_sends_nothing_twice(app: Flask, smtp_server: Any) -> None:
    build_tree()
    first = send(app)
    assert len(first.queued) >= 3
    deliver(app, smtp_server)
    count = len(smtp_server.messages)
    assert send(app).queued == []  # the same day again
    assert send(app, MONDAY + dt.timedelta(days=3)).queued == []  # later the same week
    deliver(app, smtp_server, MONDAY + dt.timedelta(days=3))
    assert len(smtp_server.messages) == count
    assert send(app, MONDAY + dt.timedelta(days=7)).queued  # next week's
    for address in ("sec_a@levels.example.org", "sec_province@levels.example.org"):
        assert len(received(smtp_server, address)) == 1


def test_each_office_reads_its_own_failures_and_cases(app: Flask) -> None:
    t = build_tree()
    civil = db.session.scalar(sa.select(Unit).where(Unit.name == "甲市民政局"))
    civil.contact_emails = ""
    dead = outbox.enqueue(key="t:dead:city", kind=NotificationKind.REMINDER, local_date=MONDAY, to=[],
                          subject="甲市民政局提醒", text="t", html=None, now=at(MONDAY), unit_id=civil.id)
    db.session.commit()
    assert db.session.get(Notification, dead).status is NotificationStatus.DEAD
    found = group_digests(list(db.session.scalars(sa.select(WorkGroup))), MONDAY, lambda: digests.open_rows(MONDAY))
    assert [n.id for n in found[t.city_a.id].undeliverable] == [dead]
    assert found[t.province.id].undeliverable == []
    assert [u.name for u, _ in found[t.city_a.id].units_without_email] == ["甲市民政局"]
    assert [u.name for u, _ in found[t.province.id].units_without_email] == ["甲市", "乙市"]


def test_the_digests_cost_the_same_queries_with_more_groups(app: Flask, count_queries: Any) -> None:
    t = build_tree()

    def measure() -> int:
        db.session.expire_all()
        with count_queries() as q:
            groups = list(db.session.scalars(sa.select(WorkGroup)))
            found = group_digests(groups, MONDAY, lambda: digests.open_rows(MONDAY))
        assert all(d.undecomposed and d.newly_overdue for g, d in found.items()
                   if g not in (t.province.id, t.city_b.id, t.county.id)), found
        return q.count

    before = measure()
    for n in range(3):  # three more counties under 甲市, each with an inbound task, a plan and red work of its own
        county = WorkGroup(name=f"丁县{n}测试专班", level=t.county.level, parent_id=t.city_a.id, created_at=NOW)
        db.session.add(county)
        db.session.flush()
        stands = Unit(work_group_id=t.city_a.id, name=f"丁县{n}", kind=UnitKind.MEMBER, created_at=NOW,
                      represents_work_group_id=county.id)
        civil = Unit(work_group_id=county.id, name=f"丁县{n}民政局", kind=UnitKind.MEMBER, created_at=NOW)
        db.session.add_all([stands, civil])
        plan, section = _plan(county, f"丁县{n}计划")
        _assign(_task(plan, section, 1, dt.date(2024, 6, 30), "县任务"), civil)
        _assign(t.city_red.task, stands)
        users.create_user(actor=None, email=f"sec_d{n}@levels.example.org", name=f"d{n}", role=Role.SECRETARIAT,
                          unit=None, password=PASSWORD, now=NOW, fast_hash=True, work_group=county)
    db.session.commit()
    assert measure() == before


def test_a_message_with_neither_unit_nor_reader_is_resent_to_the_top_office(app: Flask) -> None:
    t = build_tree()
    row = db.session.get(Notification, outbox.enqueue(
        key="digest:secretariat:2024-W27", kind=NotificationKind.SECRETARIAT_DIGEST, local_date=MONDAY, to=[],
        subject="旧周报", text="t", html=None, now=at(MONDAY)))
    assert recipients.for_notification(row).to == (t.users["sec_province"].email,)
    # This week's single digest of the time before work groups went to every office: none is sent again.
    db.session.commit()
    queued = [db.session.get(Notification, i) for i in send(app).queued]
    assert [n.kind for n in queued] == [NotificationKind.LIAISON_DIGEST]


