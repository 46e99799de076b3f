"""The plan layout reader: a received document (``DocText``) → sections, tasks, phrases and metadata.

Pure: no database, no Flask. ``read_plan`` is the one entry point; the import service turns its
``PlanLayout`` into a draft plan and reads the phrases with the deadline and owner readers.
"""

from tasktrack.domain.plan_layout.model import ContextPart, LayoutItem, PlanLayout
from tasktrack.domain.plan_layout.reader import read_plan

__all__ = ["ContextPart", "LayoutItem", "PlanLayout", "read_plan"]
