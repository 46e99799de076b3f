"""Error responses: every error any route returns is our Chinese page, or JSON under /api.

One handler for every ``HTTPException`` (400, 404, 405, 413, 429, … and the 500 that Flask makes of an
unexpected exception, after logging it), so Werkzeug's English pages never show. Under ``/api/`` the answer
is always ``{"error": "…"}`` — decided by the path, because a URL that matches no route belongs to no
blueprint. More specific handlers (CSRF, PermissionDenied, NotFound, the API's ServiceError) stay where
they are; this is the net under them.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from tasktrack import db_engine
from tasktrack.extensions import db
from tasktrack.web.params import BadInput

logger = logging.getLogger(__name__)

ERROR_TEXT = {
    400: ("请求无效", "请求的内容不完整或格式不正确。"),
    401: ("需要登录", "请先登录。"),
    403: ("没有权限", "您的账号没有权限访问该页面或执行该操作。如有疑问请联系专班办公室。"),
    404: ("页面不存在", "您要找的内容不存在或已被删除。"),
    405: ("请求方式不允许", "该页面不支持这种请求方式。"),
    408: ("请求超时", "请求超时，请重试。"),
    409: ("操作冲突", "该操作与当前状态冲突，请刷新页面后重试。"),
    410: ("文件已不存在", "该文件在服务器上已不存在，请联系专班办公室或重新上传。"),
    411: ("请求无效", "请求缺少内容长度。"),
    413: ("文件过大", "上传的文件超过了大小限制，请压缩后重试。"),
    414: ("网址过长", "请求的网址过长。"),
    415: ("格式不支持", "不支持这种内容格式。"),
    422: ("内容无效", "提交的内容无法处理，请检查后重试。"),
    429: ("请求过于频繁", "请稍后再试。"),
    431: ("请求头过大", "请求头过大，请清除本站 Cookie 后重试。"),
    500: ("服务器出错", "服务器处理请求时出错，已记录。请稍后重试；如果持续出现，请联系专班办公室。"),
    501: ("不支持的请求", "服务器不支持这种请求方式。"),
    503: ("服务暂不可用", "服务暂时不可用，请稍后重试。"),
}
DEFAULT_TEXT = ("出错了", "服务器处理请求时出错。")
#: The API's wording where the page's title speaks of pages.
API_TEXT = {404: "接口或对象不存在", 405: "该接口不支持这种请求方式", 500: "服务器出错，已记录，请稍后重试"}

#: Shown when even the error page cannot be rendered (the database is gone, a template is broken).
BARE_500 = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>服务器出错</title></head>"
            "<body><h1>服务器出错</h1><p>服务器处理请求时出错，已记录。请稍后重试；如果持续出现，请联系专班办公室。</p>"
            "</body></html>")


def is_api_request() -> bool:
    """Return whether the request is for the JSON API (by path: unmatched URLs have no blueprint)."""
    return request.path == "/api" or request.path.startswith("/api/")


def error_text(code: int) -> tuple[str, str]:
    """Return the Chinese (title, message) of an HTTP status."""
    if code in ERROR_TEXT:
        return ERROR_TEXT[code]
    return ERROR_TEXT[400] if 400 <= code < 500 else DEFAULT_TEXT


def error_page(code: int, message: str | None = None, *, title: str | None = None) -> tuple[Any, int]:
    """Return the app's error response for ``code``: the Chinese page, or ``{"error": …}`` under /api."""
    title_of_code, default = error_text(code)
    title = title or title_of_code
    db_engine.write_intent.set(False)  # an error page only reads: never queue for SQLite's write lock for it
    if is_api_request():
        return jsonify({"error": message or API_TEXT.get(code, title)}), code
    return render_template("errors/error.html", code=code, title=title, message=message or default), code


def handle_http(error: HTTPException) -> Any:
    """Answer an HTTP error with our page or JSON, keeping its headers (Allow, Retry-After, …)."""
    code = error.code or 500
    if error.response is not None or code < 400:  # abort(response) and redirects carry their own answer
        return error.response or error
    if isinstance(error, BadInput) and is_api_request() and error.field is not None:
        return jsonify({"error": error.message, "field": error.field}), 422
    message = error.message if isinstance(error, BadInput) else None
    if code >= 500:
        # Flask has logged the exception; the session may be in a failed transaction (PostgreSQL).
        _rollback()
    try:
        body, status = error_page(code, message)
    except Exception:
        if code < 500:
            raise
        logger.exception("the error page itself failed on %s %s", request.method, request.path)
        return Response(BARE_500, status=500, mimetype="text/html")
    response = body if isinstance(body, Response) else Response(body, mimetype="text/html")
    response.status_code = status
    for name, value in error.get_headers(request.environ):  # Allow (405), Retry-After (429), WWW-Authenticate
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:
        logger.exception("rollback after an error failed")


def handle_operational(error: OperationalError) -> Any:
    """Answer 503 with Retry-After when SQLite's write queue ran out of time; re-raise anything else (a 500)."""
    if "database is locked" not in str(error.orig):
        raise error
    logger.warning("write lock not obtained in time on %s %s", request.method, request.path)
    _rollback()
    body, status = error_page(503, "系统正忙，请稍后重试（本次提交未保存）。")
    response = body if isinstance(body, Response) else Response(body, mimetype="text/html")
    response.status_code = status
    response.headers["Retry-After"] = "5"
    return response


def init_app(app: Flask) -> None:
    """Register the net of error handlers."""
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_operational)
