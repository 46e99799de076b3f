"""The secretariat's .docx documents as the page and the API serve them: built once per plan, date(s) and data
version (the render cache), so a second download — or a colleague's — is instant until the data changes."""

from __future__ import annotations

import datetime as dt

from tasktrack.cache_scopes import Page
from tasktrack.services import reports, summary
from tasktrack.web.page_cache import cached


@cached(html=False, scopes=lambda plan_id, _as_of: Page("plan", plan_id))
def bulletin(plan_id: int, as_of: dt.date) -> tuple[str, bytes]:
    """Return the 工作进展情况通报's file name and bytes (the caller checked the plan and the reader)."""
    return reports.build_bulletin(reports.get_plan(plan_id), as_of)


@cached(html=False, scopes=lambda plan_id, _start, _end: Page("plan", plan_id))
def work_summary(plan_id: int, start: dt.date, end: dt.date) -> tuple[str, bytes]:
    """Return the 工作总结 draft's file name and bytes (the caller checked the plan and the reader)."""
    return summary.build_summary(reports.get_plan(plan_id), start, end)
