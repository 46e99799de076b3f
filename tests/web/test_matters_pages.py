"""交办事项 and 联络员会议 pages: record, refuse bad input with a Chinese message (nothing written), read by whom."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.models import Matter, Meeting, Notification, NotificationKind, Role
from tasktrack.services import units
from tests.conftest import csrf_token, login


def _count(model: type) -> int:
    db.session.rollback()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _matter_form(client: FlaskClient, **changes: str) -> dict[str, str]:
    data = {"csrf_token": csrf_token(client, "/matters"), "source": "instruction", "reference": "省领导批示",
            "text": "开展社会组织领域廉洁风险排查", "deadline_phrase": "2024年9月底前",
            "responsible_phrase": "省民政厅牵头，省教育厅配合"}
    data.update(changes)
    return data


def test_secretariat_records_a_matter_and_units_read_their_own(client: FlaskClient, seeded: None,
                                                               login_as: Callable[..., Any],
                                                               make_user: Callable[..., Any]) -> None:
    login_as(Role.SECRETARIAT)
    page = client.get("/matters").get_data(as_text=True)
    assert "登记交办事项" in page
    response = client.post("/matters", data=_matter_form(client))
    assert response.status_code == 302
    matter = db.session.scalar(sa.select(Matter))
    assert matter is not None
    assert response.headers["Location"].endswith(f"/matters/{matter.id}")
    detail = client.get(f"/matters/{matter.id}").get_data(as_text=True)
    assert "领导批示" in detail
    assert "省民政厅" in detail
    assert "修改交办事项" in detail
    listing = client.get("/matters?source=instruction").get_data(as_text=True)
    assert "开展社会组织领域廉洁风险排查" in listing
    assert "开展社会组织领域廉洁风险排查" not in client.get("/matters?source=meeting").get_data(as_text=True)
    # The edit form changes it (before any report).
    edit = _matter_form(client, text="开展廉洁风险排查（修改）", responsible_phrase="省民政厅")
    assert client.post(f"/matters/{matter.id}/edit", data=edit).status_code == 302
    assert "开展廉洁风险排查（修改）" in client.get(f"/matters/{matter.id}").get_data(as_text=True)

    for unit, sees in (("省民政厅", 200), ("省财政厅", 403)):
        other = client.application.test_client()
        assert login(other, make_user(Role.LIAISON, unit=unit).email).status_code == 302
        assert other.get(f"/matters/{matter.id}").status_code == sees
        listing = other.get("/matters").get_data(as_text=True)
        assert ("开展廉洁风险排查（修改）" in listing) is (sees == 200)
        assert "登记交办事项" not in listing
        # 我的任务 lists the matter beside the plan's tasks.
        assert ("开展廉洁风险排查（修改）" in other.get("/my/tasks").get_data(as_text=True)) is (sees == 200)


def test_bad_matter_input_gets_a_chinese_message_and_changes_nothing(client: FlaskClient, seeded: None,
                                                                     login_as: Callable[..., Any]) -> None:
    login_as(Role.SECRETARIAT)
    for changes, words in (({"deadline_phrase": "尽快"}, "尽快"), ({"responsible_phrase": ""}, "请填写责任单位"),
                           ({"responsible_phrase": "省不存在厅"}, "省不存在厅"), ({"text": " "}, "请填写具体工作"),
                           ({"source": "bogus"}, "请选择交办事项的来源")):
        response = client.post("/matters", data=_matter_form(client, **changes))
        assert response.status_code == 400, changes
        assert words in response.get_data(as_text=True), changes
        assert _count(Matter) == 0


def test_a_meeting_is_recorded_notified_and_its_decisions_become_matters(client: FlaskClient, seeded: None,
                                                                         login_as: Callable[..., Any],
                                                                         make_user: Callable[..., Any]) -> None:
    login_as(Role.SECRETARIAT)
    mz, jy = units.find_unit("省民政厅"), units.find_unit("省教育厅")
    assert mz is not None
    assert jy is not None
    page = client.get("/meetings").get_data(as_text=True)
    assert "登记会议" in page
    assert "省民政厅" in page
    token = csrf_token(client, "/meetings")
    bad = client.post("/meetings", data={"csrf_token": token, "title": "联络员会议", "held_on": "下周二",
                                         "invited": [str(mz.id)]})
    assert bad.status_code == 400
    assert "会议日期不是有效日期" in bad.get_data(as_text=True)
    nobody = client.post("/meetings", data={"csrf_token": token, "title": "联络员会议", "held_on": "2024-07-16"})
    assert nobody.status_code == 400
    assert "请选择参会单位" in nobody.get_data(as_text=True)
    assert _count(Meeting) == 0
    assert _count(Notification) == 0

    response = client.post("/meetings", data={"csrf_token": token, "title": "2024年第二次联络员会议",
                                              "held_on": "2024-07-16", "place": "301 会议室", "agenda": "通报进展",
                                              "invited": [str(mz.id), str(jy.id)]})
    assert response.status_code == 302
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting is not None
    assert {n.unit_id for n in db.session.scalars(sa.select(Notification).where(
        Notification.kind == NotificationKind.MEETING_NOTICE))} == {mz.id, jy.id}

    url = f"/meetings/{meeting.id}"
    no_owner = client.post(f"{url}/decisions", data={"csrf_token": token, "text": "梳理风险点",
                                                     "deadline_phrase": "2024年8月底前", "responsible_phrase": ""})
    assert no_owner.status_code == 400
    assert "请填写责任单位" in no_owner.get_data(as_text=True)
    assert _count(Matter) == 0
    for text, owner in (("梳理本领域社会组织风险点", "省民政厅"), ("建立数据共享机制", "省教育厅")):
        assert client.post(f"{url}/decisions", data={"csrf_token": token, "text": text,
                                                     "deadline_phrase": "2024年8月底前",
                                                     "responsible_phrase": owner}).status_code == 302
    assert _count(Matter) == 2
    saved = client.post(f"{url}/minutes", data={"csrf_token": token, "minutes": "议定两项事项",
                                                 "present": [str(mz.id)]})
    assert saved.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "梳理本领域社会组织风险点" in page
    assert "建立数据共享机制" in page
    assert "议定两项事项" in page
    matter = db.session.scalar(sa.select(Matter).order_by(Matter.id))
    assert matter is not None
    assert f'href="/meetings/{meeting.id}"' in client.get(f"/matters/{matter.id}").get_data(as_text=True)

    invited, outsider = client.application.test_client(), client.application.test_client()
    assert login(invited, make_user(Role.LIAISON, unit="省教育厅").email).status_code == 302
    assert login(outsider, make_user(Role.LIAISON, unit="省财政厅").email).status_code == 302
    assert invited.get(url).status_code == 200
    assert "登记会议" not in invited.get("/meetings").get_data(as_text=True)
    assert outsider.get(url).status_code == 403
    assert "2024年第二次联络员会议" not in outsider.get("/meetings").get_data(as_text=True)
