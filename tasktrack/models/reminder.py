"""The e-mail outbox (Notification), the log of reminder items already sent, digest preferences and the
scheduler lock row (DESIGN §4, RELIABILITY §1–§2)."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tasktrack.models.base import Base, str_enum
from tasktrack.models.unit import Unit
from tasktrack.models.user import User


class NotificationKind(enum.StrEnum):
    """What a message is."""

    REMINDER = "reminder"  # the daily per-unit list of due items
    URGE = "urge"  # 一键催办 by the secretariat
    LIAISON_DIGEST = "liaison_digest"
    SECRETARIAT_DIGEST = "secretariat_digest"
    MEETING_NOTICE = "meeting_notice"  # 联络员会议通知, once per meeting and invited unit

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return NOTIFICATION_KIND_LABELS[self]


NOTIFICATION_KIND_LABELS = {
    NotificationKind.REMINDER: "到期提醒",
    NotificationKind.URGE: "催办",
    NotificationKind.LIAISON_DIGEST: "联络员周报",
    NotificationKind.SECRETARIAT_DIGEST: "专班周报",
    NotificationKind.MEETING_NOTICE: "会议通知",
}


class NotificationChannel(enum.StrEnum):
    """How a message goes out: e-mail over SMTP, or a DingTalk (浙政钉) group robot."""

    EMAIL = "email"
    DINGTALK = "dingtalk"

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return NOTIFICATION_CHANNEL_LABELS[self]


NOTIFICATION_CHANNEL_LABELS = {
    NotificationChannel.EMAIL: "邮件",
    NotificationChannel.DINGTALK: "钉钉",
}


class NotificationStatus(enum.StrEnum):
    """Where a message stands in the outbox."""

    PENDING = "pending"  # waiting for its first attempt
    SENDING = "sending"  # claimed by a delivery worker
    SENT = "sent"  # accepted by the SMTP server
    FAILED = "failed"  # a transient failure; retried at next_attempt_at
    DEAD = "dead"  # a permanent failure, too many attempts, or no recipients: needs a person

    @property
    def label(self) -> str:
        """Return the Chinese name shown in the UI."""
        return NOTIFICATION_STATUS_LABELS[self]


NOTIFICATION_STATUS_LABELS = {
    NotificationStatus.PENDING: "待发送",
    NotificationStatus.SENDING: "发送中",
    NotificationStatus.SENT: "已发送",
    NotificationStatus.FAILED: "发送失败，将重试",
    NotificationStatus.DEAD: "无法投递",
}

#: Statuses a delivery worker may claim (when next_attempt_at has come).
DELIVERABLE = (NotificationStatus.PENDING.value, NotificationStatus.FAILED.value)


class Notification(Base):
    """One message to send (outbox row): written by the sweep, digests or urging; sent by delivery."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The delivery job's "due and unsent" query.
        sa.Index("ix_notifications_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        # One row per message and channel (R2): the e-mail and the robot message never hold each other back.
        sa.UniqueConstraint("key", "channel", name="uq_notifications_key_channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Idempotency key, e.g. "reminders:<unit>:<date>", "digest:user:<id>:<iso week>"; UNIQUE (R2).
    key: Mapped[str] = mapped_column(sa.String(200))
    #: E-mail, or the DingTalk robot of the message's user (if any) or unit, resolved when it is sent.
    channel: Mapped[NotificationChannel] = mapped_column(str_enum(NotificationChannel, 16),
                                                        default=NotificationChannel.EMAIL,
                                                        server_default=NotificationChannel.EMAIL.value)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind))
    #: The unit the message is about (reminders, urging), if any.
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: The person the message is for (liaison digests), if any.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: The Asia/Shanghai day the message was made for.
    local_date: Mapped[dt.date] = mapped_column(index=True)
    #: Addresses, one per line (To); empty on a DingTalk row.
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    #: Addresses copied, one per line (Cc): the leader and the secretariat on a supervision notice.
    cc: Mapped[str] = mapped_column(sa.Text, default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[NotificationStatus] = mapped_column(
        str_enum(NotificationStatus), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not before this instant (retry backoff).
    next_attempt_at: Mapped[dt.datetime]
    #: The delivery worker holding the claim, and since when (a stale claim is reaped).
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    claimed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    #: The Message-ID header, derived from the key (stable across retries).
    message_id: Mapped[str | None] = mapped_column(sa.String(200))

    unit: Mapped[Unit | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def to_list(self) -> list[str]:
        return [a for a in self.recipients.split("\n") if a]

    @property
    def cc_list(self) -> list[str]:
        return [a for a in self.cc.split("\n") if a]

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.key} {self.status.value}>"


class NotificationItem(Base):
    """One reminder item (a DueItem) that went into a message; its UNIQUE key means it is sent once.

    A message shows one line per assignment (its highest rung); the lower rungs due with it are covered by
    that line and recorded here too, with the same message, so they are never sent later on their own.
    """

    __tablename__ = "notification_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The DueItem key, e.g. "a:12:due_soon:14:2024-07-31".
    item_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id"), index=True)
    #: The reminder_policy MessageKind value.
    kind: Mapped[str] = mapped_column(sa.String(32))
    #: None for a focus-choice item.
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignments.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: The deadline or period end the item is about.
    anchor: Mapped[dt.date]
    days: Mapped[int]
    created_at: Mapped[dt.datetime]

    notification: Mapped[Notification] = relationship()


class DigestPreference(Base):
    """A liaison's choice for the weekly digest: the weekday, or paused."""

    __tablename__ = "digest_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    #: 0 = Monday … 6 = Sunday.
    weekday: Mapped[int] = mapped_column(default=0)
    is_paused: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime]

    __table_args__ = (sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),)


class SchedulerLock(Base):
    """The scheduler lock on SQLite: one row per lock name, held while the heartbeat keeps it fresh."""

    __tablename__ = "scheduler_locks"

    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    #: host:pid:random of the holding scheduler process.
    holder: Mapped[str] = mapped_column(sa.String(100))
    heartbeat_at: Mapped[dt.datetime]
    #: Another process may take the lock after this instant (the holder died).
    expires_at: Mapped[dt.datetime]
