"""The role × route matrix (R6): every route of the app has rows here, per area in tests/web/matrix_*.py.

A row names an endpoint, a method, how to build its path from the seeded context, and which roles may
use it. The test (test_route_matrix.py) calls it as every role: the allowed roles get exactly the row's ``ok``
status; the others get 403 (or 404 for objects they may not know of); anonymous users are sent to the login
page (pages) or get 401 (API). Every page route written to (POST) is also posted with a forged CSRF token by
an allowed role: 400 and nothing written. A meta-test fails when a route has no row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("secretariat", "liaison", "observation_point", "viewer")
ALL = frozenset(ROLES)
UNIT_ROLES = frozenset({"liaison", "observation_point"})
SECRETARIAT = frozenset({"secretariat"})


@dataclass
class Ctx:
    """Ids of seeded objects that paths and form data may use.

    The liaison acts for 省民政厅 ("own"); "other" objects belong to 省教育厅. The observation point
    acts for 宁波市鄞州区观察点. ``extra`` is for areas to stash their own ids (see matrix_*.setup).
    """

    plan_id: int
    task_id: int
    own_assignment_id: int
    other_assignment_id: int
    own_unit_id: int
    other_unit_id: int
    obs_unit_id: int
    user_ids: dict[str, int]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """One row: an endpoint reached with one method, and the roles allowed to use it."""

    endpoint: str
    method: str
    path: Callable[[Ctx], str]
    allowed: frozenset[str]
    #: Form or JSON data for writes (the CSRF token is added for pages).
    data: Callable[[Ctx], dict[str, Any]] | None = None
    #: Statuses that count as a refusal for this row (403 by default; 404 where existence is hidden).
    refused: frozenset[int] = frozenset({403})
    note: str = ""
    #: The exact status every allowed role gets: by default 200 for a read, 302 for a page's form post (it
    #: redirects after the write), 200 for an API write; 201 for an API create etc. say so here.
    ok: int | None = None

    @property
    def is_api(self) -> bool:
        return self.endpoint.startswith("api.")

    def expected(self) -> int:
        """Return the status an allowed role must get."""
        if self.ok is not None:
            return self.ok
        return 200 if self.method == "GET" or self.is_api else 302
