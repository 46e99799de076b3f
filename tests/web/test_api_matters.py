"""The 交办事项 and 联络员会议 API: create, read, refusals as JSON (nothing written), true to the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from tasktrack.extensions import db
from tasktrack.models import Matter, Meeting, Notification, Role
from tasktrack.services import units, users
from tests.dashboard_data import NOW
from tests.web.test_api_assignments import _validate


@pytest.fixture
def call(client: FlaskClient, seeded: None, make_user: Callable[..., Any]) -> Callable[..., Any]:
    tokens: dict[str, str] = {}
    for role, unit in (("secretariat", None), ("liaison", "省民政厅"), ("other", "省财政厅")):
        user = make_user(Role.SECRETARIAT if role == "secretariat" else Role.LIAISON, unit=unit)
        tokens[role] = users.issue_token(user, actor=None, now=NOW)
    db.session.commit()

    def do(method: str, path: str, body: Any = None, who: str = "secretariat") -> Any:
        return client.open(f"/api/v1{path}", method=method, json=body,
                           headers={"Authorization": f"Bearer {tokens[who]}"})

    return do


def _count(model: type) -> int:
    db.session.rollback()
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


MATTER = {"source": "领导批示", "reference": "省领导批示", "text": "开展廉洁风险排查",
          "deadline_phrase": "2024年9月底前", "responsible_phrase": "省民政厅牵头，省教育厅配合"}


def test_create_and_read_a_matter(call: Callable[..., Any]) -> None:
    created = call("POST", "/matters", MATTER)
    assert created.status_code == 201, created.get_json()
    _validate(created, "/matters", "post")
    matter = created.get_json()["matter"]
    assert matter["source"] == "instruction"
    assert matter["due_date"] == "2024-09-30"
    owners = [(a["unit"]["name"], a["is_lead"]) for a in matter["assignments"]]
    assert owners == [("省民政厅", True), ("省教育厅", False)]
    listing = call("GET", "/matters?source=instruction", who="liaison")
    _validate(listing, "/matters")
    assert [m["id"] for m in listing.get_json()["matters"]] == [matter["id"]]
    assert call("GET", "/matters", who="other").get_json()["matters"] == []
    one = call("GET", f"/matters/{matter['id']}", who="liaison")
    _validate(one, "/matters/{matter_id}")
    assert call("GET", f"/matters/{matter['id']}", who="other").status_code == 403
    assert call("GET", "/matters/99999").status_code == 404
    assert call("GET", "/matters?state=purple").status_code == 422
    assert call("POST", "/matters", MATTER, who="liaison").status_code == 403


@pytest.mark.parametrize(("changes", "field"), [
    ({"deadline_phrase": "尽快"}, "deadline_phrase"),
    ({"responsible_phrase": ""}, "responsible_phrase"),
    ({"responsible_phrase": "省不存在厅"}, "responsible_phrase"),
    ({"source": "传达"}, "source"),
    ({"text": ""}, "text"),
    ({"text": 5}, "text"),
])
def test_bad_matters_are_json_errors_and_change_nothing(call: Callable[..., Any], changes: dict[str, Any],
                                                        field: str) -> None:
    response = call("POST", "/matters", {**MATTER, **changes})
    assert response.status_code == 422
    body = response.get_json()
    assert body["field"] == field
    assert body["error"]
    assert _count(Matter) == 0


def test_create_a_meeting_with_decisions(call: Callable[..., Any]) -> None:
    mz, jy = units.find_unit("省民政厅"), units.find_unit("省教育厅")
    assert mz is not None
    assert jy is not None
    body = {"title": "2024年第二次联络员会议", "held_on": "2024-07-16", "place": "301", "agenda": "通报",
            "invited": [mz.id, jy.id],
            "decisions": [{"text": "梳理风险点", "deadline_phrase": "2024年8月底前", "responsible_phrase": "省民政厅"},
                          {"text": "数据共享", "deadline_phrase": "2024年10月底前", "responsible_phrase": "省教育厅"}]}
    created = call("POST", "/meetings", body)
    assert created.status_code == 201, created.get_json()
    _validate(created, "/meetings", "post")
    meeting = created.get_json()["meeting"]
    assert [m["meeting_id"] for m in meeting["matters"]] == [meeting["id"]] * 2
    assert _count(Notification) == 2
    assert call("GET", f"/meetings/{meeting['id']}", who="liaison").status_code == 200
    _validate(call("GET", f"/meetings/{meeting['id']}", who="liaison"), "/meetings/{meeting_id}")
    _validate(call("GET", "/meetings", who="liaison"), "/meetings")
    assert call("GET", f"/meetings/{meeting['id']}", who="other").status_code == 403
    assert call("GET", "/meetings", who="other").get_json()["meetings"] == []

    # A decision without an owner refuses the whole meeting: nothing written, no notice queued.
    bad = {**body, "title": "另一次会议",
           "decisions": [body["decisions"][0], {"text": "x", "deadline_phrase": "2024年8月底前",
                                                 "responsible_phrase": ""}]}
    refused = call("POST", "/meetings", bad)
    assert refused.status_code == 422
    assert refused.get_json()["field"] == "decisions[1].responsible_phrase"
    assert "议定事项第 2 项" in refused.get_json()["error"]
    for changes, field in (({"held_on": "7月16日"}, "held_on"), ({"invited": "省民政厅"}, "invited"),
                           ({"invited": [99_999]}, "invited")):
        answer = call("POST", "/meetings", {**body, **changes})
        assert answer.status_code == 422
        assert answer.get_json()["field"] == field
    assert (_count(Meeting), _count(Matter), _count(Notification)) == (1, 2, 2)
