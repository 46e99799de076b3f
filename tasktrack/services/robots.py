"""DingTalk group robots of units and people: set, replace or clear one; find the robot a message goes to.

A unit's robot (set by its work group's secretariat) receives the unit's reminders and urging; a person's own
robot (set on their account page) receives their weekly digest. The signing secret is sealed at rest
(tasktrack/dingtalk.py) and never leaves this module in the clear except to sign a request: the audit trail
records the webhook with its token masked and the secret only as 已设置/未设置/已更换.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection

import sqlalchemy as sa

from tasktrack import dingtalk
from tasktrack.domain.robots import RobotInputError, clean_secret, clean_webhook, mask_webhook
from tasktrack.extensions import db
from tasktrack.models import Notification, Unit, User
from tasktrack.services import ServiceError
from tasktrack.services.audit import record

logger = logging.getLogger(__name__)

SET, UNSET, REPLACED = "已设置", "未设置", "已更换"


def describe(owner: Unit | User) -> dict[str, str]:
    """Return what a page or the audit may show of an owner's robot: the masked webhook and 已设置/未设置."""
    return {"dingtalk_webhook": mask_webhook(owner.dingtalk_webhook),
            "dingtalk_secret": SET if owner.dingtalk_secret else UNSET}


def set_robot(owner: Unit | User, *, actor: User, webhook: str, secret: str, clear: bool, now: dt.datetime,
              settings: dingtalk.RobotSettings) -> bool:
    """Set, replace or (``clear``) remove the robot of a unit or person (flushes); returns whether it changed.

    An empty ``webhook`` or ``secret`` keeps the one on file (so replacing the secret needs no retyping of the
    URL, and the secret is never sent back to a page); a robot needs both. Bad input changes nothing.
    """
    before = describe(owner)
    if clear:
        if owner.dingtalk_webhook is None and owner.dingtalk_secret is None:
            return False
        owner.dingtalk_webhook = owner.dingtalk_secret = None
        summary = "清除钉钉机器人"
    else:
        try:
            url = clean_webhook(webhook) if webhook.strip() or not owner.dingtalk_webhook else owner.dingtalk_webhook
            plain = clean_secret(secret) if secret.strip() or not owner.dingtalk_secret else None
        except RobotInputError as exc:
            raise ServiceError(exc.message, field=exc.field) from None
        if url == owner.dingtalk_webhook and plain is None:
            return False
        owner.dingtalk_webhook = url
        if plain is not None:
            owner.dingtalk_secret = dingtalk.seal(plain, settings)
        summary = "设置钉钉机器人"
    db.session.flush()
    after = describe(owner)
    if not clear and secret.strip() and before["dingtalk_secret"] == SET:
        after["dingtalk_secret"] = REPLACED
    name = owner.name
    record(actor, "unit.robot" if isinstance(owner, Unit) else "user.robot", owner, now=now,
           summary=f"{summary}：{name}", before=before, after=after)
    logger.info("robot of %s %s %s", type(owner).__name__, owner.id, "cleared" if clear else "set")
    return True


def with_robots(unit_ids: Collection[int], user_ids: Collection[int]) -> tuple[set[int], set[int]]:
    """Return which of these units and (active) users have a robot (two small queries at most)."""
    units: set[int] = set()
    users: set[int] = set()
    if unit_ids:
        units = set(db.session.scalars(sa.select(Unit.id).where(
            Unit.id.in_(list(unit_ids)), Unit.dingtalk_webhook.is_not(None), Unit.dingtalk_secret.is_not(None))))
    if user_ids:
        users = set(db.session.scalars(sa.select(User.id).where(
            User.id.in_(list(user_ids)), User.is_active.is_(True), User.dingtalk_webhook.is_not(None),
            User.dingtalk_secret.is_not(None))))
    return units, users


def robot_for(row: Notification, settings: dingtalk.RobotSettings) -> dingtalk.Robot:
    """Return the robot a DingTalk row goes to now: its person's if it has one, else its unit's.

    Read at delivery, so a robot fixed after a failure is used by 重新发送. PermanentRobotError when it was
    removed since, or its secret cannot be read.
    """
    owner: Unit | User | None = (db.session.get(User, row.user_id) if row.user_id is not None
                                 else db.session.get(Unit, row.unit_id) if row.unit_id is not None else None)
    if owner is None or not owner.dingtalk_webhook or not owner.dingtalk_secret:
        raise dingtalk.PermanentRobotError("未设置钉钉机器人（可能已被清除），请先设置后再重新发送")
    return dingtalk.Robot(owner.dingtalk_webhook, dingtalk.unseal(owner.dingtalk_secret, settings))
