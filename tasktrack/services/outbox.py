"""The outbox: enqueue messages idempotently, one row per message and channel; read and resend them (RELIABILITY §2).

Everything that sends mail (or a DingTalk robot message) writes a Notification row with a unique key and channel
(``enqueue``); only :func:`tasktrack.services.delivery.deliver_due` (re-exported here) talks to the SMTP server
and the robots, as that module's docstring describes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tasktrack import mail
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationChannel, NotificationKind, NotificationStatus, User
from tasktrack.services import Conflict, NotFound, robots
from tasktrack.services import recipients as addressees
from tasktrack.services.audit import record, record_bulk
from tasktrack.services.delivery import DeliveryPolicy, DeliveryReport, deliver_due, same_message, worker_name

__all__ = ["BATCH", "DeliveryPolicy", "DeliveryReport", "Outgoing", "deliver_due", "enqueue", "enqueue_many",
           "list_outbox", "resend", "same_message", "status_counts", "worker_name"]

if TYPE_CHECKING:
    from tasktrack.notifications import Letter, Recipients

logger = logging.getLogger(__name__)

def _insert(table: sa.Table) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table))


@dataclass(frozen=True)
class Outgoing:
    """One message to queue (see :func:`enqueue_many`)."""

    key: str
    kind: NotificationKind
    local_date: dt.date
    to: Sequence[str]
    subject: str
    text: str
    html: str | None
    cc: Sequence[str] = ()
    unit_id: int | None = None
    user_id: int | None = None
    undeliverable_reason: str | None = None
    #: The DingTalk robot's markdown: queued on the dingtalk channel too when the message's person (if any)
    #: or unit has a robot.
    markdown: str | None = None

    @classmethod
    def of(cls, letter: Letter, *, key: str, kind: NotificationKind, local_date: dt.date,
           unit_id: int | None = None, user_id: int | None = None,
           undeliverable_reason: str | None = None) -> Outgoing:
        """Queue a composed letter (:func:`tasktrack.notifications.compose`) under ``key``."""
        return cls(key=key, kind=kind, local_date=local_date, to=letter.to, cc=letter.cc, subject=letter.subject,
                   text=letter.text, html=letter.html, unit_id=unit_id, user_id=user_id,
                   undeliverable_reason=undeliverable_reason, markdown=letter.markdown)


#: Rows per INSERT statement (16 parameters a row stays far below every driver's limit).
BATCH = 400


def enqueue(
    *,
    key: str,
    kind: NotificationKind,
    local_date: dt.date,
    to: Sequence[str],
    subject: str,
    text: str,
    html: str | None,
    now: dt.datetime,
    cc: Sequence[str] = (),
    unit_id: int | None = None,
    user_id: int | None = None,
    undeliverable_reason: str | None = None,
) -> int | None:
    """Insert an outbox row unless one with ``key`` exists (INSERT … ON CONFLICT DO NOTHING).

    Returns the new row's id, or None when the key was already queued (a second run, a second
    scheduler, a double click). A message without any recipient is stored as dead with the reason,
    so it shows in the outbox and the secretariat digest instead of vanishing.
    """
    return enqueue_many([Outgoing(key=key, kind=kind, local_date=local_date, to=to, subject=subject, text=text,
                                  html=html, cc=cc, unit_id=unit_id, user_id=user_id,
                                  undeliverable_reason=undeliverable_reason)], now=now)[0]


def enqueue_many(messages: Sequence[Outgoing], *, now: dt.datetime) -> list[int | None]:
    """Queue many messages as :func:`enqueue` does, a few statements for all (the sweep, the digests).

    Returns the new e-mail row id of each message, in order; None where its key was already queued. A message
    with markdown whose person (if it has one) or unit has a DingTalk robot gets a second row on the dingtalk
    channel, under the same key: its own claims, retries and failures, so it never holds back the e-mail.
    Each new row gets its audit entry.
    """
    with_units, with_users = robots.with_robots({m.unit_id for m in messages if m.markdown and m.user_id is None
                                                 and m.unit_id is not None},
                                                {m.user_id for m in messages if m.markdown and m.user_id is not None})
    rows: list[dict[str, Any]] = []
    for m in messages:
        to = list(dict.fromkeys(m.to))
        cc = [a for a in dict.fromkeys(m.cc) if a not in to]
        reason = m.undeliverable_reason or (None if to else "没有收件人地址")
        status = NotificationStatus.DEAD if reason else NotificationStatus.PENDING
        common = {"key": m.key, "kind": m.kind.value, "unit_id": m.unit_id, "user_id": m.user_id,
                  "local_date": m.local_date, "subject": mail.sanitize_header(m.subject)[:300], "attempts": 0,
                  "next_attempt_at": now, "created_at": now}
        rows.append({**common, "channel": NotificationChannel.EMAIL.value, "recipients": "\n".join(to),
                     "cc": "\n".join(cc), "body_text": m.text, "body_html": m.html, "status": status.value,
                     "last_error": reason})
        robot = (m.user_id in with_users) if m.user_id is not None else (m.unit_id in with_units)
        if m.markdown and robot:
            rows.append({**common, "channel": NotificationChannel.DINGTALK.value, "recipients": "", "cc": "",
                         "body_text": m.markdown, "body_html": None, "status": NotificationStatus.PENDING.value,
                         "last_error": None})
    table = cast(sa.Table, Notification.__table__)  # a mapped class's __table__ is typed FromClause
    ids: dict[tuple[str, str], int] = {}
    for start in range(0, len(rows), BATCH):
        stmt = (_insert(table).values(rows[start:start + BATCH])
                .on_conflict_do_nothing(index_elements=["key", "channel"])
                .returning(table.c.id, table.c.key, table.c.channel))
        ids.update({(key, str(channel)): new_id for new_id, key, channel in db.session.execute(stmt)})
    result: list[int | None] = []
    audited: list[tuple[int, str]] = []
    seen: set[tuple[str, str]] = set()
    labels = {m.key: m.kind.label for m in messages}
    for row in rows:
        which = (str(row["key"]), str(row["channel"]))
        new_id = None if which in seen else ids.get(which)  # a key twice in one batch is queued once
        seen.add(which)
        if row["channel"] == NotificationChannel.EMAIL.value:
            result.append(new_id)
        if new_id is not None:
            failure = row["last_error"]
            channel = "钉钉" if row["channel"] == NotificationChannel.DINGTALK.value else ""
            audited.append((new_id, f"{channel}{labels[which[0]]}入队 {which[0]}"
                                    + (f"（无法投递：{failure}）" if failure else "")))
    record_bulk(None, "notification.queue", "Notification", audited, now=now)
    return result


# -- reading and resending ------------------------------------------------------------------------

def list_outbox(*, statuses: Sequence[NotificationStatus] | None = None, limit: int = 200,
                where: sa.ColumnElement[bool] | None = None) -> list[Notification]:
    """Return outbox rows (those ``where`` selects: permissions.own_notifications), problems first, newest first
    (units and people eager-loaded)."""
    query = sa.select(Notification).options(sa.orm.joinedload(Notification.unit), sa.orm.joinedload(Notification.user))
    if where is not None:
        query = query.where(where)
    if statuses:
        query = query.where(Notification.status.in_(list(statuses)))
    problem_first = sa.case((Notification.status.in_([NotificationStatus.DEAD, NotificationStatus.FAILED]), 0),
                            else_=1)
    return list(db.session.scalars(query.order_by(problem_first, Notification.id.desc()).limit(limit)))


def status_counts(where: sa.ColumnElement[bool] | None = None) -> dict[NotificationStatus, int]:
    """Return how many rows (of those ``where`` selects) are in each status."""
    query = sa.select(Notification.status, sa.func.count())
    if where is not None:
        query = query.where(where)
    rows = db.session.execute(query.group_by(Notification.status))
    counts = dict.fromkeys(NotificationStatus, 0)
    counts.update(dict(rows.tuples().all()))
    return counts


def resend(notification_id: int, *, actor: User, now: dt.datetime,
           recipients: Callable[[Notification], Recipients | tuple[Sequence[str], Sequence[str]]] | None = None,
           ) -> Notification:
    """Put a failed or dead message back in the queue (recipients re-read when it had none).

    Whom to re-read is :func:`tasktrack.services.recipients.for_notification`; ``recipients`` is kept for
    callers that pass their own (a callable returning Recipients or ``(to, cc)``).
    """
    row = db.session.get(Notification, notification_id)
    if row is None:
        raise NotFound("消息不存在")
    if row.status not in (NotificationStatus.DEAD, NotificationStatus.FAILED):
        raise Conflict("只有发送失败的消息可以重新发送")
    if row.channel is NotificationChannel.EMAIL and not row.to_list:
        found = (recipients or addressees.for_notification)(row)
        to, cc = (found.to, found.cc) if not isinstance(found, tuple) else found
        # Keep whom the message already copies (a 督办 notice's leader and office): its text says so.
        row.recipients = "\n".join(to)
        row.cc = "\n".join(dict.fromkeys(a for a in (*row.cc_list, *cc) if a not in to))
        if not to:
            raise Conflict("该单位仍没有任何邮箱地址，请先在单位管理中登记联系邮箱")
    before = {"status": row.status.value, "attempts": row.attempts}
    row.status, row.next_attempt_at, row.attempts, row.claimed_by = NotificationStatus.PENDING, now, 0, None
    db.session.flush()
    record(actor, "notification.resend", row, now=now, summary=f"重新发送 {row.key}", before=before,
           after={"status": row.status.value})
    return row
