"""The API modules that add routes (and their OpenAPI paths) to the ``api`` blueprint.

Each module registers routes on ``tasktrack.web.api.views.bp`` and defines ``OPENAPI_PATHS`` (and may
define ``OPENAPI_SCHEMAS``); openapi.py merges them. Adding an API area is one line here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

API_MODULES = [
    "tasktrack.web.api.assignments",
    "tasktrack.web.api.dashboard",
    "tasktrack.web.api.inbound",
    "tasktrack.web.api.matters",
    "tasktrack.web.api.observations",
    "tasktrack.web.api.plan_imports",
    "tasktrack.web.api.reports",
    "tasktrack.web.api.work_groups",
    "tasktrack.web.api.openapi",
]


def load() -> list[ModuleType]:
    """Import every API module (idempotent) and return them."""
    return [importlib.import_module(name) for name in API_MODULES]
