"""Deliver the outbox in batches: claim due rows, send them by e-mail or to DingTalk robots, record the results
(RELIABILITY §2, issue 16).

Everything that sends writes a Notification row with a unique key and channel (services/outbox.py); only
:func:`deliver_due` talks to the SMTP server and the robots. Delivery is the one operation here that commits by
itself, because R4 needs the claim, the send and the result in separate transactions. It works a batch
(``OUTBOX_BATCH_SIZE`` rows, 100) at a time:

1. claim the batch by compare-and-set in one transaction: pick the ids of due rows, then ``UPDATE … SET
   status=sending, claimed_by=me, attempts=attempts+1 WHERE id IN (…) AND status IN (pending, failed) AND
   next_attempt_at <= now RETURNING id`` — a row another worker took in between is simply not returned (no
   ``FOR UPDATE``, which SQLite ignores); an operator's explicit delivery (``ignore_backoff``) drops the
   ``next_attempt_at`` condition, never the status one, so it sends failed rows still waiting out their backoff,
   but no dead row, and no row twice. The rows are read and the transaction ends;
2. send with no transaction open: every e-mail of the batch over ONE SMTP connection (mail.SmtpSession), which
   is closed after a failed message and opened again for the next; when the server cannot be reached at all,
   the batch's remaining e-mails get that answer instead of each waiting for its own time-out. Robot messages go
   one request each;
3. record every result of the batch in one transaction: sent; failed with a backed-off ``next_attempt_at``; or
   dead (permanent failure, too many attempts). A row whose claim was taken from us (reaped) is left alone.

A batch stops sending when it has run for half of ``OUTBOX_STALE_CLAIM_MINUTES``; its unsent rows are handed
back as they were (attempt not counted), so the reaper never hands out a row that is still being sent.

A worker that dies between 1 and 3 leaves its batch in ``sending``; the reaper hands those rows back after
``OUTBOX_STALE_CLAIM_MINUTES``. That is the only path to a duplicate, as before: each row of the batch that
had been sent before the crash is sent at most once more, with the same Message-ID (mail clients show it once);
no row whose result was recorded is ever sent again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa

from tasktrack import dingtalk, mail
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationChannel, NotificationStatus
from tasktrack.services import robots

logger = logging.getLogger(__name__)

_DELIVERABLE = (NotificationStatus.PENDING, NotificationStatus.FAILED)

#: The batch's stopwatch (a name of our own, so a test can move it without moving everyone's clock).
monotonic = time.monotonic

Post = Callable[[dingtalk.RobotMessage, dingtalk.Robot, dingtalk.RobotSettings], None]


@dataclass(frozen=True)
class DeliveryPolicy:
    """Retry settings of the delivery job (OUTBOX_*, typed in tasktrack/settings.py)."""

    max_attempts: int = 8
    backoff_base: float = 120.0
    backoff_cap: float = 3600.0
    stale_claim: dt.timedelta = dt.timedelta(minutes=15)
    #: Rows claimed, sent (e-mail over one connection) and recorded together.
    batch_size: int = 100

    def backoff(self, attempts: int, rng: Callable[[], float] = random.random) -> dt.timedelta:
        """Return the wait before attempt ``attempts + 1``: exponential, capped, with ±25 % jitter."""
        base = min(self.backoff_cap, self.backoff_base * 2 ** max(attempts - 1, 0))
        return dt.timedelta(seconds=base * (0.75 + 0.5 * rng()))


@dataclass
class DeliveryReport:
    """What one delivery run did."""

    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    reaped: int = 0
    #: SMTP connections opened (one per batch when nothing fails).
    connections: int = 0


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


@dataclass
class _Claimed:
    """A claimed row, read before the transaction ends: how to send it, and how it stood before the claim."""

    id: int
    attempts: int
    was: NotificationStatus
    channel: NotificationChannel
    email: mail.OutgoingMessage | None = None
    message_id: str | None = None
    robot_message: dingtalk.RobotMessage | None = None
    robot: dingtalk.Robot | None = None
    refusal: mail.MailError | None = None


def _claim_batch(before: dict[int, NotificationStatus], worker: str, now: dt.datetime, ignore_backoff: bool,
                 settings: mail.SmtpSettings, robot_settings: dingtalk.RobotSettings | None) -> list[_Claimed]:
    """Claim the due rows among ``before`` (id → status when picked; one UPDATE … RETURNING), read them, commit;
    return them in id order."""
    table = cast(sa.Table, Notification.__table__)
    ids = list(before)
    claimed = db.session.execute(
        sa.update(table)
        .where(table.c.id.in_(ids), _due(now, ignore_backoff))
        .values(status=NotificationStatus.SENDING.value, claimed_by=worker, claimed_at=now,
                attempts=table.c.attempts + 1)
        .returning(table.c.id)
    ).scalars().all()
    rows = db.session.scalars(sa.select(Notification).where(Notification.id.in_(claimed))
                              .order_by(Notification.id).execution_options(populate_existing=True)).all()
    domain = settings.mail_from.rpartition("@")[2]
    out = []
    for row in rows:
        item = _Claimed(row.id, row.attempts, NotificationStatus(before.get(row.id, row.status)), row.channel)
        if row.channel is NotificationChannel.DINGTALK:
            assert robot_settings is not None
            item.robot_message = dingtalk.RobotMessage(key=row.key, title=row.subject, text=row.body_text)
            try:
                item.robot = robots.robot_for(row, robot_settings)
            except dingtalk.PermanentRobotError as exc:
                item.refusal = exc
        else:
            item.email = mail.OutgoingMessage(key=row.key, to=tuple(row.to_list), subject=row.subject,
                                              text=row.body_text, html=row.body_html, cc=tuple(row.cc_list))
            item.message_id = mail.message_id_for(row.key, domain)
        out.append(item)
    db.session.commit()  # no transaction (and on SQLite no write lock) while we talk to the servers
    return out


def deliver_due(
    settings: mail.SmtpSettings,
    *,
    now: Callable[[], dt.datetime],
    policy: DeliveryPolicy = DeliveryPolicy(),
    worker: str | None = None,
    limit: int | None = None,
    only: Sequence[int] | None = None,
    ignore_backoff: bool = False,
    where: sa.ColumnElement[bool] | None = None,
    robot_settings: dingtalk.RobotSettings | None = None,
    post: Post = dingtalk.send,
    session: Callable[[mail.SmtpSettings], mail.SmtpSession] = mail.SmtpSession,
) -> DeliveryReport:
    """Send every due outbox row (or only the rows ``only``, or those ``where`` selects) once, a batch at a time;
    commits per step, see the module docstring.

    :param ignore_backoff: an operator's explicit delivery (``outbox deliver``, 立即发送 on the outbox page):
        failed rows are sent now even while their backoff runs (the SMTP server may just have come back);
        dead rows stay dead until resent. The scheduler's delivery keeps the backoff.
    :param robot_settings: how to reach DingTalk robots; without them only e-mail rows are delivered.
    """
    worker = worker or worker_name()
    report = DeliveryReport(reaped=_reap(now(), policy))
    channels = sa.true() if robot_settings is not None else Notification.channel == NotificationChannel.EMAIL
    tried: set[int] = set()
    while limit is None or len(tried) < limit:
        size = policy.batch_size if limit is None else min(policy.batch_size, limit - len(tried))
        picked = db.session.execute(
            sa.select(Notification.id, Notification.status)
            .where(_due(now(), ignore_backoff), channels,
                   Notification.id.not_in(tried) if tried else sa.true(),
                   Notification.id.in_(only) if only is not None else sa.true(),
                   where if where is not None else sa.true())
            .order_by(Notification.id)
            .limit(size)
        ).tuples().all()
        if not picked:
            db.session.commit()
            break
        tried.update(i for i, _ in picked)
        batch = _claim_batch(dict(picked), worker, now(), ignore_backoff, settings, robot_settings)
        if batch:
            _send_batch(batch, worker, settings, robot_settings, post, session, now, policy, report)
    return report


def _send_batch(batch: list[_Claimed], worker: str, settings: mail.SmtpSettings,
                robot_settings: dingtalk.RobotSettings | None, post: Post,
                session: Callable[[mail.SmtpSettings], mail.SmtpSession], now: Callable[[], dt.datetime],
                policy: DeliveryPolicy, report: DeliveryReport) -> None:
    """Send a claimed batch (e-mail over one connection) and record every result in one transaction."""
    deadline = monotonic() + policy.stale_claim.total_seconds() / 2
    results: dict[int, mail.MailError | None] = {}
    unreachable: mail.SessionError | None = None
    with session(settings) as smtp:
        for item in batch:
            if monotonic() > deadline:
                break  # the rest is handed back before the reaper could think it abandoned
            try:
                if item.refusal is not None:
                    raise item.refusal
                if item.robot_message is not None and item.robot is not None and robot_settings is not None:
                    post(item.robot_message, item.robot, robot_settings)
                elif item.email is not None:
                    if unreachable is not None:
                        raise unreachable
                    smtp.send(item.email)
                results[item.id] = None
            except mail.SessionError as exc:
                unreachable = exc  # the server cannot be reached: the batch's other e-mails get the same answer
                results[item.id] = exc
            except mail.MailError as exc:
                results[item.id] = exc
        report.connections += smtp.connections
    _record(batch, results, worker, now(), policy, report)


def _record(batch: list[_Claimed], results: dict[int, mail.MailError | None], worker: str, now: dt.datetime,
            policy: DeliveryPolicy, report: DeliveryReport) -> None:
    """Write the batch's results in one transaction (a few executemany UPDATEs), guarded by our claim."""
    table = cast(sa.Table, Notification.__table__)
    ours = sa.and_(table.c.id == sa.bindparam("b_id"), table.c.claimed_by == worker,
                   table.c.status == NotificationStatus.SENDING.value)
    sent, failed, released = [], [], []
    for item in batch:
        if item.id not in results:
            released.append({"b_id": item.id, "b_status": item.was.value})
            continue
        error = results[item.id]
        if error is None:
            sent.append({"b_id": item.id, "b_mid": item.message_id})
            report.sent.append(item.id)
            continue
        permanent = isinstance(error, mail.PermanentMailError)
        give_up = permanent or item.attempts >= policy.max_attempts
        text = ("" if permanent or not give_up else f"已尝试 {item.attempts} 次，放弃：") + str(error)[:2000]
        failed.append({"b_id": item.id, "b_status": (NotificationStatus.DEAD if give_up else
                                                     NotificationStatus.FAILED).value,
                       "b_error": text, "b_next": now + policy.backoff(item.attempts)})
        (report.dead if give_up else report.retried).append(item.id)
        if permanent:
            logger.error("outbox %s dead: %s", item.id, error)
        else:
            logger.warning("outbox %s attempt %s failed: %s", item.id, item.attempts, error)
    if sent:
        db.session.execute(sa.update(table).where(ours).values(
            status=NotificationStatus.SENT.value, sent_at=now, last_error=None, message_id=sa.bindparam("b_mid")),
            sent)
    if failed:
        db.session.execute(sa.update(table).where(ours).values(
            status=sa.bindparam("b_status"), last_error=sa.bindparam("b_error"),
            next_attempt_at=sa.bindparam("b_next"), claimed_by=None), failed)
    if released:
        db.session.execute(sa.update(table).where(ours).values(
            status=sa.bindparam("b_status"), attempts=table.c.attempts - 1, claimed_by=None, claimed_at=None),
            released)
        logger.warning("outbox: %s rows handed back unsent (the batch ran too long)", len(released))
    db.session.commit()


def same_message(notification_id: int) -> sa.ColumnElement[bool]:
    """Select the rows of the message ``notification_id`` belongs to, on every channel (for ``where``)."""
    return Notification.key == sa.select(Notification.key).where(Notification.id == notification_id).scalar_subquery()
