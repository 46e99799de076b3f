"""Authorized downloads of uploaded files (who may read which file is permissions.py's)."""

from __future__ import annotations

import logging

from flask import abort, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack.extensions import db
from tasktrack.models import Attachment
from tasktrack.permissions import Action, require
from tasktrack.services.attachments import storage
from tasktrack.uploads.headers import content_disposition
from tasktrack.web.everyone import bp

logger = logging.getLogger(__name__)


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id: int) -> Response:
    """Send a file as an attachment, after the policy allows it (R14)."""
    stored = db.get_or_404(Attachment, attachment_id)
    require(current_user, Action.VIEW_ATTACHMENT, stored)
    path = storage().path(stored.storage_key)
    if not path.is_file():
        # The row outlived its file (restored database, cleaned disk): say so instead of a 500.
        logger.error("attachment %s: stored file %s is missing", stored.id, stored.storage_key)
        abort(410)
    response = send_file(path, mimetype=stored.content_type, max_age=0, conditional=False, etag=False)
    response.headers["Content-Disposition"] = content_disposition(stored.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
