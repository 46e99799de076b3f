"""What a user wrote is shown exactly as written on cached pages, even text that looks like the cache's own CSRF
placeholder (issue 10 item 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tasktrack import cache, settings
from tasktrack.extensions import db
from tasktrack.models import AssignmentStatus
from tasktrack.services import progress
from tests.conftest import CSRF_RE
from tests.services.test_progress import assignment_of

OLD_PLACEHOLDER = "__tasktrack_csrf_token__"


@pytest.mark.parametrize("cache_size", [256, 0], ids=["cached", "uncached"])
def test_a_narrative_holding_the_placeholder_is_shown_as_written(
        app: Flask, client: FlaskClient, seeded: None, make_user: Callable[..., Any],
        login_as: Callable[..., Any], now: dt.datetime, cache_size: int) -> None:
    author = make_user("liaison", unit="省民政厅")
    a = assignment_of("省民政厅", 7)
    narrative = f"原样显示：{OLD_PLACEHOLDER}"
    progress.submit_report(a, author=author, status=AssignmentStatus.IN_PROGRESS, percent=10, completed_on=None,
                           narrative=narrative, now=now)
    db.session.commit()
    reader = login_as("liaison", unit="省民政厅")  # a reader with forms on the page (the one-click button)
    db.session.commit()
    assert reader.id != author.id
    with settings.overridden(app, render_cache_size=cache_size):
        for path in (f"/tasks/{a.task_id}", "/dashboard", "/my/tasks"):
            for attempt in ("first", "again"):  # the second read is served from the cache when it is on
                page = client.get(path).get_data(as_text=True)
                assert narrative in page, (path, attempt)
                tokens = set(CSRF_RE.findall(page))
                for token in tokens:
                    assert f"原样显示：{token}" not in page
                assert cache.CSRF_PLACEHOLDER not in page
        # The forms in the cached fragment still carry this reader's own token.
        my = client.get("/my/tasks").get_data(as_text=True)
        tokens = CSRF_RE.findall(my)
        assert tokens
        assert not any(t.startswith("__tasktrack") for t in tokens)


def test_the_placeholder_is_not_a_fixed_string() -> None:
    assert cache.CSRF_PLACEHOLDER != OLD_PLACEHOLDER
    assert len(cache.CSRF_PLACEHOLDER) >= 32 + len("__tasktrack_csrf___")
