"""Blueprint guards: each blueprint asks the policy module once, before every request."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tasktrack.extensions import login_manager
from tasktrack.permissions import Action, PermissionDenied, can


def guard_blueprint(bp: Blueprint, action: Action | None) -> None:
    """Require a signed-in user for every route of ``bp``, who may do ``action`` when one is given."""

    @bp.before_request
    def _guard() -> ResponseReturnValue | None:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if action is not None and not can(current_user, action):
            raise PermissionDenied(action.value)
        return None
