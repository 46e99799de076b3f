"""A route's URL as the text around its path values, built once and then filled in (web/fast_urls.py for pages,
notifications.py for e-mail links): Werkzeug builds the route with placeholder numbers, and the text between them
is kept."""

from __future__ import annotations

from collections.abc import Callable, Sequence

#: A number no id reaches in a test or a demo, so it is found in the built URL only where it was put.
PLACEHOLDER = 1_987_654_300


def split(build: Callable[[dict[str, int]], str], names: Sequence[str]) -> tuple[str, ...] | None:
    """Return the text before, between and after the path values ``names`` of the URL ``build`` makes from them
    (``len(names) + 1`` pieces), or None when a value does not come out as written (a converter that formats
    numbers its own way: build those URLs the usual way)."""
    rest = build({name: PLACEHOLDER + i for i, name in enumerate(names)})
    pieces = []
    for i in range(len(names)):
        before, sep, rest = rest.partition(str(PLACEHOLDER + i))
        if not sep:
            return None
        pieces.append(before)
    return (*pieces, rest)
