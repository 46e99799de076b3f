"""Images: the pixel count read from the header before decoding, then a re-encode without metadata."""

from __future__ import annotations

import io
import struct
import warnings

from PIL import Image, ImageOps, JpegImagePlugin

from tasktrack.uploads.kinds import FileRejected, UploadLimits

_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _png_size(data: bytes) -> tuple[int, int] | None:
    """Read width and height from a PNG's IHDR chunk without decoding anything."""
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return struct.unpack_from(">II", data, 16)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Read the largest frame size declared before the first scan of a JPEG."""
    best: tuple[int, int] | None = None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            pos += 1
            continue
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0x00, 0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):
            break
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if marker in _JPEG_SOF and pos + 9 <= len(data):
            height, width = struct.unpack_from(">HH", data, pos + 5)
            if best is None or width * height > best[0] * best[1]:
                best = (width, height)
        pos += 2 + max(length, 2)
    return best


def _pixels_error(name: str, size: tuple[int, int] | None, limits: UploadLimits) -> FileRejected:
    """Build the pixel-flood refusal."""
    cap = f"{limits.max_image_pixels / 1_000_000:g} 百万像素"
    dims = f"{size[0]}×{size[1]} 像素，" if size else ""
    return FileRejected("pixels", f"图片尺寸过大（{dims}上限 {cap}），请缩小后重新上传：{name}")


def reencode_image(name: str, data: bytes, kind: str, limits: UploadLimits) -> bytes:
    """Decode a PNG/JPEG within the pixel cap and re-encode it without metadata."""
    declared = _png_size(data) if kind == "png" else _jpeg_size(data)
    if declared is not None and declared[0] * declared[1] > limits.max_image_pixels:
        raise _pixels_error(name, declared, limits)
    fmt = "PNG" if kind == "png" else "JPEG"
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check stays quiet under the header check above with the default
            # limits; should it fire anyway it becomes an error here. Other decoder warnings (such
            # as corrupt EXIF) are ignored so that tests and production behave the same.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as src:
                if src.width * src.height > limits.max_image_pixels:
                    raise _pixels_error(name, src.size, limits)
                src.load()
                save_args: dict[str, object] = {}
                if src.info.get("icc_profile"):
                    save_args["icc_profile"] = src.info["icc_profile"]
                if kind == "png" and "transparency" in src.info:
                    save_args["transparency"] = src.info["transparency"]
                if kind == "jpeg" and isinstance(src, JpegImagePlugin.JpegImageFile):  # always, with formats=[JPEG]
                    save_args["qtables"] = src.quantization
                    sampling = JpegImagePlugin.get_sampling(src)
                    if sampling != -1:
                        save_args["subsampling"] = sampling
                img = ImageOps.exif_transpose(src)
            img.info = {}  # EXIF, XMP, comments, text chunks: none of it is carried over
            out = io.BytesIO()
            img.save(out, format=fmt, **save_args)
    except FileRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _pixels_error(name, declared, limits) from exc
    except Image.UnidentifiedImageError as exc:
        raise FileRejected("truncated", f"图片已损坏，无法识别，请重新上传：{name}") from exc
    except Exception as exc:  # hostile bytes: any decoder failure means "not a usable image"
        raise FileRejected("truncated", f"图片不完整或已损坏，请重新上传：{name}") from exc
    return out.getvalue()
