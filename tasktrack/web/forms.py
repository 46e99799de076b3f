"""The one way a form view works: validate → call one service → commit, flash, redirect; or roll back and re-show.

A form view is ``@form_view``: it checks the CSRF token through its own FlaskForm (the ``csrf_token`` field),
so a bad token is a form error like any other — the page comes back with what was typed, status 400, nothing
written. Every other write (a view without a page to re-show, the API aside) keeps the app-wide CSRF check, which
refuses with the 400 page before the view runs (see :func:`init_app`). Two guards make "a forged token changes
nothing" true by construction rather than by each view's care: the session refuses to flush while the token is
bad, and a form view that would answer anything but an error is answered with the 400 page instead.

``handle`` is the tail every form view shares::

    return forms.handle(form, lambda: service.op(..., now=context.now()),
                        success=lambda result: done("已保存", url_for(...)),
                        render=lambda: render_template(...))

Refusals (403, 404) are raised (``PermissionDenied``, ``NotFound``, ``abort``) and shown by web/errors.py:
no view builds an error page.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, flash, g, has_request_context, redirect, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.wrappers import Response
from wtforms import ValidationError

from tasktrack.extensions import csrf, db
from tasktrack.services import ServiceError

logger = logging.getLogger(__name__)

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

CSRF_MESSAGE = "页面已过期或安全校验未通过，请检查后重新提交（已保留您填写的内容）。"
#: Marks a view that checks the CSRF token through its own FlaskForm.
_FORM_VIEW = "_tasktrack_form_view"


def form_view(view: F) -> F:
    """Mark a view whose FlaskForm checks the CSRF token and re-shows the input when it is bad (400)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = view(*args, **kwargs)
        if g.get("csrf_refused"):
            response = _as_response(result)
            if response.status_code < 400:  # a view that forgot its form: still no success under a forged token
                raise CSRFError("form view answered a forged token with " + str(response.status_code))
            return response
        return result

    setattr(wrapper, _FORM_VIEW, True)
    return csrf.exempt(wrapper)  # its form checks the token (see _check_token)


def is_form_view(view: object) -> bool:
    """Return whether ``view`` checks the CSRF token through its own form."""
    return bool(getattr(view, _FORM_VIEW, False))


def _as_response(result: Any) -> Response:
    return current_app.make_response(result)


def csrf_failed(form: FlaskForm) -> bool:
    """Return whether ``form`` was refused for its CSRF token."""
    field = getattr(form, "csrf_token", None)
    return bool(field is not None and field.errors)


def apply_error(form: FlaskForm, exc: ServiceError, *, fallback: str | None = None) -> None:
    """Put a refusal on its field (or ``fallback``'s), else flash it at the top of the page."""
    target = getattr(form, exc.field or "", None) if exc.field else None
    if target is None and fallback:
        target = getattr(form, fallback, None)
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, exc.message] if isinstance(target.errors, list) else [exc.message]
    else:
        flash(exc.message, "danger")


def refusal_status(exc: ServiceError, default: int) -> int:
    """Return the status of a form re-shown after a refusal: 503 when uploads cannot be stored now.

    That fault is the server's, not the user's, so it is also announced at the top of the page (the details stay
    on the attachments field, where the files must be chosen again).
    """
    status = int(getattr(exc, "http_status", default))
    if status == 503:
        flash("附件暂时无法保存，本次提交没有保存任何内容。您填写的文字都已保留，原因和做法见表单中“附件”处的说明。",
              "danger")
    return status


def done(message: str, target: str, category: str = "success") -> Response:
    """Flash ``message`` and redirect to ``target`` (the end of every successful form)."""
    flash(message, category)
    return redirect(target)


def handle(form: FlaskForm, action: Callable[[], T], *, success: Callable[[T], ResponseReturnValue],
           render: Callable[[], ResponseReturnValue] | None = None, back: str | None = None,
           refused: int = 400, fallback: str | None = None,
           on_refusal: Callable[[ServiceError], int | Response | None] | None = None) -> ResponseReturnValue:
    """Run a form: validate → ``action()`` → commit → ``success(result)``; or roll back and show why.

    A page form gives ``render`` (the page again, with the errors on their fields): status ``refused`` for the
    user's input, 400 for a bad CSRF token, the error's own status where it has one (503: uploads unavailable),
    200 for a GET. A button form (no page of its own) gives ``back``: a refusal is flashed there. ``on_refusal``
    sees a service refusal after the rollback: it may answer it (a response), choose the status of the re-shown
    page (an int, the error then not applied), or leave it to the default (None).
    """
    status = refused
    if form.validate_on_submit():
        try:
            result = action()
        except ServiceError as exc:
            db.session.rollback()
            answer = on_refusal(exc) if on_refusal is not None else None
            if isinstance(answer, Response):
                return answer
            if isinstance(answer, int):
                status = answer
            elif render is None:
                flash(exc.message, "danger")
            else:
                apply_error(form, exc, fallback=fallback)
                status = refusal_status(exc, refused)
        else:
            db.session.commit()
            return success(result)
    elif csrf_failed(form):
        flash(CSRF_MESSAGE, "danger")
        status = 400
    elif request.method == "POST" and render is None:
        flash("请求无效，请刷新页面后重新提交。", "danger")
    if render is None:
        assert back is not None, "a form without a page of its own needs somewhere to go back to"
        return redirect(back)
    if request.method != "POST":
        status = 200
    page = render()
    return (page, status) if isinstance(page, str) else page


def init_app(app: Flask) -> None:
    """Check the CSRF token of every write, in one hook; a form view's bad token is its form's error."""

    @app.before_request
    def _check_token() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or not is_form_view(view):
            return  # reads; every other write is checked by CSRFProtect's own hook
        try:
            validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
        except ValidationError as exc:
            logger.warning("CSRF refused on %s %s: %s", request.method, request.path, exc)
            g.csrf_refused = True

    if not sa.event.contains(db.session, "before_flush", _no_write_under_a_forged_token):
        sa.event.listen(db.session, "before_flush", _no_write_under_a_forged_token)


def _no_write_under_a_forged_token(*_args: Any) -> None:
    """Refuse any flush of a request whose form view got a bad CSRF token (it must change nothing)."""
    if has_request_context() and g.get("csrf_refused"):
        raise CSRFError("a write was attempted under a forged CSRF token")
