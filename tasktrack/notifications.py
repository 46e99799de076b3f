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

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from jinja2 import TemplateNotFound

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
    anchor = values.pop("_anchor", None)
    parts = urlsplit(base_url.rstrip("/") or "http://localhost")
    adapter = current_app.url_map.bind(parts.netloc or "localhost", script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "http")
    url = adapter.build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def links(base_url: str) -> Callable[..., str]:
    """Return :func:`link` bound to ``base_url``: ``links(base)("everyone.assignment", assignment_id=7)``."""
    return functools.partial(link, base_url)


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
