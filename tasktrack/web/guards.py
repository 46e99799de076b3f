"""Blueprint guards: each blueprint asks the policy module once, before every request."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack.extensions import login_manager
from tasktrack.permissions import Action, PermissionDenied, can
from tasktrack.web.scope import check_view_args


def guard_blueprint(bp: Blueprint, action: Action | None) -> None:
    """Require a signed-in user for every route of ``bp``, who may do ``action`` when one is given, and whose part
    of the work-group tree holds every object the URL names (403 otherwise, web/scope.py)."""

    @bp.before_request
    def _guard() -> ResponseReturnValue | None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if action is not None and not can(current_user, action):
            raise PermissionDenied(action.value)
        check_view_args(current_user)  # an object of another part of the tree: 403 (web/scope.py)
        return None
