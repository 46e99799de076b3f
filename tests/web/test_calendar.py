"""The iCalendar feed: RFC 5545 text (parsed back by a tiny unfolding parser), the secret URL and its page."""

from __future__ import annotations

import datetime as dt
import re

from tasktrack.domain import ical
from tasktrack.extensions import db
from tasktrack.models import CalendarToken
from tasktrack.services import calendar as cal_service
from tests.conftest import csrf_token, login
from tests.dashboard_data import NOW, small_plan

URL_RE = re.compile(r'id="feed-url" type="text" readonly value="([^"]+)"')


def parse(text: str) -> list[dict[str, str]]:
    """Unfold lines (CRLF + space) and return the VEVENTs as {NAME(;params): value} dicts."""
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.replace("\r\n ", "").split("\r\n")[:-1]
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in lines:
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
    return events


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def test_fold_never_exceeds_75_octets_or_splits_characters() -> None:
    line = "SUMMARY:" + "清廉社会组织建设，任务；截止" * 12
    folded = ical.fold(line)
    for part in folded.split("\r\n"):
        assert len(part.encode("utf-8")) <= 75
    assert folded.replace("\r\n ", "") == line


def test_escape_text() -> None:
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_calendar_text() -> None:
    text = ical.calendar([ical.Event(uid="x@t", day=dt.date(2024, 7, 31), summary="编印《汇编》，做好宣传；按期")],
                         name="测试", stamp=NOW)
    (event,) = parse(text)
    assert event["DTSTART;VALUE=DATE"] == "20240731"
    assert event["DTEND;VALUE=DATE"] == "20240801"
    assert event["DTSTAMP"] == "20240718T020000Z"
    assert unescape(event["SUMMARY"]) == "编印《汇编》，做好宣传；按期"
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")


def _feed_url(client) -> str:
    token = csrf_token(client, "/account/calendar")
    html = client.post("/account/calendar", data={"csrf_token": token}).get_data(as_text=True)
    match = URL_RE.search(html)
    assert match, html[:2000]
    return match.group(1)


def test_liaison_feed_lists_open_unit_deadlines(app, client, make_user) -> None:
    s = small_plan()
    user = make_user("liaison", unit="甲单位")
    assert login(client, user.email).status_code == 302
    url = _feed_url(client)
    db.session.rollback()  # end the test's read snapshot to see the request's commit
    assert db.session.query(CalendarToken).one().token_hash != url.rsplit("/", 1)[1][:-4]  # stored hashed
    anonymous = app.test_client()
    response = anonymous.get(url.replace("http://localhost", ""))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = parse(response.get_data(as_text=True))
    # 甲单位: A1 (overdue), A2, A3 open and not completed; A4 is closed.
    assert sorted(e["UID"] for e in events) == sorted(f"assignment-{a.id}@tasktrack" for a in (s.a1, s.a2, s.a3))
    first = next(e for e in events if e["UID"] == f"assignment-{s.a1.id}@tasktrack")
    assert first["DTSTART;VALUE=DATE"] == "20240630"
    assert unescape(first["SUMMARY"]) == "【截止】1. 编印案例汇编，做好宣传"
    # Same UIDs on the next fetch: calendar clients update instead of duplicating.
    again = parse(anonymous.get(url.replace("http://localhost", "")).get_data(as_text=True))
    assert [e["UID"] for e in again] == [e["UID"] for e in events]


def test_regenerating_kills_the_old_address_and_wrong_tokens_are_404(app, client, make_user) -> None:
    small_plan()
    user = make_user("viewer")
    assert login(client, user.email).status_code == 302
    old = _feed_url(client).replace("http://localhost", "")
    new = _feed_url(client).replace("http://localhost", "")
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    events = parse(anonymous.get(new).get_data(as_text=True))
    assert len(events) == 4  # a viewer gets each open task's deadline once
    assert cal_service.user_for_token("x" * 40) is None


def test_settings_page_without_csrf_changes_nothing(client, make_user) -> None:
    user = make_user("viewer")
    assert login(client, user.email).status_code == 302
    assert client.post("/account/calendar", data={}).status_code == 400
    assert db.session.query(CalendarToken).count() == 0
