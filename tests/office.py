"""The real office suite for tests: open our .docx/.xlsx in LibreOffice headless, print them to PDF, read the pages.

Every document the app produces is checked the way an office sees it, not by reading our own XML back: LibreOffice
(Debian's ``libreoffice-writer-nogui`` / ``-calc-nogui``, installed by ``scripts/install-system-deps.sh``) converts
it to PDF, pdfminer reads the page sizes, text positions and character sizes, poppler's ``pdftoppm`` renders the
first pages to PNG under ``tests/output/`` for a person to look at, and ``pdffonts`` lists the embedded fonts.

A LibreOffice start costs seconds: convert every file of a test module in one :func:`convert` call from a
module- or session-scoped fixture. Each call uses its own throw-away profile, so the SQLite and PostgreSQL passes
that CI runs side by side never share (and lock) one.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTPage, LTTextContainer, LTTextLine

OUTPUT_DIR = Path(__file__).parent / "output"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MM = 72 / 25.4  # PDF points per millimetre
A4_PORTRAIT = (595.0, 842.0)
A4_LANDSCAPE = (842.0, 595.0)


def require_office() -> str:
    """The soffice binary; a test that needs it fails (not skips) without it: `make test` installs it."""
    if SOFFICE is None or shutil.which("pdftoppm") is None:
        pytest.fail("LibreOffice/poppler missing: run `make system-deps` as root (scripts/install-system-deps.sh)")
    return SOFFICE


def convert(paths: list[Path], outdir: Path, fmt: str = "pdf") -> list[Path]:
    """Convert each file with one LibreOffice run; return the output paths in the order given."""
    soffice = require_office()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        completed = subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nolockcheck",
             "--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)],
            capture_output=True, text=True, timeout=180, check=False)
    results = [outdir / f"{p.stem}.{fmt}" for p in paths]
    missing = [r.name for r in results if not r.exists()]
    if completed.returncode != 0 or missing:
        raise AssertionError(f"LibreOffice did not convert {missing}: {completed.stdout}\n{completed.stderr}")
    return results


def pages(pdf: Path) -> list[LTPage]:
    """The PDF's pages as pdfminer lays them out (read once per file: a test asks for sizes, lines, text and
    margins of the same PDF, and each layout of a CJK document costs seconds)."""
    stat = pdf.stat()
    return list(_pages(str(pdf.resolve()), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _pages(path: str, _mtime_ns: int, _size: int) -> tuple[LTPage, ...]:
    return tuple(extract_pages(path))


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    return [(round(p.width, 1), round(p.height, 1)) for p in pages(pdf)]


def is_size(size: tuple[float, float], expected: tuple[float, float], tolerance: float = 1.0) -> bool:
    return abs(size[0] - expected[0]) <= tolerance and abs(size[1] - expected[1]) <= tolerance


@dataclass(frozen=True)
class Line:
    """One line of text as printed: its page (1-based), its box in points (origin bottom left), its text."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    sizes: tuple[float, ...]


def lines(pdf: Path) -> list[Line]:
    """Every printed text line with its position and the sizes of its characters."""
    found: list[Line] = []
    for number, page in enumerate(pages(pdf), start=1):
        for element in page:
            if not isinstance(element, LTTextContainer):
                continue
            for line in element:
                if not isinstance(line, LTTextLine) or not line.get_text().strip():
                    continue
                sizes = tuple(round(c.size, 1) for c in line if isinstance(c, LTChar) and c.get_text().strip())
                found.append(Line(number, line.x0, line.y0, line.x1, line.y1, line.get_text().strip(), sizes))
    return found


def text(pdf: Path) -> str:
    """All printed text, lines joined (for "is this sentence in the PDF" checks)."""
    return "\n".join(line.text for line in lines(pdf))


def outside(pdf: Path, *, top: float, right: float, bottom: float, left: float,
            tolerance: float = 2 * MM) -> list[Line]:
    """Lines that lie (partly) outside the given margins (in points) of their page."""
    sized = pages(pdf)
    return [line for line in lines(pdf)
            if line.x0 < left - tolerance or line.x1 > sized[line.page - 1].width - right + tolerance
            or line.y0 < bottom - tolerance or line.y1 > sized[line.page - 1].height - top + tolerance]


def fonts(pdf: Path) -> list[str]:
    """The fonts embedded in the PDF (pdffonts' name column, subset prefix removed)."""
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60, check=True).stdout
    names = []
    for row in listing.splitlines()[2:]:
        name = row.split()[0] if row.split() else ""
        names.append(name.split("+", 1)[-1])
    return names


def render_png(pdf: Path, name: str, first_pages: int = 2, dpi: int = 60) -> list[Path]:
    """Render the first pages to tests/output/<name>-<n>.png (to be looked at) and return their paths."""
    require_office()
    OUTPUT_DIR.mkdir(exist_ok=True)
    stem = OUTPUT_DIR / name
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(first_pages), str(pdf), str(stem)],
                   check=True, timeout=120)
    return sorted(OUTPUT_DIR.glob(f"{name}-*.png"))
