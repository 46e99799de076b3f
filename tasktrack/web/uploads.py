"""Read uploaded files from a request into service Uploads (the services check the content)."""

from __future__ import annotations

from flask import flash, request

from tasktrack.services import ServiceError
from tasktrack.services.attachments import Upload


def uploads_from_request(field: str = "attachments") -> list[Upload]:
    """Return the files of a multipart field, skipping the empty part a browser sends for no file."""
    files = []
    for storage in request.files.getlist(field):
        if storage is None or (not storage.filename and not storage.content_length):
            continue
        data = storage.read()
        if not storage.filename and not data:
            continue
        files.append(Upload(storage.filename or "", data))
    return files


def refused_status(exc: ServiceError, default: int) -> int:
    """Return the status of a form re-shown after a refusal: 503 when uploads cannot be stored now.

    That fault is the server's, not the user's, so it is also announced at the top of the page (the
    details stay on the attachments field, where the files must be chosen again).
    """
    status = int(getattr(exc, "http_status", default))
    if status == 503:
        flash("附件暂时无法保存，本次提交没有保存任何内容。您填写的文字都已保留，原因和做法见表单中“附件”处的说明。",
              "danger")
    return status
