"""Page arithmetic shared by every paged list (the assignment lists, the audit trail)."""

from __future__ import annotations


class PageMath:
    """Pages, neighbours and numbering of a page of ``per_page`` rows out of ``total`` (``page`` is 1-based)."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages (at least one, so an empty list has a page to show)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
