"""Whom a message goes to, decided in one module (issue 14): a unit's contact e-mails then its active
liaisons'; a 督办 notice copies the leader (when on file) and the office; resend re-reads To by itself."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationStatus
from tasktrack.services import outbox, recipients, seeding, units, users
from tests.services.test_reminder_mail import DAY, deliver, sweep, text_of
from tests.services.test_reminders_sweep import at
from tests.smtp_server import smtp_server_fixture

smtp_server = smtp_server_fixture()


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


def test_a_unit_is_reached_at_its_contacts_then_its_liaisons(app: Flask, demo: None) -> None:
    civil = units.find_unit("省民政厅")
    civil.contact_emails = "shzzj@example.org\nmzt@example.org"
    db.session.flush()
    got = recipients.for_unit(civil)
    assert got.to == ("shzzj@example.org", "mzt@example.org")  # the liaison's address is not repeated
    assert got.cc == ()
    users.find_by_email("mzt@example.org").is_active = False
    civil.contact_emails = ""
    db.session.flush()
    assert recipients.for_unit(civil).to == ()


def test_only_a_supervision_notice_copies_leader_and_office(app: Flask, demo: None) -> None:
    civil, edu = units.find_unit("省民政厅"), units.find_unit("省教育厅")
    civil.leader_email, edu.leader_email = "mzt-leader@example.org", None
    db.session.flush()
    office = recipients.secretariat_addresses([civil.work_group_id])
    assert "office@example.org" in office
    assert "hz-office@example.org" not in office  # 杭州's office does not supervise the provincial units
    got = recipients.for_units([civil, edu], copy_leader={civil.id, edu.id})
    assert got[civil.id].cc == ("mzt-leader@example.org", *office)
    assert got[edu.id].cc == tuple(office)  # no leader on file: the office only
    assert recipients.for_units([civil], copy_leader=())[civil.id].cc == ()


def test_resend_rereads_recipients_without_being_told_how(app: Flask, demo: None, smtp_server: Any) -> None:
    """A 督办 notice stored dead for want of an address goes to the unit once one is added and it is resent;
    the view passes nothing: the outbox asks services/recipients.py."""
    civil = units.find_unit("省民政厅")
    civil.contact_emails, civil.leader_email = "", "mzt-leader@example.org"
    users.find_by_email("mzt@example.org").is_active = False
    db.session.commit()
    sweep(app, DAY)
    row = db.session.scalar(sa.select(Notification).where(Notification.unit_id == civil.id))
    assert row.status is NotificationStatus.DEAD
    assert row.last_error == recipients.NO_UNIT_ADDRESS
    civil.contact_emails = "shzzj@example.org"
    db.session.commit()
    outbox.resend(row.id, actor=users.find_by_email("office@example.org"), now=at(DAY, 10))
    db.session.commit()
    [message] = [m for m in deliver(app, smtp_server, DAY) if "省民政厅" in m["Subject"]]
    assert message["To"] == "shzzj@example.org"
    assert "mzt-leader@example.org" in message["Cc"]
    assert "本通知同时抄送单位负责同志和专班办公室" in text_of(message)
