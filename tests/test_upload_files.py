"""Upload names, images, download headers and file storage (tasktrack.uploads.names, .headers, .storage).
The sample files are built in tests/upload_samples.py."""

from __future__ import annotations

import io
import os
import re
import stat
import sys

import pytest
from PIL import Image

from tasktrack.uploads.headers import content_disposition
from tasktrack.uploads.kinds import FileRejected, UploadLimits
from tasktrack.uploads.names import clean_filename
from tasktrack.uploads.sniffing import check_upload
from tasktrack.uploads.storage import FileStorage
from tests.upload_samples import (
    make_jpeg_with_exif,
    make_pdf,
    make_png,
    png_header_claiming,
    rejected,
)

# ---------------------------------------------------------------------------------------------
# Names


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\张三\\桌面\\总结.pdf", "总结.pdf"),
        ("/abs/path/报告.pdf", "报告.pdf"),
        ("a\x00.pdf", "a.pdf"),
        ("a\r\nb.pdf", "ab.pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("...hidden.pdf", "hidden.pdf"),
        ("  报告.pdf  ", "报告.pdf"),
        ("报告.pdf.", "报告.pdf"),
        ("a:b*c?.pdf", "abc.pdf"),
        ("e\u0301.pdf", "\u00e9.pdf"),
        ("CON.pdf", "CON.pdf"),
        ("报告.pdf", "报告.pdf"),
    ],
)
def test_clean_filename(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


@pytest.mark.parametrize("raw", ["", " ", "..", ".", ".pdf", "..pdf", "a/..", "a/", "\x00", "\u202e", "/"])
def test_clean_filename_rejects(raw: str) -> None:
    with pytest.raises(FileRejected) as exc:
        clean_filename(raw)
    assert exc.value.code == "name"


def test_long_name_capped_keeping_extension() -> None:
    name = clean_filename("长" * 300 + ".pdf")
    assert len(name) == 120
    assert name.endswith(".pdf")
    assert len(clean_filename("a" * 300)) == 120


def test_traversal_names_in_check_upload() -> None:
    rejected("../../etc/passwd.pdf", make_pdf(), "name")
    rejected("..\\..\\a.pdf", make_pdf(), "name")
    rejected("reports/../../a.pdf", make_pdf(), "name")
    assert check_upload("C:\\Users\\张三\\桌面\\总结.pdf", make_pdf()).original_name == "总结.pdf"
    rejected("..", make_pdf(), "name")
    rejected(".pdf", make_pdf(), "name")


def test_name_checked_before_content() -> None:
    rejected(".pdf", b"", "name")


# ---------------------------------------------------------------------------------------------
# Images


def test_image_over_pixel_cap_from_header() -> None:
    data = png_header_claiming(30_000, 30_000)
    err = rejected("巨图.png", data, "pixels")
    assert "30000×30000" in str(err)


def test_image_over_small_cap() -> None:
    rejected("图.png", make_png((100, 100)), "pixels", limits=UploadLimits(max_image_pixels=5_000))
    buf = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buf, "JPEG")
    rejected("图.jpg", buf.getvalue(), "pixels", limits=UploadLimits(max_image_pixels=5_000))


@pytest.mark.parametrize("side", [10_000, 20_000])  # Pillow warns above ~89 Mpx, raises above ~179 Mpx
def test_pillow_bomb_check_does_not_escape(side: int) -> None:
    data = png_header_claiming(side, side)
    rejected("图.png", data, "pixels", limits=UploadLimits(max_image_pixels=10**9))


def test_reencode_strips_exif_and_applies_orientation() -> None:
    data = make_jpeg_with_exif((60, 20), orientation=6)
    assert b"SecretCam" in data
    result = check_upload("照片.jpg", data)
    assert b"SecretCam" not in result.data
    assert b"private note" not in result.data
    assert b"Exif" not in result.data
    with Image.open(io.BytesIO(result.data)) as im:
        assert im.size == (20, 60)  # rotated as the orientation tag said
        assert not im.getexif()
        assert "comment" not in im.info


def test_png_text_chunks_stripped_transparency_kept() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13800000000")
    data = make_png((8, 8), mode="P", pnginfo=info, transparency=0)
    result = check_upload("图.png", data)
    assert "张三".encode() not in result.data
    assert b"Author" not in result.data
    with Image.open(io.BytesIO(result.data)) as im:
        assert im.info.get("transparency") == 0


