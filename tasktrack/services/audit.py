"""Record audit events: who did what to which object, when, before and after."""

from __future__ import annotations

import datetime as dt
import enum
import logging
from typing import Any

import sqlalchemy as sa

from tasktrack.extensions import db
from tasktrack.models import AuditEvent, User

logger = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: object, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return a JSON-able dict of some attributes of an object."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    actor: User | None,
    action: str,
    obj: object,
    *,
    now: dt.datetime,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for a write to ``obj`` (flushed with the rest of the unit of work)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        actor_unit_id=actor.unit_id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        created_at=now,
    )
    db.session.add(event)
    logger.info(
        "audit %s %s#%s by %s: %s",
        action,
        event.object_type,
        event.object_id,
        actor.email if actor else "system",
        summary,
    )
    return event


def record_bulk(actor: User | None, action: str, object_type: str, entries: list[tuple[int, str]], *,
                now: dt.datetime) -> None:
    """Add one audit event per (object id, summary) in a single INSERT (rows queued by the thousand)."""
    if not entries:
        return
    db.session.execute(sa.insert(AuditEvent), [
        {"actor_id": actor.id if actor is not None else None,
         "actor_unit_id": actor.unit_id if actor is not None else None, "action": action, "object_type": object_type,
         "object_id": object_id, "summary": summary[:500], "created_at": now}
        for object_id, summary in entries])
    for object_id, summary in entries:
        logger.info("audit %s %s#%s by %s: %s", action, object_type, object_id,
                    actor.email if actor else "system", summary)
