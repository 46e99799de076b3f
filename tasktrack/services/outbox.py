"""The e-mail outbox: enqueue messages idempotently, deliver them over SMTP, retry, resend (RELIABILITY §2).

Everything that sends mail writes a Notification row with a unique key (``enqueue``); only
:func:`deliver_due` talks to the SMTP server. Delivery is the one operation here that commits by
itself, because R4 needs the claim, the send and the result in separate transactions:

1. claim one row by compare-and-set (``UPDATE … WHERE id=:id AND status IN (pending, failed) AND
   next_attempt_at <= now``; proceed only when rowcount is 1 — no ``FOR UPDATE``, which SQLite ignores),
   commit; an operator's explicit delivery (``ignore_backoff``) drops the ``next_attempt_at`` condition,
   never the status one, so it sends failed rows that are still waiting out their backoff, but no dead
   row, and no row twice;
2. read the row, end the transaction, send (no transaction open while the SMTP server is talked to);
3. record the result in its own small transaction: sent; failed with a backed-off ``next_attempt_at``;
   or dead (permanent failure, too many attempts).

A worker that dies between 1 and 3 leaves the row in ``sending``; the reaper hands it back after
``OUTBOX_STALE_CLAIM_MINUTES`` (the only path to a duplicate, which then has the same Message-ID).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tasktrack import mail
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationKind, NotificationStatus, User
from tasktrack.services import Conflict, NotFound
from tasktrack.services import recipients as addressees
from tasktrack.services.audit import record, record_bulk

if TYPE_CHECKING:
    from tasktrack.notifications import Letter, Recipients

logger = logging.getLogger(__name__)

_DELIVERABLE = (NotificationStatus.PENDING, NotificationStatus.FAILED)


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retry settings of the delivery job (OUTBOX_*, typed in tasktrack/settings.py)."""

    max_attempts: int = 8
    backoff_base: float = 120.0
    backoff_cap: float = 3600.0
    stale_claim: dt.timedelta = dt.timedelta(minutes=15)

    def backoff(self, attempts: int, rng: Callable[[], float] = random.random) -> dt.timedelta:
        """Return the wait before attempt ``attempts + 1``: exponential, capped, with ±25 % jitter."""
        base = min(self.backoff_cap, self.backoff_base * 2 ** max(attempts - 1, 0))
        return dt.timedelta(seconds=base * (0.75 + 0.5 * rng()))


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

    @classmethod
    def of(cls, letter: Letter, *, key: str, kind: NotificationKind, local_date: dt.date,
           unit_id: int | None = None, user_id: int | None = None,
           undeliverable_reason: str | None = None) -> Outgoing:
        """Queue a composed letter (:func:`tasktrack.notifications.compose`) under ``key``."""
        return cls(key=key, kind=kind, local_date=local_date, to=letter.to, cc=letter.cc, subject=letter.subject,
                   text=letter.text, html=letter.html, unit_id=unit_id, user_id=user_id,
                   undeliverable_reason=undeliverable_reason)


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

    Returns the new row id of each message, in order; None where its key was already queued. Each new
    row gets its audit entry.
    """
    rows = []
    for m in messages:
        to = list(dict.fromkeys(m.to))
        cc = [a for a in dict.fromkeys(m.cc) if a not in to]
        reason = m.undeliverable_reason or (None if to else "没有收件人地址")
        status = NotificationStatus.DEAD if reason else NotificationStatus.PENDING
        rows.append({"key": m.key, "kind": m.kind.value, "unit_id": m.unit_id, "user_id": m.user_id,
                     "local_date": m.local_date, "recipients": "\n".join(to), "cc": "\n".join(cc),
                     "subject": mail.sanitize_header(m.subject)[:300], "body_text": m.text, "body_html": m.html,
                     "status": status.value, "attempts": 0, "next_attempt_at": now, "created_at": now,
                     "last_error": reason})
    table = cast(sa.Table, Notification.__table__)  # a mapped class's __table__ is typed FromClause
    ids: dict[str, int] = {}
    for start in range(0, len(rows), BATCH):
        stmt = (_insert(table).values(rows[start:start + BATCH]).on_conflict_do_nothing(index_elements=["key"])
                .returning(table.c.id, table.c.key))
        ids.update({key: new_id for new_id, key in db.session.execute(stmt)})
    result: list[int | None] = []
    audited: list[tuple[int, str]] = []
    seen: set[str] = set()
    for m, row in zip(messages, rows, strict=True):
        new_id = None if m.key in seen else ids.get(m.key)  # a key twice in one batch is queued once
        seen.add(m.key)
        if new_id is not None:
            failure = row["last_error"]
            audited.append((new_id, f"{m.kind.label}入队 {m.key}" + (f"（无法投递：{failure}）" if failure else "")))
        result.append(new_id)
    record_bulk(None, "notification.queue", "Notification", audited, now=now)
    return result


# -- delivery -------------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    reaped: int = 0


def worker_name() -> str:
    """Return a name for this delivery worker: host, process id and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _reap(now: dt.datetime, policy: DeliveryPolicy) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.status == NotificationStatus.SENDING,
               Notification.claimed_at < now - policy.stale_claim)
        .values(status=NotificationStatus.FAILED, claimed_by=None, next_attempt_at=now,
                last_error="发送中断（投递进程未回报结果），将重试")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return int(cast("sa.CursorResult[Any]", result).rowcount or 0)


