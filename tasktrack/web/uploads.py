"""Read uploaded files from a request into service Uploads (the services check the content)."""

from __future__ import annotations

from flask import request

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
