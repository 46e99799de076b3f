"""Pilot logs stay visible after the point chooses other items (issue 10 item 14): the point's page, the
secretariat's matrix and the API show them, marked as no longer chosen; new logs still need a chosen item."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import PilotLog, Plan, Role, UnitKind
from tasktrack.services import ServiceError, observations, units, users
from tasktrack.services.attachments import Upload
from tests.conftest import csrf_token, login
from tests.upload_samples import make_pdf

BEFORE = dt.datetime(2024, 4, 20, 2, 0, tzinfo=dt.UTC)  # before the 30 April choice deadline
MARK = "（已不在所选事项中）"


@pytest.fixture
def scene(app, seeded, make_user, now):  # type: ignore[no-untyped-def]
    """宁波市鄞州区观察点 chose item A in April and logged under it; after the deadline the secretariat
    reopened its choice (through the page) and the point chose item B instead (through the page)."""
    point, _ = units.save_unit(None, actor=None, name="宁波市鄞州区观察点", kind=UnitKind.OBSERVATION_POINT,
                               categories=[], contact_emails="", leader_email=None, now=now)
    db.session.commit()
    obs, office = make_user(Role.OBSERVATION_POINT, unit=point.name), make_user(Role.SECRETARIAT)
    plan = db.session.scalar(sa.select(Plan))
    a, b = observations.list_focus_items()[:2]
    observations.save_choice(plan, point, actor=obs, items=[a.id], plans={a.id: "试点A"}, now=BEFORE)
    log = observations.add_pilot_log(plan, point, a, actor=obs, log_date=dt.date(2024, 5, 6),
                                     note="A 项五月进展：完成 12 家章程修订",
                                     files=[Upload("五月台账.pdf", make_pdf())], now=BEFORE + dt.timedelta(days=20))
    db.session.commit()

    boss = app.test_client()
    login(boss, office.email)
    path = f"/observation/points/{point.id}"
    assert boss.post(f"{path}/reopen", data={"csrf_token": csrf_token(boss, path), "reason": "调整"}).status_code == 302
    member = app.test_client()
    login(member, obs.email)
    assert member.post(f"{path}/choice", data={"csrf_token": csrf_token(member, path), "items": [str(b.id)],
                                               f"plan_{b.id}": "试点B"}).status_code == 302
    db.session.commit()
    assert [i.focus_item_id for i in observations.current_choice(plan, point).items] == [b.id]
    return {"point": point, "a": a, "b": b, "log": log, "boss": boss, "member": member, "obs": obs,
            "office": office, "path": path}


def _section(html: str, item_name: str) -> str:
    """Return the timeline's heading of an item and what follows it, up to the next heading."""
    match = re.search(r"<h3[^>]*>" + re.escape(item_name) + r"(.*?)(?=<h3|</section>)", html, flags=re.S)
    assert match, f"no timeline group for {item_name}"
    return match.group(0)


def test_point_page_shows_logs_of_items_no_longer_chosen(app, scene) -> None:  # type: ignore[no-untyped-def]
    for client in (scene["member"], scene["boss"]):
        html = client.get(scene["path"]).get_data(as_text=True)
        old = _section(html, scene["a"].name)
        assert MARK in old
        assert "A 项五月进展：完成 12 家章程修订" in old
        assert "五月台账.pdf" in old
        current = _section(html, scene["b"].name)
        assert MARK not in current
        assert "暂无记录" in current
    # the point's log form only offers chosen items: new logs go on the current choice
    html = scene["member"].get(scene["path"]).get_data(as_text=True)
    form = html[html.index('id="log-form"'):]
    form = form[:form.index("</form>")]
    assert scene["b"].name in form
    assert scene["a"].name not in form


def test_readers_see_them_too(app, scene, make_user) -> None:  # type: ignore[no-untyped-def]
    reader = app.test_client()
    login(reader, make_user(Role.VIEWER).email)
    html = reader.get(scene["path"]).get_data(as_text=True)
    assert "A 项五月进展" in _section(html, scene["a"].name)
    [file_id] = re.findall(r'href="/attachments/(\d+)"', _section(html, scene["a"].name))
    download = reader.get(f"/attachments/{file_id}")
    download.close()
    assert download.status_code == 200


def test_matrix_counts_them_and_says_so(scene) -> None:  # type: ignore[no-untyped-def]
    html = scene["boss"].get("/observation/matrix").get_data(as_text=True)
    row = re.search(r'<tr data-unit="宁波市鄞州区观察点">.*?</tr>', html, flags=re.S).group(0)
    assert "1 条" in row
    assert "其中 1 条已不在所选事项中" in row
    assert f'{scene["path"]}#timeline' in row


def test_api_lists_every_log_with_is_chosen(app, scene, now) -> None:  # type: ignore[no-untyped-def]
    token = users.issue_token(scene["office"], actor=None, now=now)
    db.session.commit()
    response = scene["boss"].get(f"/api/v1/observation-points/{scene['point'].id}/pilot-logs",
                                 headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    [entry] = response.get_json()["pilot_logs"]
    assert entry["id"] == scene["log"].id
    assert entry["focus_item_id"] == scene["a"].id
    assert entry["is_chosen"] is False
    assert entry["note"] == "A 项五月进展：完成 12 家章程修订"
    assert [f["name"] for f in entry["attachments"]] == ["五月台账.pdf"]


def test_new_logs_still_need_a_chosen_item(scene, now) -> None:  # type: ignore[no-untyped-def]
    plan = db.session.scalar(sa.select(Plan))
    with pytest.raises(ServiceError, match="已选择的工作重点"):
        observations.add_pilot_log(plan, scene["point"], scene["a"], actor=scene["obs"], log_date=now.date(),
                                   note="再记一条", files=[], now=now)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PilotLog)) == 1
