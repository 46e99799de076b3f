"""Deliver the outbox: claim due rows, send them by e-mail or to DingTalk robots, record results (RELIABILITY §2).

Everything that sends mail writes a Notification row with a unique key and channel (services/outbox.py);
only :func:`deliver_due` talks to the SMTP server and the robots. Delivery is the one operation here that commits by
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
from typing import Any, cast

import sqlalchemy as sa

from tasktrack import dingtalk, mail
from tasktrack.extensions import db
from tasktrack.models import Notification, NotificationChannel, NotificationStatus
from tasktrack.services import robots

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
    robot_settings: dingtalk.RobotSettings | None = None,
    post: Callable[[dingtalk.RobotMessage, dingtalk.Robot, dingtalk.RobotSettings], None] = dingtalk.send,
) -> DeliveryReport:
    """Send every due outbox row (or only the rows ``only``, or those ``where`` selects) once; commits per step, see
    the module docstring.

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
        ids = db.session.scalars(
            sa.select(Notification.id)
            .where(_due(now(), ignore_backoff), channels,
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
                _deliver_one(notification_id, worker, now, policy, report,
                             lambda row: _sender(row, settings, send, robot_settings, post))
            if limit is not None and len(tried) >= limit:
                break
    return report


def same_message(notification_id: int) -> sa.ColumnElement[bool]:
    """Select the rows of the message ``notification_id`` belongs to, on every channel (for ``where``)."""
    return Notification.key == sa.select(Notification.key).where(Notification.id == notification_id).scalar_subquery()


def _sender(row: Notification, settings: mail.SmtpSettings,
            send: Callable[[mail.OutgoingMessage, mail.SmtpSettings], None],
            robot_settings: dingtalk.RobotSettings | None,
            post: Callable[[dingtalk.RobotMessage, dingtalk.Robot, dingtalk.RobotSettings], None],
            ) -> tuple[Callable[[], None], str | None]:
    """Return how to send ``row`` on its channel (read now, sent once the transaction is over) and its Message-ID."""
    if row.channel is NotificationChannel.DINGTALK:
        assert robot_settings is not None
        message = dingtalk.RobotMessage(key=row.key, title=row.subject, text=row.body_text)
        try:
            robot = robots.robot_for(row, robot_settings)
        except dingtalk.PermanentRobotError as exc:
            error = exc

            def refuse() -> None:
                raise error
            return refuse, None
        return (lambda: post(message, robot, robot_settings)), None
    email = mail.OutgoingMessage(key=row.key, to=tuple(row.to_list), subject=row.subject, text=row.body_text,
                                 html=row.body_html, cc=tuple(row.cc_list))
    return (lambda: send(email, settings)), mail.message_id_for(row.key, settings.mail_from.rpartition("@")[2])


def _deliver_one(notification_id: int, worker: str, now: Callable[[], dt.datetime], policy: DeliveryPolicy,
                 report: DeliveryReport, prepare: Callable[[Notification], tuple[Callable[[], None], str | None]],
                 ) -> None:
    row = db.session.get(Notification, notification_id, populate_existing=True)
    assert row is not None
    attempts = row.attempts
    send_now, message_id = prepare(row)
    db.session.commit()  # no transaction (and on SQLite no write lock) while we talk to the server
    try:
        send_now()
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


