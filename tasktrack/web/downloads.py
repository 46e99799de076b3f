"""File downloads the app builds itself (exports, documents): one way to set the headers.

The Content-Type is given whole and sent exactly as given. (Passing a ``mimetype`` with a charset to Werkzeug
appends a second ``; charset=utf-8`` to text types: ``text/csv; charset=utf-8; charset=utf-8``.)
"""

from __future__ import annotations

from flask import Response

from tasktrack.uploads.headers import content_disposition

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_response(content: bytes, *, filename: str, content_type: str, cache_control: str = "no-store") -> Response:
    """Return a download of ``content`` named ``filename`` (RFC 5987) with exactly this Content-Type."""
    response = Response(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = cache_control
    return response
