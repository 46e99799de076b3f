"""Ruled tables in a PDF page: text pieces placed in the cells that the drawn grid lines bound.

Word, WPS and most generators draw a table's borders as thin lines or rectangles; pdfminer reports them as
``LTLine``/``LTRect``. Where a text line lies between three or more vertical rules (two or more columns) and under
a horizontal rule, it is inside a grid:

* the grid's columns are bounded by the vertical rules found over its height; its rows (bands) by the horizontal
  rules, from the one above the first text line down while vertical rules still cross the band;
* each text piece goes to the band holding its vertical centre and the column where it starts, the pieces of one
  cell joined with "\\n" top to bottom;
* a cell whose top border is missing continues the cell above (a vertical merge, as in a section column): its text
  moves up to the merged cell's first row and the rows it covers get ``""``, as ``DocText`` wants.

A grid of fewer than two bands is not a table (a framed note stays paragraphs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pdfminer.layout import LTContainer, LTItem, LTLine, LTRect

from tasktrack.domain.doc_blocks import Table

_TOL = 2.0  # points: rules this close are one rule; a piece may stick out of its cell this much
_THIN = 3.0  # a rectangle this thin is a drawn line
_MIN_RULE = 4.0  # shorter strokes are decoration, not borders
_MIN_EMPTY_BAND = 6.0  # an empty band thinner than this is a double border, not a row
_MIN_COLUMNS = 2
_MIN_BANDS = 2


@dataclass(frozen=True)
class Piece:
    """One piece of text on a page with its box (PDF points, y upwards)."""

    text: str
    x0: float
    x1: float
    bottom: float
    top: float

    @property
    def middle(self) -> float:
        """Return the vertical centre."""
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        """Return the height (at least one point)."""
        return max(self.top - self.bottom, 1.0)


@dataclass(frozen=True)
class Segment:
    """A ruling line: at ``at`` (y for a horizontal rule, x for a vertical one), from ``lo`` to ``hi``."""

    at: float
    lo: float
    hi: float


@dataclass(frozen=True)
class Rules:
    """The ruling lines of one page."""

    horizontal: tuple[Segment, ...]
    vertical: tuple[Segment, ...]


def page_rules(item: LTItem) -> Rules:
    """Collect the horizontal and vertical ruling lines drawn on a page (cell rectangles give their edges)."""
    horizontal: list[Segment] = []
    vertical: list[Segment] = []

    def visit(node: LTItem) -> None:
        if isinstance(node, (LTLine, LTRect)):
            x0, y0, x1, y1 = node.x0, node.y0, node.x1, node.y1
            width, height = x1 - x0, y1 - y0
            if height <= _THIN and width >= _MIN_RULE:
                horizontal.append(Segment((y0 + y1) / 2, x0, x1))
            elif width <= _THIN and height >= _MIN_RULE:
                vertical.append(Segment((x0 + x1) / 2, y0, y1))
            elif isinstance(node, LTRect) and width >= _MIN_RULE and height >= _MIN_RULE:
                horizontal.extend((Segment(y0, x0, x1), Segment(y1, x0, x1)))
                vertical.extend((Segment(x0, y0, y1), Segment(x1, y0, y1)))
        elif isinstance(node, LTContainer):
            for child in node:
                visit(child)

    visit(item)
    return Rules(horizontal=tuple(horizontal), vertical=tuple(vertical))


def _cluster(values: Iterable[float]) -> list[float]:
    """Sort positions and merge those within the tolerance (each group is represented by its first)."""
    merged: list[float] = []
    for value in sorted(values):
        if not merged or value - merged[-1] > _TOL:
            merged.append(value)
    return merged


def _verticals_at(rules: Rules, y: float, left: float = float("-inf"), right: float = float("inf")) -> list[float]:
    """Return the x positions of vertical rules crossing height ``y`` between ``left`` and ``right``."""
    return _cluster(
        seg.at for seg in rules.vertical
        if seg.lo - _TOL <= y <= seg.hi + _TOL and left - _TOL <= seg.at <= right + _TOL
    )


def _covers(rules: Rules, y: float, x0: float, x1: float) -> bool:
    """Tell whether horizontal rules at height ``y`` cover most of the span ``x0``–``x1``."""
    covered = sum(
        max(0.0, min(seg.hi, x1) - max(seg.lo, x0)) for seg in rules.horizontal if abs(seg.at - y) <= _TOL
    )
    return covered >= 0.5 * (x1 - x0)


def grid_table(rows: list[list[Piece]], start: int, rules: Rules) -> tuple[Table, int] | None:
    """Read the ruled table whose first text line is ``rows[start]``: the table and the index after its lines.

    ``rows`` are a page's visual lines, top to bottom; ``None`` when ``rows[start]`` is not in a grid.
    """
    first = rows[start]
    y = sum(piece.middle for piece in first) / len(first)
    xs = _verticals_at(rules, y)
    centres = [(piece.x0 + piece.x1) / 2 for piece in first]
    if len(xs) < _MIN_COLUMNS + 1 or min(centres) < xs[0] or max(centres) > xs[-1]:
        return None
    left, right = xs[0], xs[-1]
    levels = _cluster(
        seg.at for seg in rules.horizontal if seg.hi > left + _TOL and seg.lo < right - _TOL
    )[::-1]  # top to bottom
    above = [level for level in levels if level >= y]
    if not above:
        return None
    bands = [min(above)]  # the band edges, top to bottom
    for level in levels:
        if level < bands[-1] - _TOL:
            if len(_verticals_at(rules, (bands[-1] + level) / 2, left, right)) < _MIN_COLUMNS + 1:
                break
            bands.append(level)
    if len(bands) - 1 < _MIN_BANDS:
        return None
    top, bottom = bands[0], bands[-1]
    bounds = _cluster(
        seg.at for seg in rules.vertical
        if left - _TOL <= seg.at <= right + _TOL and seg.hi > bottom + _TOL and seg.lo < top - _TOL
    )
    end = start
    while end < len(rows) and bottom < sum(p.middle for p in rows[end]) / len(rows[end]) <= top + _TOL:
        end += 1
    return _fill(rows[start:end], bands, bounds, rules), end


def _fill(lines: list[list[Piece]], bands: list[float], bounds: list[float], rules: Rules) -> Table:
    """Place the pieces in their cells, move vertically merged cells' text to their first row, drop double rules."""
    n_rows, n_cols = len(bands) - 1, max(len(bounds) - 1, 1)
    cells: list[list[list[Piece]]] = [[[] for _ in range(n_cols)] for _ in range(n_rows)]
    for piece in (piece for line in lines for piece in line):
        row = next((r for r in range(n_rows) if bands[r + 1] < piece.middle), n_rows - 1)
        start_x = piece.x0 + min(piece.height, piece.x1 - piece.x0) / 2
        col = next((c for c in range(n_cols) if start_x < bounds[c + 1]), n_cols - 1)
        cells[row][col].append(piece)
    for col in range(n_cols):
        anchor = 0
        for row in range(1, n_rows):
            if _covers(rules, bands[row], bounds[col], bounds[col + 1]):
                anchor = row
            else:
                cells[anchor][col].extend(cells[row][col])
                cells[row][col] = []
    grid: list[tuple[str, ...]] = []
    for row in range(n_rows):
        texts = tuple(
            "\n".join(p.text for p in sorted(cell, key=lambda p: (-p.top, p.x0))) for cell in cells[row]
        )
        if any(texts) or bands[row] - bands[row + 1] >= _MIN_EMPTY_BAND:
            grid.append(texts)
    return Table(rows=tuple(grid))