def _due(now: dt.datetime, ignore_backoff: bool) -> sa.ColumnElement[bool]:
    """Rows a delivery may send: pending or failed, and (unless an operator asks now) past their backoff."""
    deliverable = Notification.status.in_(_DELIVERABLE)
    return deliverable if ignore_backoff else sa.and_(deliverable, Notification.next_attempt_at <= now)


def _claim(notification_id: int, worker: str, now: dt.datetime, ignore_backoff: bool = False) -> bool:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, _due(now, ignore_backoff))
        .values(status=NotificationStatus.SENDING, claimed_by=worker, claimed_at=now,
                attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return cast("sa.CursorResult[Any]", result).rowcount == 1


def _finish(notification_id: int, worker: str, **values: Any) -> None:
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id, Notification.claimed_by == worker,
               Notification.status == NotificationStatus.SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver_due(
    settings: mail.SmtpSettings,
    *,
    now: Callable[[], dt.datetime],
    policy: DeliveryPolicy = DeliveryPolicy(),
    worker: str | None = None,
    limit: int | None = None,
    only: Sequence[int] | None = None,
    send: Callable[[mail.OutgoingMessage, mail.SmtpSettings], None] = mail.send_message,
    ignore_backoff: bool = False,
    where: sa.ColumnElement[bool] | None = None,
) -> DeliveryReport:
    """Send every due outbox row (or only the rows ``only``, or those ``where`` selects) once; commits per step, see
    the module docstring.

    :param ignore_backoff: an operator's explicit delivery (``outbox deliver``, 立即发送 on the outbox page):
        failed rows are sent now even while their backoff runs (the SMTP server may just have come back);
        dead rows stay dead until resent. The scheduler's delivery keeps the backoff.
    """
    worker = worker or worker_name()
    report = DeliveryReport(reaped=_reap(now(), policy))
    tried: set[int] = set()
    while limit is None or len(tried) < limit:
        ids = db.session.scalars(
            sa.select(Notification.id)
            .where(_due(now(), ignore_backoff),
                   Notification.id.not_in(tried) if tried else sa.true(),
                   Notification.id.in_(only) if only is not None else sa.true(),
                   where if where is not None else sa.true())
            .order_by(Notification.id)
            .limit(50)
        ).all()
        db.session.commit()
        if not ids:
            break
        for notification_id in ids:
            tried.add(notification_id)
            if _claim(notification_id, worker, now(), ignore_backoff):
                _deliver_one(notification_id, settings, worker, now, policy, send, report)
            if limit is not None and len(tried) >= limit:
                break
    return report


def _deliver_one(notification_id: int, settings: mail.SmtpSettings, worker: str,
                 now: Callable[[], dt.datetime], policy: DeliveryPolicy,
                 send: Callable[[mail.OutgoingMessage, mail.SmtpSettings], None], report: DeliveryReport) -> None:
    row = db.session.get(Notification, notification_id, populate_existing=True)
    assert row is not None
    message = mail.OutgoingMessage(key=row.key, to=tuple(row.to_list), subject=row.subject, text=row.body_text,
                                   html=row.body_html, cc=tuple(row.cc_list))
    attempts = row.attempts
    db.session.commit()  # no transaction (and on SQLite no write lock) while we talk to the server
    message_id = mail.message_id_for(row.key, settings.mail_from.rpartition("@")[2])
    try:
        send(message, settings)
    except mail.PermanentMailError as exc:
        _finish(notification_id, worker, status=NotificationStatus.DEAD, last_error=str(exc)[:2000],
                claimed_by=None)
        report.dead.append(notification_id)
        logger.error("outbox %s dead: %s", notification_id, exc)
        return
    except mail.TransientMailError as exc:
        give_up = attempts >= policy.max_attempts
        _finish(notification_id, worker,
                status=NotificationStatus.DEAD if give_up else NotificationStatus.FAILED,
                last_error=(f"已尝试 {attempts} 次，放弃：" if give_up else "") + str(exc)[:2000],
                next_attempt_at=now() + policy.backoff(attempts), claimed_by=None)
        (report.dead if give_up else report.retried).append(notification_id)
        logger.warning("outbox %s attempt %s failed: %s", notification_id, attempts, exc)
        return
    _finish(notification_id, worker, status=NotificationStatus.SENT, sent_at=now(), last_error=None,
            message_id=message_id)
    report.sent.append(notification_id)


# -- reading and resending ------------------------------------------------------------------------

def list_outbox(*, statuses: Sequence[NotificationStatus] | None = None, limit: int = 200,
                where: sa.ColumnElement[bool] | None = None) -> list[Notification]:
    """Return outbox rows (those ``where`` selects: permissions.own_notifications), problems first, newest first
    (units eager-loaded)."""
    query = sa.select(Notification).options(sa.orm.joinedload(Notification.unit))
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
    if not row.to_list:
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
