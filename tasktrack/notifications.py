"""Compose every e-mail in one place: a template pair, a context and its recipients make a Letter (STYLE §8).

The services that notify (the reminder sweep, the digests, urging) decide *what* to say and *to whom*
(:mod:`tasktrack.services.recipients`); this module is the only one that renders mail: it reads
``templates/email/<name>.txt`` and ``.html`` with the app's Jinja environment (``.html`` autoescaped,
``.txt`` not), gives the templates ``link(endpoint, **values)`` — ``url_for(..., _external=True)``
under the configured BASE_URL, never under the host a request came in on — and makes the subject
one header line (R24). A message that also goes to DingTalk robots has a third template,
``templates/dingtalk/<name>.md``: its markdown, under the same subject as title, with the same ``link``.
Sending is :mod:`tasktrack.mail`'s (and :mod:`tasktrack.dingtalk`'s) business, through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from jinja2 import TemplateNotFound
from markupsafe import Markup

from tasktrack import route_pieces
from tasktrack.mail import sanitize_header

#: Context names the composer supplies itself; a caller passing one would be silently overridden.
RESERVED = frozenset({"link"})


@dataclass(frozen=True)
class Recipients:
    """Whom a message goes to; ``cc`` only ever holds people the message says it copies."""

    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()

    @classmethod
    def of(cls, to: Sequence[str], cc: Sequence[str] = ()) -> Recipients:
        """Return recipients without duplicates; an address in To is not copied again."""
        to_ = tuple(dict.fromkeys(to))
        return cls(to_, tuple(a for a in dict.fromkeys(cc) if a not in to_))


@dataclass(frozen=True)
class Letter:
    """A composed message, ready for ``outbox.Outgoing.of``: one-line subject, text and HTML parts, and the
    markdown for DingTalk robots when the message has a ``dingtalk/<name>.md`` template."""

    subject: str
    text: str
    html: str
    recipients: Recipients
    markdown: str | None = None

    @property
    def to(self) -> tuple[str, ...]:
        return self.recipients.to

    @property
    def cc(self) -> tuple[str, ...]:
        return self.recipients.cc


def link(base_url: str, endpoint: str, /, **values: Any) -> str:
    """Return the absolute URL of a route for an e-mail: ``url_for(endpoint, _external=True)`` under BASE_URL.

    Mail is composed by the sweep, digests and jobs outside any request, and from requests whose host
    may be an internal name; the configured BASE_URL (scheme, host and an optional path prefix) is the
    address people open, so links are built against it rather than against the request.
    ``_anchor`` adds a fragment, as in url_for.
    """
    return links(base_url)(endpoint, **values)


class _Links:
    """:func:`link` for one BASE_URL and one app: the URL map bound once, and each route with only integer path
    values (``everyone.assignment``'s ``/assignments/<int:assignment_id>``) built once with placeholders and then
    filled in — a digest has a link per task, ~115,000 in one weekly run, and binding and building each one was a
    fifth of the run. Anything else (query values, a route with defaults or several rules) is built by Werkzeug."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url.rstrip("/") or "http://localhost")
        self.url_map = current_app.url_map
        self.adapter = self.url_map.bind(parts.netloc or "localhost", script_name=parts.path or "/",
                                         url_scheme=parts.scheme or "http")
        self.routes: dict[str, tuple[tuple[str, ...], tuple[str, ...]] | None] = {}

    def _route(self, endpoint: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        if endpoint in self.routes:
            return self.routes[endpoint]
        try:
            rules = list(self.url_map.iter_rules(endpoint))
        except KeyError:  # no such endpoint: Werkzeug's build says so
            rules = []
        found = None
        if len(rules) == 1 and not rules[0].defaults:
            names = tuple(sorted(rules[0].arguments))
            pieces = route_pieces.split(lambda values: self.adapter.build(endpoint, values, force_external=True),
                                        names)
            if pieces is not None:
                found = (pieces, names)
        self.routes[endpoint] = found
        return found

    def __call__(self, endpoint: str, /, **values: Any) -> str:
        anchor = values.pop("_anchor", None)
        route = self._route(endpoint)
        if route is not None and values.keys() == set(route[1]) \
                and all(type(values[n]) is int and values[n] >= 0 for n in route[1]):
            pieces, names = route
            url = pieces[0] + "".join(str(values[n]) + pieces[i + 1] for i, n in enumerate(names))
        else:
            url = self.adapter.build(endpoint, values, force_external=True)
        return f"{url}#{anchor}" if anchor else url


def links(base_url: str) -> Callable[..., str]:
    """Return :func:`link` bound to ``base_url``: ``links(base)("everyone.assignment", assignment_id=7)``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not its proxy: a dict key
    made: dict[str, _Links] = app.extensions.setdefault("tasktrack_mail_links", {})
    found = made.get(base_url)
    if found is None:
        found = made[base_url] = _Links(base_url)
    return found


@dataclass(frozen=True)
class Parts:
    """A part that many letters repeat word for word (a unit's digest items, the same for each of its people),
    rendered once: give it to each letter's context and write ``{{ items.html }}`` (safe HTML, autoescaped when it
    was rendered), ``{{ items.text }}`` or ``{{ items.markdown }}`` where the part goes."""

    html: Markup
    text: str
    markdown: str | None


def parts(template: str, *, context: Mapping[str, Any], base_url: str) -> Parts:
    """Render ``email/_<template>.html`` and ``.txt`` (and ``dingtalk/_<template>.md`` when there is one) with
    ``context`` plus ``link``, for :func:`compose` to put into many letters."""
    if clash := RESERVED & context.keys():
        raise ValueError(f"context may not set {sorted(clash)}: the composer supplies them")
    env = current_app.jinja_env
    values = {**context, "link": links(base_url)}
    try:
        markdown: str | None = env.get_template(f"dingtalk/_{template}.md").render(values)
    except TemplateNotFound:
        markdown = None
    # Markup: the .html part was autoescaped as it was rendered; the letter's template must not escape it again.
    return Parts(html=Markup(env.get_template(f"email/_{template}.html").render(values)),
                 text=env.get_template(f"email/_{template}.txt").render(values), markdown=markdown)


def subject_line(*parts: str) -> str:
    """Join subject parts into one header line: CR, LF and other controls in user text become spaces (R24)."""
    return sanitize_header("".join(parts))


def compose(template: str, *, subject: str, context: Mapping[str, Any], recipients: Recipients,
            base_url: str) -> Letter:
    """Render ``email/<template>.txt`` and ``.html`` with ``context`` plus ``link``; return the Letter.

    Rendering uses the app's Jinja environment without request context processors, so a message
    reads the same from a job, the CLI or a web request.
    """
    if clash := RESERVED & context.keys():
        raise ValueError(f"context may not set {sorted(clash)}: the composer supplies them")
    env = current_app.jinja_env
    values = {**context, "link": links(base_url)}
    try:
        markdown: str | None = env.get_template(f"dingtalk/{template}.md").render(values).strip()
    except TemplateNotFound:
        markdown = None
    return Letter(
        subject=subject_line(subject),
        text=env.get_template(f"email/{template}.txt").render(values),
        html=env.get_template(f"email/{template}.html").render(values),
        recipients=recipients,
        markdown=markdown,
    )
