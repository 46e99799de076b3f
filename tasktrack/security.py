"""Web security: login loading, safe redirects, security headers, CSRF failures, 403/404 pages.

A form view's bad CSRF token is its form's error (web/forms.py); every other write is refused here with 400.

The error pages themselves (every HTTP error, Chinese page or JSON under /api) live in web/errors.py.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, TypeGuard
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, Response, request
from flask_wtf.csrf import CSRFError

from tasktrack import db_engine, settings
from tasktrack.extensions import db, login_manager
from tasktrack.models import User
from tasktrack.permissions import PermissionDenied
from tasktrack.services import NotFound
from tasktrack.web import errors, forms, page_cache, params
from tasktrack.web.errors import ERROR_TEXT  # noqa: F401  (re-exported for older callers)

logger = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Return whether a `next` value is a path on this site (R18): no scheme, host, backslash or control char.

    A type guard: where it answers yes, the value is a ``str`` (not None) for the type checker too."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch == "\\" or ord(ch) < 33 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


#: Every request's first statement: the signed-in user (with the unit, User.unit's joined load), built once, so no
#: request builds it or works out its cache key again (``session.get`` does both).
_USER = sa.select(User).where(User.id == sa.bindparam("user_id"))


def load_user(identity: str) -> User | None:
    """Return the user of a session or remember-me cookie, if its session token is still current (R9)."""
    user_id, _, token = identity.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.execute(_USER, {"user_id": int(user_id)}).scalar_one_or_none()
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def init_app(app: Flask) -> None:
    """Install the security hooks on the app."""
    # Before the blueprints register: their `<int:…>` rules must use the id converter.
    params.init_app(app)
    errors.init_app(app)
    forms.init_app(app)
    page_cache.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @app.before_request
    def _mark_write_intent() -> None:
        db_engine.write_intent.set(request.method not in SAFE_METHODS)

    hsts = settings.of(app).hsts

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        # A form view's bad token never gets here: its form shows it (web/forms.py). This is every other write.
        logger.warning("CSRF refused on %s %s: %s", request.method, request.path, error.description)
        if request.blueprint == "api":
            return {"error": "CSRF 校验失败"}, 400
        return errors.error_page(400, title="安全校验未通过",
                                 message="页面已过期或来源无效，请返回上一页刷新后重新提交。")

    @app.errorhandler(PermissionDenied)
    def _forbidden(_error: PermissionDenied) -> Any:
        return errors.error_page(403)

    @app.errorhandler(NotFound)
    def _not_found(_error: NotFound) -> Any:
        return errors.error_page(404)
