"""The JSON API under /api/v1: bearer tokens, the same policy module as the pages, JSON errors.

HTTP errors (404, 405, 413, 500, …) get their JSON body from web/errors.py, which answers every /api path.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, g, jsonify, request
from werkzeug.wrappers import Response

from tasktrack import context, db_engine
from tasktrack.extensions import csrf, db
from tasktrack.models import User
from tasktrack.permissions import Action, PermissionDenied, can
from tasktrack.services import NotFound, ServiceError, users
from tasktrack.services.attachments import UploadsUnavailable
from tasktrack.services.read import overview
from tasktrack.web.scope import check_view_args

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies here: every call carries a bearer token


def api_error(message: str, status: int, **extra: Any) -> tuple[Response, int]:
    """Return a JSON error body with a status code."""
    return jsonify({"error": message, **extra}), status


@bp.before_request
def _authenticate() -> tuple[Response, int] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return api_error("需要 Bearer 令牌（flask --app wsgi users token --email …）", 401)
    writes = db_engine.write_intent.get()
    with db_engine.read_only():  # the token is only read: no call queues for the write lock to be checked
        row = users.active_token(token.strip())
        allowed = row is not None and can(row.user, Action.USE_API)
    if row is None or not allowed:
        db.session.rollback()
        return api_error("令牌无效或已停用", 401)
    user, now = row.user, context.now()
    if users.stamp_due(row.last_used_at, now):
        # The stamp is its own short write transaction, begun after this read one ends (db_engine.write_apart):
        # concurrent calls with one token then wait for the lock instead of failing on SQLite.
        token_id = row.id
        db_engine.write_apart(db.session, lambda: users.stamp_token(token_id, now=now))
    elif writes and db.session.get_bind().dialect.name == "sqlite":
        # End the read transaction: the call's own writes begin a write transaction (IMMEDIATE on SQLite) at
        # their first statement, rather than upgrading this one, which SQLite (WAL) may refuse at once.
        # PostgreSQL has no such upgrade: the call goes on in this transaction, its user still loaded.
        db.session.rollback()
    g.api_user = user
    check_view_args(user)  # an object of another part of the tree: JSON 403 (web/scope.py)
    return None


def api_user() -> User:
    """Return the user of the current API call."""
    return cast(User, g.api_user)


@bp.errorhandler(PermissionDenied)
def _forbidden(_exc: PermissionDenied) -> tuple[Response, int]:
    return api_error("没有权限", 403)


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> tuple[Response, int]:
    return api_error(exc.message, 404)


#: The refusals that clash with the current state (a duplicate, a stale version, a locked choice): 409; others 422.
CONFLICTS = frozenset({"conflict", "locked"})


@bp.errorhandler(ServiceError)
def _invalid(exc: ServiceError) -> tuple[Response, int]:
    """Every refused API write ends here (a view calls its service and commits; it catches nothing): nothing of it
    is kept, the status says why, ``field`` and ``code`` say where and what."""
    db.session.rollback()
    return api_error(exc.message, 409 if exc.code in CONFLICTS else 422, field=exc.field, code=exc.code)


@bp.errorhandler(UploadsUnavailable)
def unavailable(exc: UploadsUnavailable) -> tuple[Response, int]:
    """Answer 503 when files cannot be stored now (upload folder read-only or full); nothing was saved."""
    db.session.rollback()
    return api_error(exc.api_message, exc.http_status)


@bp.route("/me")
def me() -> Response:
    """Return the caller's account."""
    user = api_user()
    return jsonify({"id": user.id, "email": user.email, "name": user.name, "role": user.role.value,
                    "unit": {"id": user.unit.id, "name": user.unit.name} if user.unit else None})


@bp.route("/plans")
def plans() -> Response:
    """List the plans."""
    return jsonify({"plans": [
        {"id": p.id, "year": p.year, "title": p.title, "issuer": p.issuer, "document_number": p.document_number,
         "issued_on": p.issued_on.isoformat() if p.issued_on else None}
        for p in overview.list_plans(api_user())
    ]})


@bp.route("/plans/<int:plan_id>/tasks")
def plan_tasks(plan_id: int) -> Response:
    """List a plan's tasks with their assignments and lights."""
    view = overview.plan_view(plan_id, context.today())
    return jsonify({"plan": {"id": view.plan.id, "title": view.plan.title}, "tasks": [
        {
            "id": t.task.id, "number": t.task.number, "section": s.section.number,
            "section_title": s.section.title, "text": t.task.text,
            "deadline_phrase": t.task.deadline_phrase, "deadline_kind": t.task.deadline_kind.value,
            "due_date": t.task.due_date.isoformat() if t.task.due_date else None,
            "responsible_phrase": t.task.responsible_phrase,
            "light": t.light.light.value if t.light else None,
            "assignments": [
                {"id": r.assignment.id, "unit": {"id": r.unit.id, "name": r.unit.name},
                 "is_lead": r.assignment.is_lead, "status": r.assignment.status.value,
                 "percent": r.assignment.percent, "light": r.light.light.value,
                 "days_left": r.light.days_left}
                for r in t.rows
            ],
        }
        for s in view.sections for t in s.tasks
    ]})
