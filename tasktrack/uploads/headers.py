"""HTTP headers of a download: Content-Disposition with an ASCII fallback and the UTF-8 name."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from tasktrack.uploads.names import split_ext

_RFC5987_SAFE = "!#$&+-.^_`|~"
_FALLBACK_CHARS = re.compile(r"[^A-Za-z0-9 ._()\[\]+-]")


def content_disposition(original_name: str, *, inline: bool = False) -> str:
    """Return a Content-Disposition value with an ASCII fallback and a UTF-8 ``filename*``."""
    name = "".join(ch for ch in unicodedata.normalize("NFC", original_name) if ch.isprintable())
    name = name or "download"
    stem, ext = split_ext(name)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    ascii_stem = _FALLBACK_CHARS.sub("", ascii_stem).strip(" .")
    ascii_ext = _FALLBACK_CHARS.sub("", ext)
    fallback = (ascii_stem or "download") + ascii_ext
    encoded = quote(name, safe=_RFC5987_SAFE)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
