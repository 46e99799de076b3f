"""The reminder e-mails as recipients get them, read at a real SMTP server on loopback (issue 10 items 13, 18):
one line per assignment at its highest rung, covered rungs never sent later, links to the unit's own page,
a Cc claim only when someone is copied, the Date in Beijing time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack import settings as app_settings
from tasktrack.extensions import db
from tasktrack.models import Assignment, Notification, NotificationItem, NotificationStatus, Task, Unit
from tasktrack.services import digests, outbox, reminders, seeding, units, urging, users
from tests.conftest import login
from tests.services.test_reminders_sweep import at
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()

BASE = "http://tt.example"
DEMO_PASSWORD = "Demo-2024-zj"  # seed/demo.yaml
DAY = dt.date(2024, 8, 5)  # task 6 (6 月底前) is 36 days late: 督办 (30 days) and 催办 n=5 fall due together


#: The demo is seeded once for the module's tests (tests/isolation.py, shared state); each test's writes roll back.
pytestmark = pytest.mark.shared_state(__name__)


@pytest.fixture
def demo(app: Flask) -> None:
    """`seed --demo` as on the day of the report."""
    def build() -> None:
        seeding.seed_base(now=at(DAY))
        seeding.seed_demo(now=at(DAY), fast_hash=True)
        db.session.commit()

    app.extensions["tests_isolation"].shared(build)


def sweep(app: Flask, day: dt.date) -> reminders.SweepReport:
    report = reminders.run_sweep(day, app_settings.of(app).reminders, base_url=BASE, now=at(day, 8))
    db.session.commit()
    return report


def deliver(app: Flask, smtp: Any, day: dt.date) -> list[Any]:
    """Deliver what is due and return the messages the server received (then forget them)."""
    settings = dataclasses.replace(app_settings.of(app).smtp, host=smtp.host, port=smtp.port)
    outbox.deliver_due(settings, now=lambda: at(day, 10))
    received = [m.message for m in smtp.messages]
    smtp.clear_messages()
    return received


def mail_of(received: list[Any], unit_name: str) -> Any:
    [message] = [m for m in received if f"】{unit_name}任务提醒" in m["Subject"]]
    return message


def text_of(message: Any) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def numbered_lines(text: str) -> list[str]:
    return re.findall(r"^\d+\. 【.*$", text, flags=re.M)


def assignment_of(unit_name: str, task_number: int) -> Assignment:
    return db.session.scalar(sa.select(Assignment).join(Task).join(Unit, Assignment.unit_id == Unit.id)
                             .where(Unit.name == unit_name, Task.number == task_number))


def test_one_line_per_assignment_at_its_highest_rung(app: Flask, demo: None, smtp_server: Any) -> None:
    sweep(app, DAY)
    message = mail_of(deliver(app, smtp_server, DAY), "省民政厅")
    text = text_of(message)
    lines = numbered_lines(text)
    task6 = [line for line in lines if "】6. " in line]
    assert task6 == [task6[0]]
    assert "已逾期36天（督办）" in task6[0]
    # every line is a different assignment, and the subject counts the lines
    assert len({re.sub(r"^\d+\. 【[^】]*】", "", line) for line in lines}) == len(lines)
    supervised = sum("（督办）" in line for line in lines)
    late = sum(bool(re.search(r"【已逾期\d+天(（催办）)?】", line)) for line in lines)
    pending = sum("本报送周期尚未报送进展" in line for line in lines)
    assert f"{supervised}项督办" in message["Subject"]
    assert f"{late}项已逾期" in message["Subject"]
    assert f"{pending}项待报送" in message["Subject"]
    assert supervised + late + pending == len(lines)
    assert f"有以下 {len(lines)} 项事项" in text
    html = message.get_body(("html",)).get_content()
    assert html.count("<li>") == len(lines)


def test_a_covered_rung_is_never_sent_later_on_its_own(app: Flask, demo: None, smtp_server: Any) -> None:
    a6 = assignment_of("省民政厅", 6)
    first = sweep(app, DAY)
    assert first.covered >= 1
    keys = set(db.session.scalars(sa.select(NotificationItem.item_key)
                                  .where(NotificationItem.assignment_id == a6.id)))
    assert keys == {f"a:{a6.id}:supervision:2024-06-30", f"a:{a6.id}:overdue_repeat:5:2024-06-30"}
    deliver(app, smtp_server, DAY)
    # 8月6日–10日: repeat n=5 (days 35–41) is still due by the policy, but it went out inside the 督办 line
    for day in (dt.date(2024, 8, 6), dt.date(2024, 8, 8), dt.date(2024, 8, 10)):
        sweep(app, day)
        for message in deliver(app, smtp_server, day):
            assert f"/assignments/{a6.id}\n" not in text_of(message), day
    # 8月11日: day 42, the next 催办 (n=6) is new and is sent
    sweep(app, dt.date(2024, 8, 11))
    text = text_of(mail_of(deliver(app, smtp_server, dt.date(2024, 8, 11)), "省民政厅"))
    [line] = [line for line in numbered_lines(text) if "】6. " in line]
    assert "已逾期42天（催办）" in line


def test_links_lead_to_the_units_own_page(app: Flask, demo: None, smtp_server: Any) -> None:
    sweep(app, DAY)
    received = deliver(app, smtp_server, DAY)
    text = text_of(mail_of(received, "省民政厅"))
    a6 = assignment_of("省民政厅", 6)
    assert f"{BASE}/assignments/{a6.id}\n" in text
    assert "/tasks/" not in text
    for message in received:
        assert "/tasks/" not in text_of(message)
        assert "/tasks/" not in message.get_body(("html",)).get_content()
    # 德清县 has not chosen its focus items (deadline 4月30日): the link opens its choice form
    deqing = units.find_unit("湖州市德清县观察点")
    focus = text_of(mail_of(received, "湖州市德清县观察点"))
    assert "重点事项选择已超过截止日期" in focus
    assert f"{BASE}/observation/points/{deqing.id}#choose\n" in focus
    assert re.search(r"^\s+http://tt\.example/\s*$", focus, flags=re.M) is None  # no bare link to the home page
    # the unit's page is where the report form is
    assert f'/assignments/{a6.id}/report"' in _page_as(app, "mzt@example.org", f"/assignments/{a6.id}")


def _page_as(app: Flask, email_address: str, path: str) -> str:
    client = app.test_client()
    assert login(client, email_address, DEMO_PASSWORD).status_code == 302
    return client.get(path).get_data(as_text=True)


def test_cc_claim_only_when_the_leader_is_copied(app: Flask, demo: None, smtp_server: Any) -> None:
    # 省民政厅 has no leader address in the demo: only the office is copied, and the text says only that
    sweep(app, DAY)
    civil = mail_of(deliver(app, smtp_server, DAY), "省民政厅")
    assert civil["Cc"] == "office@example.org"
    assert "抄送单位负责同志" not in text_of(civil)
    assert "抄送单位负责同志" not in civil.get_body(("html",)).get_content()
    assert "本通知同时抄送专班办公室" in text_of(civil)


def test_cc_claim_names_the_leader_when_copied(app: Flask, demo: None, smtp_server: Any) -> None:
    units.find_unit("省民政厅").leader_email = "mzt-leader@example.org"
    db.session.commit()
    sweep(app, DAY)
    civil = mail_of(deliver(app, smtp_server, DAY), "省民政厅")
    assert civil["Cc"] == "mzt-leader@example.org, office@example.org"
    assert "本通知同时抄送单位负责同志和专班办公室" in text_of(civil)
    assert "本通知同时抄送单位负责同志和专班办公室" in civil.get_body(("html",)).get_content()


def test_no_cc_claim_without_leader_or_office(app: Flask, demo: None, smtp_server: Any) -> None:
    office = users.find_by_email("office@example.org")
    office.is_active = False
    db.session.commit()
    sweep(app, DAY)
    civil = mail_of(deliver(app, smtp_server, DAY), "省民政厅")
    assert civil["Cc"] is None
    assert "抄送" not in text_of(civil)
    assert "逾期已超过 30 天（督办）" in text_of(civil)


def test_date_header_is_beijing_time_and_message_id_stable(app: Flask, demo: None, smtp_server: Any) -> None:
    sweep(app, DAY)
    civil = mail_of(deliver(app, smtp_server, DAY), "省民政厅")
    sent = email.utils.parsedate_to_datetime(civil["Date"])
    assert sent.utcoffset() == dt.timedelta(hours=8)
    assert civil["Date"].endswith("+0800")
    row = db.session.scalar(sa.select(Notification).where(Notification.subject == civil["Subject"]))
    assert civil["Message-ID"] == row.message_id
    # sent again by hand (the operator resends a copy): the same Message-ID
    row.status = NotificationStatus.FAILED
    db.session.commit()
    outbox.resend(row.id, actor=users.find_by_email("office@example.org"), now=at(DAY, 10))
    db.session.commit()
    again = mail_of(deliver(app, smtp_server, DAY), "省民政厅")
    assert again["Message-ID"] == civil["Message-ID"]


def test_urge_and_digests_link_to_the_assignment(app: Flask, demo: None, smtp_server: Any) -> None:
    a6 = assignment_of("省民政厅", 6)
    office = users.find_by_email("office@example.org")
    urging.urge(a6, actor=office, note="请抓紧", now=at(DAY, 9), base_url=BASE)
    sweep(app, DAY)  # units without an address: dead messages, which the office digest links to
    digests.send_all(DAY, now=at(DAY, 9), base_url=BASE, weekday=app_settings.of(app).digest_weekday)
    db.session.commit()
    received = deliver(app, smtp_server, DAY)
    [urge] = [m for m in received if m["Subject"].startswith("【催办】")]
    assert f"{BASE}/assignments/{a6.id}\n" in text_of(urge)
    assert f'href="{BASE}/assignments/{a6.id}"' in urge.get_body(("html",)).get_content()
    [liaison_digest] = [m for m in received if "每周工作摘要" in m["Subject"] and "省民政厅" in m["Subject"]]
    assert f"{BASE}/assignments/{a6.id}\n" in text_of(liaison_digest)
    assert f"{BASE}/my/digest/" in text_of(liaison_digest)
    digests_to = {m["To"]: m for m in received if "每周督办摘要" in m["Subject"]}  # one per work group's office
    office_digest = digests_to["office@example.org"]
    assert "浙江省清廉社会组织建设工作专班每周督办摘要" in office_digest["Subject"]
    assert f"{BASE}/admin/reminders/outbox\n" in text_of(office_digest)
    # 杭州's office reads its own: the provincial task 17 it has not decomposed yet, linked to its 上级下达任务 page.
    city = text_of(digests_to["hz-office@example.org"])
    assert f"{BASE}/inbound/{assignment_of('杭州市', 17).id}\n" in city
    assert "省教育厅" not in city
    a1 = assignment_of("省教育厅", 1)  # 5 days late: 本周新增逾期
    assert f"{BASE}/assignments/{a1.id}\n" in text_of(office_digest)
    for message in received:
        assert "/tasks/" not in text_of(message), message["Subject"]
        assert "/tasks/" not in message.get_body(("html",)).get_content(), message["Subject"]


def test_links_follow_a_base_url_with_a_path(app: Flask, demo: None, smtp_server: Any) -> None:
    reminders.run_sweep(DAY, app_settings.of(app).reminders, base_url="https://gov.example/tasktrack/",
                        now=at(DAY, 8))
    db.session.commit()
    text = text_of(mail_of(deliver(app, smtp_server, DAY), "省民政厅"))
    a6 = assignment_of("省民政厅", 6)
    assert f"https://gov.example/tasktrack/assignments/{a6.id}\n" in text
    assert "请登录系统报送进展：https://gov.example/tasktrack/\n" in text


def test_resend_keeps_whom_a_supervision_notice_copies(app: Flask, demo: None, smtp_server: Any) -> None:
    """A 督办 notice for a unit with no address goes dead; once an address is added and it is resent, the
    leader and the office it says it copies are still copied."""
    civil = units.find_unit("省民政厅")
    civil.contact_emails, civil.leader_email = "", "mzt-leader@example.org"
    users.find_by_email("mzt@example.org").is_active = False
    db.session.commit()
    sweep(app, DAY)
    row = db.session.scalar(sa.select(Notification).where(Notification.unit_id == civil.id))
    assert row.status is NotificationStatus.DEAD
    assert "本通知同时抄送单位负责同志和专班办公室" in row.body_text
    civil.contact_emails = "shzzj@example.org"
    db.session.commit()
    outbox.resend(row.id, actor=users.find_by_email("office@example.org"), now=at(DAY, 10))  # recipients looked up
    db.session.commit()
    [message] = [m for m in deliver(app, smtp_server, DAY) if "省民政厅" in m["Subject"]]
    assert message["To"] == "shzzj@example.org"
    assert "mzt-leader@example.org" in message["Cc"]
    assert "office@example.org" in message["Cc"]
    assert "本通知同时抄送单位负责同志和专班办公室" in text_of(message)

