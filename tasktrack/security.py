"""Web security: login loading, safe redirects, security headers, CSRF failures, 403/404 pages.

The error pages themselves (every HTTP error, Chinese page or JSON under /api) live in web/errors.py.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, flash, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tasktrack import db_engine, settings
from tasktrack.extensions import db, login_manager
from tasktrack.models import User
from tasktrack.permissions import PermissionDenied
from tasktrack.services import NotFound
from tasktrack.web import errors, params
from tasktrack.web.errors import ERROR_TEXT  # noqa: F401  (re-exported for older callers)

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_safe_next(target: str | None) -> bool:
    """Return whether a `next` value is a path on this site (R18): no scheme, host, backslash or control char."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch == "\\" or ord(ch) < 33 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def rerender_on_csrf_error(view: F) -> F:
    """Mark a form view whose own FlaskForm validation refuses a bad CSRF token and re-renders the input."""
    view._rerender_on_csrf_error = True  # type: ignore[attr-defined]  # a mark on the view function, read by the CSRF handler
    return view


def load_user(identity: str) -> User | None:
    """Return the user of a session or remember-me cookie, if its session token is still current (R9)."""
    user_id, _, token = identity.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def init_app(app: Flask) -> None:
    """Install the security hooks on the app."""
    # Before the blueprints register: their `<int:…>` rules must use the id converter.
    params.init_app(app)
    errors.init_app(app)
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
        logger.warning("CSRF refused on %s %s: %s", request.method, request.path, error.description)
        if request.blueprint == "api":
            return {"error": "CSRF 校验失败"}, 400
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "_rerender_on_csrf_error", False) and not g.get("csrf_rerender"):
            # The view's own FlaskForm fails on the same token, so it changes nothing and shows the form
            # again with what the user typed.
            g.csrf_rerender = True
            try:
                # The CSRF check ran first among the before-request hooks; run the others now (the blueprint
                # guards among them), so the re-render is exactly as authorised as a normal request.
                early = _run_remaining_before_request(app)
                if early is not None:
                    return early
                flash("页面已过期或安全校验未通过，请检查后重新提交（已保留您填写的内容）。", "danger")
                response = app.make_response(view(**(request.view_args or {})))  # type: ignore[arg-type]  # no async views
            except PermissionDenied:
                return _error_page(403)
            except NotFound:
                return _error_page(404)
            except HTTPException as exc:
                return errors.handle_http(exc)
            response.status_code = 400
            return response
        return render_template("errors/error.html", code=400, title="安全校验未通过",
                               message="页面已过期或来源无效，请返回上一页刷新后重新提交。"), 400

    @app.errorhandler(PermissionDenied)
    def _forbidden(_error: PermissionDenied) -> Any:
        return _error_page(403)

    @app.errorhandler(NotFound)
    def _not_found(_error: NotFound) -> Any:
        return _error_page(404)


def _run_remaining_before_request(app: Flask) -> Any:
    """Run the app's and the blueprints' before-request hooks except the CSRF check; return an early response."""
    names: list[str | None] = [None, *reversed(request.blueprints)]
    for name in names:
        for func in app.before_request_funcs.get(name, ()):
            if getattr(func, "__name__", "") == "csrf_protect":
                continue
            result = func()
            if result is not None:
                return result
    return None


def _error_page(code: int) -> tuple[Any, int]:
    """Return the app's error response for ``code`` (kept for callers; see web/errors.py)."""
    return errors.error_page(code)
