"""Authorized downloads of uploaded files."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from tasktrack.extensions import db
from tasktrack.models import Attachment
from tasktrack.permissions import Action, require
from tasktrack.services.attachments import storage
from tasktrack.uploads.headers import content_disposition
from tasktrack.web.guards import guard_blueprint

logger = logging.getLogger(__name__)

bp = Blueprint("files", __name__)
guard_blueprint(bp, Action.VIEW_PLAN)  # everyone signed in; objects are checked in permissions.py


@bp.route("/attachments/<int:attachment_id>")
def download(attachment_id: int) -> Response:
    """Send a file as an attachment, after the policy allows it (R14)."""
    attachment = db.get_or_404(Attachment, attachment_id)
    require(current_user, Action.VIEW_ATTACHMENT, attachment)
    path = storage().path(attachment.storage_key)
    if not path.is_file():
        # The row outlived its file (restored database, cleaned disk): say so instead of a 500.
        logger.error("attachment %s: stored file %s is missing", attachment.id, attachment.storage_key)
        abort(410)
    response = send_file(path, mimetype=attachment.content_type, max_age=0, conditional=False, etag=False)
    response.headers["Content-Disposition"] = content_disposition(attachment.original_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