def test_truncated_images() -> None:
    buf = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(buf, "JPEG")
    jpeg = buf.getvalue()
    rejected("图.jpg", jpeg[: len(jpeg) // 2], "truncated")
    png = make_png((200, 200))
    rejected("图.png", png[:60], "truncated")


# ---------------------------------------------------------------------------------------------
# Content-Disposition


def test_content_disposition_chinese() -> None:
    value = content_disposition("关于第三季度工作进展的报告.docx")
    assert value.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E5%85%B3%E4%BA%8E" in value
    value.encode("latin-1")  # header-safe
    fallback = re.search(r'filename="([^"]*)"', value)
    assert fallback is not None
    assert fallback.group(1) == "download.docx"


def test_content_disposition_mixed_and_inline() -> None:
    value = content_disposition("浙江省民政厅2024年工作总结.pdf", inline=True)
    assert value.startswith('inline; filename="2024.pdf"; ')
    assert value.endswith(
        "filename*=UTF-8''" + "%E6%B5%99%E6%B1%9F%E7%9C%81%E6%B0%91%E6%94%BF%E5%8E%85"
        "2024%E5%B9%B4%E5%B7%A5%E4%BD%9C%E6%80%BB%E7%BB%93.pdf"
    )


def test_content_disposition_hostile_name() -> None:
    value = content_disposition('a"b\\c\r\nSet-Cookie: x=1;.pdf')
    assert "\r" not in value
    assert "\n" not in value
    fallback = re.search(r'filename="([^"]*)"; filename\*=', value)
    assert fallback is not None
    assert '"' not in fallback.group(1)
    assert "\\" not in fallback.group(1)


# ---------------------------------------------------------------------------------------------
# Storage

KEY_RE = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]+)?")


def test_storage_round_trip(tmp_path: os.PathLike[str]) -> None:
    storage = FileStorage(os.path.join(tmp_path, "uploads"))
    key = storage.store(b"hello")
    assert KEY_RE.fullmatch(key)
    assert key[:2] == key[3:5]
    assert storage.exists(key)
    with storage.open(key) as fh:
        assert fh.read() == b"hello"
    storage.delete(key)
    assert not storage.exists(key)
    storage.delete(key)  # missing is fine
    with pytest.raises(FileNotFoundError):
        storage.open(key)


def test_storage_keys_contain_no_user_text(tmp_path: os.PathLike[str]) -> None:
    storage = FileStorage(tmp_path)
    checked = check_upload("浙江省民政厅2024年工作总结.pdf", make_pdf())
    key = storage.store(checked.data, extension=checked.extension)
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}\.pdf", key)
    stored = storage.path(key)
    assert stored.parent.parent == storage.root
    assert all(ord(ch) < 128 for ch in str(stored.relative_to(storage.root)))
    keys = {storage.store(b"x") for _ in range(20)}
    assert len(keys) == 20


def test_storage_extension_validated(tmp_path: os.PathLike[str]) -> None:
    storage = FileStorage(tmp_path)
    for bad in ["pdf", "./x", ".PDF", "../x", ".p/f", ".toolongext"]:
        with pytest.raises(ValueError, match="extension"):
            storage.store(b"x", extension=bad)


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "ab/../../etc/passwd",
        "/etc/passwd",
        "ab/" + "0" * 31,
        "AB/" + "A" * 32,
        "ab\\" + "0" * 32,
        "ab/" + "0" * 32 + "/",
        "ab/" + "0" * 32 + "\n",
        "ab/" + "0" * 32 + ".pdf/../x",
        "",
    ],
)
def test_storage_path_rejects_bad_keys(tmp_path: os.PathLike[str], key: str) -> None:
    storage = FileStorage(tmp_path)
    with pytest.raises(ValueError, match="key"):
        storage.path(key)
    with pytest.raises(ValueError, match="key"):
        storage.delete(key)
    with pytest.raises(ValueError, match="key"):
        storage.exists(key)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_storage_permissions(tmp_path: os.PathLike[str]) -> None:
    root = os.path.join(tmp_path, "new", "uploads")
    storage = FileStorage(root)
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    key = storage.store(b"secret")
    assert stat.S_IMODE(os.stat(storage.path(key)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(storage.path(key).parent).st_mode) == 0o700
    # No temporary file is left behind.
    assert os.listdir(storage.path(key).parent) == [os.path.basename(key)]


def test_storage_refuses_web_served_root(tmp_path: os.PathLike[str]) -> None:
    with pytest.raises(ValueError, match="web-served"):
        FileStorage(os.path.join(tmp_path, "tasktrack", "static", "uploads"))
    web = os.path.join(tmp_path, "site")
    with pytest.raises(ValueError, match="web-served"):
        FileStorage(os.path.join(web, "files"), web_roots=[web])
    FileStorage(os.path.join(tmp_path, "instance", "uploads"), web_roots=[web])
