"""Attach uploaded files to objects: checked by content, stored under random names, audited.

Files reach the disk before the transaction that records them commits. Two rules keep the two in step:
an upload folder that cannot take a file (read-only, full) refuses the whole operation with
:class:`UploadsUnavailable` after removing the files this call had stored; and a file stored in a
transaction that ends without committing (any later refusal, a failed commit, an error) is deleted
when that transaction ends. So no row without its file, and no file without its row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, SessionTransaction

from tasktrack import settings
from tasktrack.extensions import db
from tasktrack.models import Attachment, User
from tasktrack.services import ServiceError
from tasktrack.services.audit import record
from tasktrack.uploads.kinds import ALL_KINDS, CheckedFile, FileRejected, UploadLimits
from tasktrack.uploads.sniffing import check_upload
from tasktrack.uploads.storage import FileStorage, StorageUnavailable

logger = logging.getLogger(__name__)

#: Evidence for progress reports: documents and images.
EVIDENCE_KINDS = ALL_KINDS
MAX_FILES = 10


class UploadsUnavailable(ServiceError):
    """The server cannot store files now (upload folder read-only or full): nothing was saved, retry later."""

    #: The HTTP status of this refusal: the server's fault, not the request's.
    http_status = 503

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"附件未能保存：{reason}。本次提交没有保存任何内容；您填写的文字都已保留，"
            "但附件需要重新选择（浏览器不会保留已选的文件）。请稍后再提交；如仍不行，请联系专班办公室。",
            field="attachments", code="storage_unavailable",
        )
        #: The same for an API client, which keeps its own request.
        self.api_message = f"附件未能保存：{reason}。本次请求没有保存任何内容，请稍后重试；如仍不行，请联系专班办公室。"


@dataclass(frozen=True)
class Upload:
    """A file as received: the client's name and the bytes."""

    filename: str
    data: bytes


def storage() -> FileStorage:
    """Return the file storage of the app (UPLOAD_DIR, outside the web root)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # current_app is typed as Flask, not its proxy
    store: FileStorage | None = app.extensions.get("tasktrack.storage")
    if store is None:
        store = FileStorage(settings.of(app).upload_dir, web_roots=[app.static_folder] if app.static_folder else [])
        app.extensions["tasktrack.storage"] = store
    return store


def store_until_commit(data: bytes, *, extension: str = "") -> str:
    """Store bytes that a row of the open transaction records (a generated file); return its key.

    Like an upload, the file is deleted again when the transaction ends without committing. Raises
    ``StorageUnavailable`` (nothing stored) when the upload folder cannot take it.
    """
    store = storage()
    key = store.store(data, extension=extension)
    _uncommitted(db.session()).append((store, key))
    return key


def limits() -> UploadLimits:
    """Return the upload limits from the settings (MAX_UPLOAD_MB)."""
    return UploadLimits(max_bytes=settings.of(current_app).max_upload_bytes)


def check_files(files: Sequence[Upload], *, allowed: frozenset[str] = EVIDENCE_KINDS) -> list[CheckedFile]:
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
    pending = _uncommitted(db.session())
    keys: list[str] = []
    try:
        for item in checked:
            keys.append(store.store(item.data, extension=item.extension))
            pending.append((store, keys[-1]))
    except StorageUnavailable as exc:
        _delete(store, keys)  # now, not only when the caller rolls back
        pending[:] = [p for p in pending if p[1] not in keys]
        logger.error("upload refused, the upload folder cannot take files: %s (%s %s, %s file(s), user %s)",
                     exc, owner_type, owner_id, len(checked), actor.id)
        raise UploadsUnavailable(exc.reason) from exc
    rows: list[Attachment] = []
    for item, key in zip(checked, keys, strict=True):
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


#: session.info key: files stored in the session's open transaction (deleted unless it commits).
_UNCOMMITTED = "tasktrack.uncommitted_files"


def _uncommitted(session: Session) -> list[tuple[FileStorage, str]]:
    files: list[tuple[FileStorage, str]] = session.info.setdefault(_UNCOMMITTED, [])  # session.info holds Any
    return files


def _delete(store: FileStorage, keys: Sequence[str]) -> None:
    for key in keys:
        try:
            store.delete(key)
        except OSError as exc:
            logger.error("could not remove the stored file %s of an unsaved upload: %s", key, exc)


@sa.event.listens_for(Session, "after_commit")
def _files_committed(session: Session) -> None:
    if not session.in_nested_transaction():  # a SAVEPOINT's release commits nothing yet
        session.info.pop(_UNCOMMITTED, None)


@sa.event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    pending = session.info.pop(_UNCOMMITTED, None)
    if pending:
        logger.warning("removing %s stored file(s) of a transaction that did not commit", len(pending))
        for store, key in pending:
            _delete(store, [key])


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
