"""Attach uploaded files to objects: checked by content, stored under random names, audited."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from tasktrack.domain.filetypes import ALL_KINDS, FileRejected, UploadLimits, check_upload
from tasktrack.extensions import db
from tasktrack.models import Attachment, User
from tasktrack.services import ServiceError
from tasktrack.services.audit import record
from tasktrack.storage import FileStorage

logger = logging.getLogger(__name__)

#: Evidence for progress reports: documents and images.
EVIDENCE_KINDS = ALL_KINDS
MAX_FILES = 10


@dataclass(frozen=True)
class Upload:
    """A file as received: the client's name and the bytes."""

    filename: str
    data: bytes


def storage() -> FileStorage:
    """Return the file storage of the app (UPLOAD_DIR, outside the web root)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    store = app.extensions.get("tasktrack.storage")
    if store is None:
        store = FileStorage(app.config["UPLOAD_DIR"], web_roots=[app.static_folder] if app.static_folder else [])
        app.extensions["tasktrack.storage"] = store
    return store


def limits() -> UploadLimits:
    """Return the upload limits from the settings."""
    return UploadLimits(max_bytes=int(current_app.config.get("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)))


def check_files(files: Sequence[Upload], *, allowed: frozenset[str] = EVIDENCE_KINDS) -> list:  # type: ignore[type-arg]
    """Check every file before anything is stored; raise ServiceError naming the first bad one."""
    if len(files) > MAX_FILES:
        raise ServiceError(f"一次最多上传 {MAX_FILES} 个文件", field="attachments")
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload.filename, upload.data, allowed=allowed, limits=limits()))
        except FileRejected as exc:
            raise ServiceError(str(exc), field="attachments", code=f"file_{exc.code}") from exc
    return checked


def attach(
    owner_type: str, owner_id: int, files: Sequence[Upload], *, actor: User, now: dt.datetime,
    allowed: frozenset[str] = EVIDENCE_KINDS,
) -> list[Attachment]:
    """Check, store and record files for one owner; nothing is stored if any file is refused."""
    checked = check_files(files, allowed=allowed)
    store = storage()
    rows: list[Attachment] = []
    for item in checked:
        key = store.store(item.data, extension=item.extension)
        row = Attachment(
            owner_type=owner_type, owner_id=owner_id, original_name=item.original_name, storage_key=key,
            content_type=item.content_type, kind=item.kind, size=item.size, sha256=item.sha256,
            uploaded_by=actor, uploaded_at=now,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    for row in rows:
        record(actor, "attachment.upload", row, now=now,
               summary=f"上传附件 {row.original_name}（{row.size_label}）", after={"sha256": row.sha256})
    return rows


def attachments_of(owner_type: str, owner_ids: Sequence[int]) -> dict[int, list[Attachment]]:
    """Return the attachments of several owners in one query, grouped by owner id."""
    result: dict[int, list[Attachment]] = {i: [] for i in owner_ids}
    if not owner_ids:
        return result
    rows = db.session.scalars(
        sa.select(Attachment)
        .where(Attachment.owner_type == owner_type, Attachment.owner_id.in_(list(owner_ids)))
        .order_by(Attachment.id)
    )
    for row in rows:
        result.setdefault(row.owner_id, []).append(row)
    return result
