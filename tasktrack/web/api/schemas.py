"""JSON shapes shared by the API modules: serializers and the OpenAPI schemas that describe them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tasktrack.models import Attachment, ProgressReport, Unit
from tasktrack.services.read.overdue import ListRow, ListUnit
from tasktrack.services.read.overview import AssignmentRow


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
LIGHTS = ["red", "yellow", "green", "done"]
STATUSES = ["not_started", "in_progress", "completed"]

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"}, "field": nullable({"type": "string"}),
        "code": {"type": "string", "description": "拒绝原因代码（如 invalid、conflict、locked）"}}},
    "UnitRef": {"type": "object", "required": ["id", "name"], "additionalProperties": False, "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}}},
    "Assignment": {"type": "object", "additionalProperties": False, "required": [
        "id", "task", "unit", "is_lead", "status", "percent", "completed_on", "due_date", "extended_due",
        "light", "reason", "days_left", "last_reported_at", "completion_state", "is_open", "acknowledged_at",
        "handler_name", "handler_phone"], "properties": {
        "id": {"type": "integer"},
        "task": {"type": "object", "additionalProperties": False,
                 "required": ["id", "number", "text", "plan_id", "section", "deadline_phrase"], "properties": {
                     "id": {"type": "integer"}, "number": {"type": "integer"}, "text": {"type": "string"},
                     "plan_id": {"type": "integer"}, "section": {"type": "integer"},
                     "deadline_phrase": {"type": "string"}}},
        "unit": ref("UnitRef"),
        "is_lead": {"type": "boolean"},
        "status": {"type": "string", "enum": STATUSES},
        "percent": nullable({"type": "integer", "minimum": 0, "maximum": 100}),
        "completed_on": nullable(DATE),
        "due_date": nullable(DATE),
        "extended_due": nullable(DATE),
        "light": {"type": "string", "enum": LIGHTS},
        "reason": {"type": "string", "enum": ["overdue", "due_soon", "stale", "on_track", "completed",
                                              "completed_late"]},
        "days_left": nullable({"type": "integer"}),
        "last_reported_at": nullable(DATETIME),
        "completion_state": {"type": "string", "enum": ["none", "claimed", "confirmed", "returned"]},
        "is_open": {"type": "boolean"},
        "acknowledged_at": nullable({**DATETIME, "description": "签收时间；null 为待签收"}),
        "handler_name": nullable({"type": "string", "description": "承办人"}),
        "handler_phone": nullable({"type": "string", "description": "承办人联系电话"})}},
    "Attachment": {"type": "object", "additionalProperties": False, "required": ["id", "name", "size", "url"],
                   "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                  "size": {"type": "integer"}, "url": {"type": "string"}}},
    "Report": {"type": "object", "additionalProperties": False, "required": [
        "id", "created_at", "author", "status", "percent", "completed_on", "narrative", "supersedes_id",
        "attachments"], "properties": {
        "id": {"type": "integer"}, "created_at": DATETIME,
        "author": {"type": "object", "required": ["id", "name"], "additionalProperties": False,
                   "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "status": {"type": "string", "enum": STATUSES},
        "percent": nullable({"type": "integer", "minimum": 0, "maximum": 100}),
        "completed_on": nullable(DATE), "narrative": {"type": "string"},
        "supersedes_id": nullable({"type": "integer"}),
        "attachments": {"type": "array", "items": ref("Attachment")}}},
}


def unit_ref(unit: Unit | ListUnit) -> dict[str, Any]:
    return {"id": unit.id, "name": unit.name}


def assignment_json(row: AssignmentRow | ListRow) -> dict[str, Any]:
    """Serialize an assignment with its light (task, section and unit loaded; or an overdue list's columns)."""
    a, task = row.assignment, row.assignment.task
    return {
        "id": a.id,
        "task": {"id": task.id, "number": task.number, "text": task.text, "plan_id": task.plan_id,
                 "section": task.section.number, "deadline_phrase": task.deadline_phrase},
        "unit": unit_ref(a.unit),
        "is_lead": a.is_lead,
        "status": a.status.value,
        "percent": a.percent,
        "completed_on": a.completed_on.isoformat() if a.completed_on else None,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "extended_due": a.extended_due.isoformat() if a.extended_due else None,
        "light": row.light.light.value,
        "reason": row.light.reason.value,
        "days_left": row.light.days_left,
        "last_reported_at": a.last_reported_at.isoformat() if a.last_reported_at else None,
        "completion_state": a.completion_state.value,
        "is_open": a.is_open,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
        "handler_name": a.handler_name,
        "handler_phone": a.handler_phone,
    }


def report_json(
    report: ProgressReport, files: list[Attachment], url_for_file: Callable[[int], str],
) -> dict[str, Any]:
    """Serialize a progress report with its attachments."""
    return {
        "id": report.id,
        "created_at": report.created_at.isoformat(),
        "author": {"id": report.author.id, "name": report.author.name},
        "status": report.status.value,
        "percent": report.percent,
        "completed_on": report.completed_on.isoformat() if report.completed_on else None,
        "narrative": report.narrative,
        "supersedes_id": report.supersedes_id,
        "attachments": [{"id": f.id, "name": f.original_name, "size": f.size, "url": url_for_file(f.id)}
                        for f in files],
    }

