"""Uploaded files on disk, under random names that never contain user text.

A stored file is addressed by a *key* such as ``"3f/3f9c0d…e1"`` (two hex characters of fan-out,
then a uuid4 in hex) or ``"3f/3f9c0d…e1.pdf"`` when an extension is given. Keys are generated here
and validated against a strict pattern on every access, so no user input can reach a path. The
display name of a file lives in the database only (see ``tasktrack.uploads.names``).

A folder that cannot take a file (read-only, full, over quota, no permission, not a directory) makes
:meth:`FileStorage.store` raise :class:`StorageUnavailable` after removing what it had begun to write:
callers get one error to turn into a message, never a half-written file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import re
import uuid
from collections.abc import Iterable
from typing import BinaryIO

_KEY_RE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}(?:\.[a-z0-9]{1,8})?")
_EXT_RE = re.compile(r"\.[a-z0-9]{1,8}")
_DIR_MODE = 0o700
_FILE_MODE = 0o600
_CREATE_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
)
# Directory names that are served as static files by convention; storing uploads below one of
# them would make them reachable without the download route's authorization.
_WEB_DIR_NAMES = frozenset({"static", "htdocs", "wwwroot", "public_html"})


#: What the user is told, by the OS error behind it; anything else is "cannot be written".
_REASONS = {
    errno.ENOSPC: "服务器存储空间已满",
    errno.EDQUOT: "服务器存储空间已满",
    errno.EFBIG: "服务器存储空间已满",
    errno.EROFS: "服务器上传目录是只读的",
    errno.EACCES: "服务器上传目录没有写入权限",
    errno.EPERM: "服务器上传目录没有写入权限",
    errno.ENOTDIR: "服务器上传目录不存在或不是目录",
    errno.ENOENT: "服务器上传目录不存在或不是目录",
}


class StorageUnavailable(Exception):
    """The upload folder cannot take a file now; nothing of the file was left behind."""

    def __init__(self, error: OSError) -> None:
        self.errno = error.errno
        self.reason = _REASONS.get(error.errno or 0, "服务器上传目录无法写入")
        name = errno.errorcode.get(error.errno or 0, "OSError")
        super().__init__(f"{name}: {error.strerror or error}" + (f" ({error.filename})" if error.filename else ""))


def _is_within(path: pathlib.Path, parent: pathlib.Path) -> bool:
    """Tell whether ``path`` is ``parent`` or lies below it."""
    return path == parent or parent in path.parents


class FileStorage:
    """Store, open and delete uploaded files below one root directory."""

    def __init__(
        self,
        root: str | os.PathLike[str],
        *,
        web_roots: Iterable[str | os.PathLike[str]] = (),
    ) -> None:
        """Use ``root`` (created with mode 0o700 if missing); refuse it inside a web-served folder."""
        resolved = pathlib.Path(root).expanduser().resolve()
        for web_root in web_roots:
            web = pathlib.Path(web_root).expanduser().resolve()
            if _is_within(resolved, web) or _is_within(web, resolved):
                raise ValueError(f"upload root {resolved} overlaps the web-served folder {web}")
        served = [part for part in resolved.parts if part.lower() in _WEB_DIR_NAMES]
        if served:
            raise ValueError(f"upload root {resolved} is below a web-served folder ({served[0]})")
        self.root = resolved
        # A folder that cannot be made now is not an error yet: store() reports it when a file comes.
        with contextlib.suppress(OSError):
            self._ensure_root()

    def _ensure_root(self) -> None:
        if not self.root.is_dir():
            self.root.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
            os.chmod(self.root, _DIR_MODE)

    def store(self, data: bytes, *, extension: str = "") -> str:
        """Write ``data`` atomically under a new random name and return its key.

        Raises :class:`StorageUnavailable` when the folder cannot take it; the temporary file is removed then.
        """
        if extension and not _EXT_RE.fullmatch(extension):
            raise ValueError(f"invalid storage extension: {extension!r}")
        name = uuid.uuid4().hex
        key = f"{name[:2]}/{name}{extension}"
        final = self.path(key)
        directory = final.parent
        tmp = directory / f".{name}.tmp"
        try:
            self._ensure_root()
            directory.mkdir(mode=_DIR_MODE, exist_ok=True)
            fd = os.open(tmp, _CREATE_FLAGS, _FILE_MODE)
        except OSError as exc:
            raise StorageUnavailable(exc) from exc
        try:
            with os.fdopen(fd, "wb") as fh:
                if hasattr(os, "fchmod"):
                    os.fchmod(fh.fileno(), _FILE_MODE)  # in case the umask is unusual
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            if isinstance(exc, OSError):
                raise StorageUnavailable(exc) from exc
            raise
        self._fsync_dir(directory)
        return key

    def open(self, key: str) -> BinaryIO:
        """Open the stored file for reading in binary mode (``FileNotFoundError`` if absent)."""
        return self.path(key).open("rb")

    def path(self, key: str) -> pathlib.Path:
        """Return the file's path for a valid key; raise ``ValueError`` for anything else."""
        if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
            raise ValueError(f"invalid storage key: {key!r}")
        return self.root / key

    def delete(self, key: str) -> None:
        """Delete the stored file; a missing file is not an error."""
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Tell whether a file is stored under ``key``."""
        return self.path(key).is_file()

    @staticmethod
    def _fsync_dir(directory: pathlib.Path) -> None:
        """Flush the directory entry of a rename to disk where the platform allows it."""
        try:
            fd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
