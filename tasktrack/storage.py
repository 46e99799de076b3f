"""Uploaded files on disk, under random names that never contain user text.

A stored file is addressed by a *key* such as ``"3f/3f9c0d…e1"`` (two hex characters of fan-out,
then a uuid4 in hex) or ``"3f/3f9c0d…e1.pdf"`` when an extension is given. Keys are generated here
and validated against a strict pattern on every access, so no user input can reach a path. The
display name of a file lives in the database only (see ``tasktrack.domain.filetypes``).
"""

from __future__ import annotations

import contextlib
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
        if not resolved.is_dir():
            resolved.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
            os.chmod(resolved, _DIR_MODE)
        self.root = resolved

    def store(self, data: bytes, *, extension: str = "") -> str:
        """Write ``data`` atomically under a new random name and return its key."""
        if extension and not _EXT_RE.fullmatch(extension):
            raise ValueError(f"invalid storage extension: {extension!r}")
        name = uuid.uuid4().hex
        key = f"{name[:2]}/{name}{extension}"
        final = self.path(key)
        directory = final.parent
        directory.mkdir(mode=_DIR_MODE, exist_ok=True)
        tmp = directory / f".{name}.tmp"
        fd = os.open(tmp, _CREATE_FLAGS, _FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as fh:
                if hasattr(os, "fchmod"):
                    os.fchmod(fh.fileno(), _FILE_MODE)  # in case the umask is unusual
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
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
