"""The work-group net under every route: an object a URL names that lies outside the reader's part of the tree is 403.

Every guarded blueprint (web/guards.py, and the API after its token check) runs :func:`check_view_args` before the
view: each id in the URL (``/assignments/<assignment_id>``, ``/units/<unit_id>``, ``/work-groups/<group_id>``, …) is
loaded and the policy asked ``permissions.reads`` — the work-group half of ``can(VIEW_*, obj)``. Outside the tree the
answer is 403 (the Chinese page, or JSON under /api): a sibling city's or the province's object exists but is not
this reader's (issue 12 asks a city secretariat to be refused with 403). A missing object is left to the view (its
own 404). What a reader of the tree may then do with the object (report, review, administer) is still the
view's question to permissions.py; a route added later with one of these names is covered without a line of its own.

One query per id in the URL (the identity map serves the view's own load), never per row.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, g, request

from tasktrack.extensions import db
from tasktrack.models import (
    Attachment,
    CaseReport,
    ExtensionRequest,
    Matter,
    Meeting,
    Notification,
    Plan,
    PlanImport,
    Task,
    Unit,
    User,
    WorkGroup,
)
from tasktrack.permissions import reads
from tasktrack.permissions.files import attachment_owner
from tasktrack.services.assignments import load_assignment


def _get(model: type) -> Callable[[int], object | None]:
    return lambda object_id: db.session.get(model, object_id)


def _extension(request_id: int) -> object | None:
    found = db.session.get(ExtensionRequest, request_id)
    return found.assignment if found is not None else None


def _attachment(attachment_id: int) -> object | None:
    found = db.session.get(Attachment, attachment_id)
    return attachment_owner(found) if found is not None else None


#: URL parameter → how to load the object whose work group decides (None: missing, the view answers).
OBJECTS: dict[str, Callable[[int], object | None]] = {
    "plan_id": _get(Plan),
    "task_id": _get(Task),
    "assignment_id": load_assignment,  # with its unit, task and plan: the view finds it in the session
    "unit_id": _get(Unit),
    "case_id": _get(CaseReport),
    "import_id": _get(PlanImport),
    "user_id": _get(User),
    "notification_id": _get(Notification),
    "request_id": _extension,
    "attachment_id": _attachment,
    "group_id": _get(WorkGroup),
    "matter_id": _get(Matter),
    "meeting_id": _get(Meeting),
}


def check_view_args(user: User) -> None:
    """Abort with 403 when an object the URL names lies outside the user's part of the work-group tree."""
    for name, value in (request.view_args or {}).items():
        load = OBJECTS.get(name)
        if load is None or not isinstance(value, int):
            continue
        obj = load(value)
        if obj is not None and not reads(user, obj):
            abort(403)
        # Held for the request: the session's identity map keeps objects only while someone does.
        g.setdefault("_tasktrack_url_objects", []).append(obj)
