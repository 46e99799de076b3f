"""The render cache as views use it: a builder says what it varies by; the reader's permissions are always in the key.

A view caches the part of its page that every reader with the same role, unit and work group sees alike (the frame —
the user's name, flashed messages — is rendered around it each time)::

    @cached(vary=("args:plan,category,sort,dir",))
    def _body(plan_id: int | None) -> str:
        return render_template("dashboard/_body.html", ...)

The key is, by construction: the builder's name, its arguments, the declared request arguments, today, and the
reader's role, unit and work group (everything the policy's answers for a page depend on, permissions.py), under
the data version (tasktrack/cache.py). A builder cannot forget one of them, and so cannot show one reader what another
may see. Templates write ``{{ csrf_token() }}`` as anywhere else: while a fragment is built it gives the cache's
per-process placeholder, which is replaced with the reader's own token on every read (issue 10 item 4).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from flask import Flask, Response, current_app, g, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from tasktrack import cache, context
from tasktrack.cache_scopes import Page

P = ParamSpec("P")
T = TypeVar("T")

_building: ContextVar[bool] = ContextVar("tasktrack_page_cache_building", default=False)


def csrf_token() -> str:
    """The templates' ``csrf_token()``: the reader's token, or the placeholder inside a cached fragment."""
    return cache.CSRF_PLACEHOLDER if _building.get() else generate_csrf()


def reader_key() -> tuple[Hashable, ...]:
    """What the policy's answers for a page depend on: the reader's role, unit and work group (and no more, see
    can(): the work group decides which part of the tree a reader sees)."""
    user = g.get("api_user") or current_user  # an API call's user is its token's (web/api/views.py)
    if not user or not user.is_authenticated:
        return ("anonymous",)
    return (user.role.value, user.unit_id, user.work_group_id)


def _request_key(vary: tuple[str, ...]) -> tuple[Hashable, ...]:
    parts: list[Hashable] = []
    for spec in vary:
        kind, _, names = spec.partition(":")
        if kind != "args":
            raise ValueError(f"unknown cache vary {spec!r} (the reader's role, unit and group are always in the key)")
        chosen = [n.strip() for n in names.split(",") if n.strip()] or sorted(request.args)
        parts.append(tuple((n, tuple(request.args.getlist(n))) for n in chosen))
    return tuple(parts)


def _with_token(value: Any) -> Any:
    """Put the reader's token into a cached HTML fragment (or into the HTML last in a tuple)."""
    if isinstance(value, str):
        return cache.with_csrf(value)
    if isinstance(value, tuple) and value and isinstance(value[-1], str):
        return (*value[:-1], cache.with_csrf(value[-1]))
    return value


#: Says, from a builder's arguments, what its page is about (cache_scopes.Page); None: any write empties it.
Scopes = Callable[..., Page | None]


def cached(*, vary: tuple[str, ...] = (), html: bool = True,
           scopes: Scopes | None = None) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Cache what the decorated builder returns; ``vary`` names the request arguments it reads ("args:a,b").

    ``html``: the value is (or ends with) our own rendered HTML, in which the CSRF placeholder is replaced.
    ``scopes``: called with the builder's arguments, says which plan, work group or unit the page shows, so that a
    write elsewhere (a report in another plan or unit) leaves it cached (tasktrack/cache_scopes.py).
    """

    def decorate(build: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(build)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            page = scopes(*args, **kwargs) if scopes is not None else None
            value = _cached_call(build, vary, lambda: build(*args, **kwargs), args, kwargs, page)
            return _with_token(value) if html else value

        return wrapper

    return decorate


def cached_json(*, vary: tuple[str, ...] = (),
                scopes: Scopes | None = None) -> Callable[[Callable[P, Any]], Callable[P, Response]]:
    """Like :func:`cached` for an API call: the builder returns data; the encoded body is what is kept."""

    def decorate(build: Callable[P, Any]) -> Callable[P, Response]:
        @functools.wraps(build)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
            page = scopes(*args, **kwargs) if scopes is not None else None
            body = _cached_call(build, vary, lambda: (current_app.json.dumps(build(*args, **kwargs)) + "\n").encode(),
                                args, kwargs, page)
            return current_app.response_class(body, mimetype=current_app.json.mimetype)  # type: ignore[attr-defined]  # on DefaultJSONProvider, not its base

        return wrapper

    return decorate


def _cached_call(build: Callable[..., Any], vary: tuple[str, ...], run: Callable[[], T], args: tuple[Any, ...],
                 kwargs: dict[str, Any], page: Page | None) -> T:
    key = (f"{build.__module__}.{build.__qualname__}", reader_key(), context.today(), _request_key(vary), args,
           tuple(sorted(kwargs.items())))

    def building() -> T:
        mark = _building.set(True)
        try:
            return run()
        finally:
            _building.reset(mark)

    return cache.cached(key, building, page)


def init_app(app: Flask) -> None:
    """Make the templates' ``csrf_token()`` cache-aware (after Flask-WTF installed its own)."""
    app.jinja_env.globals["csrf_token"] = csrf_token  # what imported macros see
    # Flask-WTF also puts its own in every template's context, which a page's own {{ csrf_token() }} would read
    # first: a cached body then held its first reader's token, and a colleague's form was refused. Context
    # processors run in order, so this one (registered after Flask-WTF's) decides.
    app.context_processor(lambda: {"csrf_token": csrf_token})
