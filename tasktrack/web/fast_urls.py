"""``url_for`` for pages with many links: the route's path is built once per request and endpoint, then filled in.

A 督办总览 has about a thousand links (every count of every unit is one); Flask's ``url_for`` asks the URL map for
each of them, which was a third of the page's time. Templates call ``url_for`` as always; this version builds the
route once with placeholder numbers, keeps the pieces for the request, and joins them with the link's own values
and query string exactly as Werkzeug would. Anything unusual (a blueprint-relative name, ``_external``/``_anchor``,
a route with defaults or several rules, a non-integer path value, a list in the query) goes to Flask's own.

A table with a link on every row can go further: ``url_stem`` gives the text before a route's one path value (the
unit page's ``/units/``), and the row's link is that stem and its id, with no call per row at all; ``url_around``
gives the text on both sides of it (``/assignments/`` and ``/report``) for a route that goes on after its id.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import current_app, has_request_context, request, url_for

from tasktrack import route_pieces

#: Werkzeug's query string encoding (werkzeug.urls._urlencode).
_SAFE = "!$'()*,/:;?@"
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*\Z")
_SLOW: Any = object()


#: How many different script roots (the prefix the app is served under) an app keeps routes for.
_ROOTS = 8


def _memo() -> dict[str, Any]:
    """The routes built so far for the app and the prefix it is served under (a relative URL depends on nothing
    else of a request: one host, no subdomains): built once per worker, not once per request."""
    store: dict[str | None, dict[str, Any]] = current_app.extensions.setdefault("tasktrack_fast_urls", {})
    root = request.script_root if has_request_context() else None
    memo = store.get(root)
    if memo is None:
        if len(store) >= _ROOTS:
            store.clear()
        memo = store[root] = {}
    return memo


def _route(endpoint: str) -> Any:
    """Return (pieces of the path between its arguments, argument names), or _SLOW for a route built the usual way."""
    memo = _memo()
    found = memo.get(endpoint)
    if found is not None:
        return found
    rules = list(current_app.url_map.iter_rules(endpoint)) if endpoint in current_app.view_functions else []
    found = _SLOW
    if len(rules) == 1 and not rules[0].defaults and not current_app.url_default_functions:
        names = tuple(sorted(rules[0].arguments))

        def build(values: dict[str, Any]) -> str:
            return url_for(endpoint, **values)

        pieces = route_pieces.split(build, names)
        if pieces is not None:
            found = (pieces, names)
    memo[endpoint] = found
    return found


def fast_url_for(endpoint: str, **values: Any) -> str:
    """Return what ``flask.url_for(endpoint, **values)`` returns, faster for the common case."""
    route = _route(endpoint) if not endpoint.startswith(".") else _SLOW
    if route is _SLOW:
        return url_for(endpoint, **values)
    pieces, names = route
    parts = [pieces[0]]
    for i, name in enumerate(names):
        value = values.get(name)
        if type(value) is not int or value < 0:
            return url_for(endpoint, **values)
        parts.append(str(value))
        parts.append(pieces[i + 1])
    query = []
    for key, value in values.items():
        if key in names:
            continue
        if key.startswith("_"):  # _external, _anchor, _method, _scheme: Flask's own (checked here, not per call)
            return url_for(endpoint, **values)
        if value is None:
            continue
        if isinstance(value, list | tuple | dict | set):
            return url_for(endpoint, **values)
        text = str(value)
        # Letters, digits and "_.-~" are never quoted: most links (numbers, codes) need no encoder at all.
        query.append(f"{key}={text}" if _PLAIN.match(key) and _PLAIN.match(text)
                     else urlencode([(key, value)], safe=_SAFE))
    if query:
        parts.append("?" + "&".join(query))
    return "".join(parts)


def url_stem(endpoint: str) -> str:
    """Return the URL of a route whose one path value, an ``int``, ends it (``/units/<int:unit_id>``) without that
    value: ``url_for(endpoint, unit_id=n)`` is this text followed by ``n`` (ValueError for any other route)."""
    route = _route(endpoint) if not endpoint.startswith(".") else _SLOW
    if route is _SLOW or len(route[1]) != 1 or route[0][1] \
            or f"<int:{route[1][0]}>" not in next(current_app.url_map.iter_rules(endpoint)).rule:
        raise ValueError(f"{endpoint} is not a route ending in its one int path value")
    return str(route[0][0])


def url_around(endpoint: str) -> tuple[str, str]:
    """Return the text before and after a route's one path value, an ``int``
    (``/assignments/<int:assignment_id>/report``): ``url_for(endpoint, assignment_id=n)`` is the first, ``n``, then
    the second (ValueError for any other route)."""
    route = _route(endpoint) if not endpoint.startswith(".") else _SLOW
    if route is _SLOW or len(route[1]) != 1 \
            or f"<int:{route[1][0]}>" not in next(current_app.url_map.iter_rules(endpoint)).rule:
        raise ValueError(f"{endpoint} is not a route with one int path value")
    return str(route[0][0]), str(route[0][1])
